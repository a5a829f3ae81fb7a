"""The command line answers bad input with one clear line naming file and field, and exit code 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import edit_kit, write_campaign
from workbench.campaign import load_campaign
from workbench.catalog import Catalog, ConceptRecord
from workbench.cli import app

runner = CliRunner()


@pytest.fixture
def catalog_with_concepts(campaign_file):
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        for seed in (1, 2):
            catalog.add_concept(ConceptRecord(f"lotus-tea-s{seed}", "lotus-tea", "previz", "previz-1", "p", "n",
                                              seed, {}, f"concepts/lotus-tea/{seed}.png", "0" * 64))
        yield catalog


def test_kits_validate_prints_a_table_and_fails_on_a_bad_kit(kits_folder):
    edit_kit(kits_folder / "polar-scoop", palette=None)
    result = runner.invoke(app, ["kits", "validate", str(kits_folder)])
    assert result.exit_code == 1
    assert "lotus-tea" in result.output and "莲心茶坊" in result.output
    assert "palette: required field is missing" in result.output
    assert "2 valid, 1 invalid" in result.output


def test_unknown_brand_on_the_command_line(campaign_file):
    result = runner.invoke(app, ["review", "report", str(campaign_file), "--brand", "no-such-brand"])
    assert result.exit_code == 2
    assert "unknown brand 'no-such-brand'" in result.output and "lotus-tea" in result.output


def test_malformed_campaign_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nfilm: {fps: [\n", encoding="utf-8")
    result = runner.invoke(app, ["generate", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.output and "malformed YAML" in result.output


def test_campaign_with_a_wrong_type(tmp_path, kits_folder):
    path = write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "r", film={"fps": "fast"})
    result = runner.invoke(app, ["render", str(path)])
    assert result.exit_code == 2 and "film.fps" in result.output


def test_review_csv_is_checked_whole_before_writing(tmp_path, campaign_file, catalog_with_concepts):
    csv_file = tmp_path / "decisions.csv"
    csv_file.write_text("concept_id,verdict,stars\nlotus-tea-s1,approved,5\nlotus-tea-s2,maybe,\n", encoding="utf-8")
    result = runner.invoke(app, ["review", "import", str(campaign_file), str(csv_file)])
    assert result.exit_code == 2
    assert "line 3, column verdict" in result.output and str(csv_file) in result.output
    assert catalog_with_concepts.history() == [], "a bad file writes nothing"

    csv_file.write_text("concept_id,verdict,stars\nlotus-tea-s1,approved,5\nlotus-tea-s2,rejected,\n", encoding="utf-8")
    result = runner.invoke(app, ["review", "import", str(campaign_file), str(csv_file), "--reviewer", "pipeline"])
    assert result.exit_code == 0, result.output
    assert catalog_with_concepts.verdicts() == {"lotus-tea-s1": "approved", "lotus-tea-s2": "rejected"}
    assert {r.reviewer for r in catalog_with_concepts.history()} == {"pipeline"}


def test_review_csv_with_an_unknown_concept(tmp_path, campaign_file, catalog_with_concepts):
    csv_file = tmp_path / "decisions.csv"
    csv_file.write_text("concept_id,verdict\nghost-s9,approved\n", encoding="utf-8")
    result = runner.invoke(app, ["review", "import", str(campaign_file), str(csv_file)])
    assert result.exit_code == 2 and "line 2, column concept_id" in result.output and "ghost-s9" in result.output


def test_approve_and_report(campaign_file, catalog_with_concepts):
    result = runner.invoke(app, ["review", "approve", str(campaign_file), "--id", "lotus-tea-s1",
                                 "--reviewer", "ad-lee", "--role", "art_director"])
    assert result.exit_code == 0, result.output
    report = runner.invoke(app, ["review", "report", str(campaign_file)])
    lines = {line.split()[0]: line for line in report.output.splitlines() if line.strip()}
    assert "100%" in lines["lotus-tea"]
    assert "blocks the parade" in lines["polar-scoop"]


def test_approving_an_unknown_concept_writes_nothing(campaign_file, catalog_with_concepts):
    result = runner.invoke(app, ["review", "approve", str(campaign_file), "--id", "lotus-tea-s1", "--id", "nope"])
    assert result.exit_code == 2 and "nope" in result.output
    assert catalog_with_concepts.history() == []


def test_an_unknown_aspect_is_one_clear_line_naming_the_option(campaign_file):
    for command in (["render", str(campaign_file), "--aspect", "3:2"], ["export", str(campaign_file), "--aspect", "3:2"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert "--aspect" in result.output and "'3:2': expected one of 16:9, 9:16, 1:1, 4:5" in result.output
