"""Hostile kit and campaign files are refused quickly, with one bounded line naming the file and line:
alias bombs, oversized files, duplicate keys, deep nesting, huge values, text that is not UTF-8."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from conftest import write_campaign
from workbench.campaign import CampaignError, load_campaign
from workbench.cli import app
from workbench.kits import KitError, load_kit, load_kits

runner = CliRunner()


def billion_laughs(levels: int = 9) -> list[str]:
    """YAML lines x1..x9 where each list holds 9 aliases of the one before: about 800 bytes that
    expand to 9**9 (387 million) strings."""
    lines = ['x1: &x1 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(2, levels + 1):
        lines.append(f"x{level}: &x{level} [" + ", ".join([f"*x{level - 1}"] * 9) + "]")
    return lines


def refused_quickly(load, path):
    """The error `load(path)` raises, and how many seconds it took."""
    started = time.perf_counter()
    with pytest.raises((KitError, CampaignError)) as caught:
        load(path)
    return caught.value, time.perf_counter() - started


def test_an_alias_bomb_in_brand_yaml_is_refused_at_once(kits_folder):
    path = kits_folder / "lotus-tea" / "brand.yaml"
    text = path.read_text(encoding="utf-8")
    lines = billion_laughs()
    text = "\n".join(lines) + "\n" + text.replace(text[text.index("motifs:"):].splitlines()[0], "motifs: *x9")
    path.write_text(text, encoding="utf-8")
    assert len(text.encode()) < 1024

    error, seconds = refused_quickly(load_kit, path.parent)
    assert seconds < 2, f"took {seconds:.1f} s"  # before the fix: 10 s and a 300 MB message
    assert str(error) == f"{path}: line 1: YAML aliases (&/*) are not allowed in kit files"
    assert sorted(load_kits(kits_folder).kits) == ["kestrel-stride", "polar-scoop"]


def test_an_alias_bomb_in_a_campaign_is_refused_at_once(tmp_path, kits_folder):
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders")
    text = path.read_text(encoding="utf-8").replace("title: Test Parade", "title: *x9")
    path.write_text("\n".join(billion_laughs()) + "\n" + text, encoding="utf-8")

    error, seconds = refused_quickly(load_campaign, path)
    assert seconds < 2, f"took {seconds:.1f} s"
    assert str(error) == f"{path}: line 1: YAML aliases (&/*) are not allowed in campaign files"

    result = runner.invoke(app, ["review", "report", str(path)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {error}"


def test_an_anchor_alone_is_refused_where_it_is_defined(tmp_path):
    path = tmp_path / "campaign.yaml"
    path.write_text("name: c\ntitle: C\nfilm: &film\n  fps: 10\n", encoding="utf-8")
    with pytest.raises(CampaignError, match=r"^.*campaign\.yaml: line 3: YAML aliases"):
        load_campaign(path)


def test_an_oversized_brand_yaml_is_refused_before_it_is_read(kits_folder):
    path = kits_folder / "lotus-tea" / "brand.yaml"
    with open(path, "ab") as handle:
        handle.write(b"# padding\n" * 30_000)  # 300 KB of comments: valid YAML, just too much of it
    error, _ = refused_quickly(load_kit, path.parent)
    assert (error.field, error.message) == ("file", f"{path.stat().st_size:,} bytes is over the 256 KB limit for kit files")

    with open(path, "r+b") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB (sparse): refused by its size, not after reading it
    error, seconds = refused_quickly(load_kit, path.parent)
    assert "256 KB limit" in error.message and seconds < 1


def test_an_oversized_campaign_is_refused(tmp_path, kits_folder):
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders")
    with open(path, "ab") as handle:
        handle.write(b"# padding\n" * 110_000)  # 1.1 MB
    error, _ = refused_quickly(load_campaign, path)
    assert error.field == "file" and error.message.endswith("over the 1,024 KB limit for campaign files")


def test_a_key_written_twice_is_reported_with_both_lines(kits_folder, tmp_path):
    path = kits_folder / "lotus-tea" / "brand.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(number for number, line in enumerate(lines, start=1) if line.startswith("palette:"))
    path.write_text("\n".join(lines + ["palette: {primary: '#000000'}"]) + "\n", encoding="utf-8")
    error, _ = refused_quickly(load_kit, path.parent)
    assert str(error) == f"{path}: line {len(lines) + 1}: key 'palette' appears twice (first on line {first})"

    campaign = tmp_path / "campaign.yaml"
    campaign.write_text("name: c\ntitle: C\nfilm:\n  fps: 10\n  crf: 20\n  fps: 12\n", encoding="utf-8")
    error, _ = refused_quickly(load_campaign, campaign)
    assert str(error) == f"{campaign}: line 6: key 'fps' appears twice (first on line 4)"


def test_deep_nesting_is_refused_and_the_other_kits_still_load(kits_folder):
    # 2 KB of brackets used to overflow PyYAML's recursion and stop every kit loading.
    path = kits_folder / "lotus-tea" / "brand.yaml"
    path.write_text("slug: " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    report = load_kits(kits_folder)
    assert sorted(report.kits) == ["kestrel-stride", "polar-scoop"]
    assert [str(e) for e in report.errors] == [f"{path}: line 1: nested deeper than 32 levels"]


def test_a_huge_value_is_never_rendered_whole_into_the_message(kits_folder):
    path = kits_folder / "lotus-tea" / "brand.yaml"
    text = path.read_text(encoding="utf-8")
    huge_motifs = "motifs: [[" + ", ".join(["lol"] * 40_000) + "]]"  # 200 KB, no aliases
    path.write_text(text.replace(text[text.index("motifs:"):].splitlines()[0], huge_motifs), encoding="utf-8")
    error, _ = refused_quickly(load_kit, path.parent)
    assert error.field == "motifs.0"
    assert error.message == "Input should be a valid string (got ['lol', 'lol', 'lol', 'lol', ...])"

    path.write_text(text.replace("slug: lotus-tea", "slug: " + "A" * 200_000), encoding="utf-8")
    error, _ = refused_quickly(load_kit, path.parent)
    assert error.field == "slug" and len(error.message) == 240 and error.message.endswith("AAA…")


def test_a_campaign_that_is_not_utf8_is_one_line_naming_the_line(tmp_path):
    path = tmp_path / "campaign.yaml"
    path.write_bytes("name: c\ntitle: Fête\n".encode("latin-1"))
    result = runner.invoke(app, ["review", "report", str(path)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {path}: line 2: expected UTF-8 text (byte 0xea)"
