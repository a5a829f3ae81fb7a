"""`workbench new campaign NAME --brands ...`: the defaults, explained, and read back to the same settings."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

from conftest import SAMPLE_KITS
from workbench.campaign import Campaign, load_campaign
from workbench.cli import app
from workbench.onboarding.campaign_template import BLOCKS


def make(tmp_path, *args):
    kits = tmp_path / "brand_kits"
    if not kits.exists():
        for slug in ("lotus-tea", "tern-motors", "polar-scoop"):
            shutil.copytree(SAMPLE_KITS / slug, kits / slug)
    return CliRunner().invoke(app, ["new", "campaign", *args, "--kits", str(kits), "--into", str(tmp_path / "campaigns")])


def test_a_new_campaign_loads_with_every_default_and_explains_each_block(tmp_path):
    result = make(tmp_path, "spring-parade", "--brands", "tern-motors, lotus-tea")
    assert result.exit_code == 0, result.output
    path = tmp_path / "campaigns" / "spring-parade.yaml"
    campaign = load_campaign(path)
    assert campaign.name == "spring-parade" and campaign.title == "Spring Parade"
    assert campaign.brands == ["tern-motors", "lotus-tea"]
    assert campaign.kits_folder == (tmp_path / "brand_kits").resolve()
    assert campaign.renders_folder == (tmp_path / "renders").resolve()
    defaults = Campaign.model_construct()
    for block in BLOCKS:  # every block reads back to exactly the model's defaults
        assert getattr(campaign, block) == getattr(defaults, block), block
    assert campaign.film.size("16:9") == (1920, 1080)  # "16:9" quoted: PyYAML would read 16:9 as 969

    text = path.read_text(encoding="utf-8")
    for model in (type(getattr(defaults, block)) for block in BLOCKS):
        assert f"# {model.__doc__.split(chr(10))[0].strip()}" in text  # each block's comment is its docstring
    assert "# Confetti on the cards and lanterns over the procession.\n  particles: true" in text
    assert "duration: null" in text


def test_bad_names_unknown_brands_and_existing_files_are_one_line(tmp_path):
    unknown = make(tmp_path, "spring-parade", "--brands", "lotus-tea,no-such-brand")
    assert unknown.exit_code == 2 and "--brands: unknown brand(s) 'no-such-brand'; known: lotus-tea" in unknown.stderr
    bad_name = make(tmp_path, "Spring Parade", "--brands", "lotus-tea")
    assert bad_name.exit_code == 2 and "name: expected a slug" in bad_name.stderr
    assert not (tmp_path / "campaigns").exists() or not list((tmp_path / "campaigns").iterdir())
    assert make(tmp_path, "spring-parade", "--brands", "lotus-tea").exit_code == 0
    again = make(tmp_path, "spring-parade", "--brands", "tern-motors")
    assert again.exit_code == 2 and "a campaign of that name exists" in again.stderr
    assert load_campaign(tmp_path / "campaigns" / "spring-parade.yaml").brands == ["lotus-tea"]
