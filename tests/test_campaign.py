"""Campaign settings: paths resolve against the file, film timing adds up, writes are atomic."""

from __future__ import annotations

import os
import stat

import pytest
from PIL import Image

from conftest import REPO
from workbench.campaign import CampaignError, FilmSettings, load_campaign
from workbench.files import atomic_path, save_png


def test_demo_campaign_paths_resolve_against_its_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # any working directory
    campaign = load_campaign(REPO / "campaigns" / "demo.yaml")
    assert campaign.kits_folder == REPO / "brand_kits"
    assert campaign.catalog_path == REPO / "renders" / campaign.name / "catalog.sqlite"


@pytest.mark.parametrize("duration, brands", [(20.0, 4), (6.0, 10), (3.0, 2)])
def test_timing_with_a_duration_adds_up_exactly(duration, brands):
    title, brand, end = FilmSettings(duration=duration).timing(brands)
    assert title + brand * brands + end == pytest.approx(duration)
    assert brand >= 0.5 and title >= 0 and end >= 0


def test_timing_without_a_duration_uses_seconds_per_brand():
    assert FilmSettings(seconds_per_brand=4, title_seconds=1, end_seconds=2).timing(3) == (1, 4, 2)


def test_odd_film_size_is_refused(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("name: c\ntitle: C\nfilm:\n  sizes: {'16:9': [321, 180]}\n", encoding="utf-8")
    with pytest.raises(CampaignError, match="even sizes"):
        load_campaign(path)


def test_atomic_write_leaves_nothing_on_failure_and_keeps_the_old_file(tmp_path):
    final = tmp_path / "film.mp4"
    final.write_bytes(b"old film")
    with pytest.raises(RuntimeError):
        with atomic_path(final) as temp:
            temp.write_bytes(b"half a film")
            raise RuntimeError("render interrupted")
    assert final.read_bytes() == b"old film"
    assert list(tmp_path.iterdir()) == [final]


def test_atomic_files_get_the_usual_permissions(tmp_path):
    save_png(Image.new("RGBA", (4, 4)), tmp_path / "a.png")
    mode = stat.S_IMODE(os.stat(tmp_path / "a.png").st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_an_older_campaigns_first_selection_becomes_triages_shortlist(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text("name: old\ntitle: Old\napprove_first: 3\n", encoding="utf-8")
    assert load_campaign(path).triage.shortlist == 3
    path.write_text("name: old\ntitle: Old\napprove_first: 3\ntriage: {shortlist: 1}\n", encoding="utf-8")
    assert load_campaign(path).triage.shortlist == 1


def test_triage_settings_are_checked_when_the_campaign_loads(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ntitle: Bad\ntriage: {thresholds: {logo_match: 1.5}}\n", encoding="utf-8")
    with pytest.raises(CampaignError, match=r"triage\.thresholds\.logo_match"):
        load_campaign(path)
    path.write_text("name: bad\ntitle: Bad\ntriage: {weights: {sparkle: 2}}\n", encoding="utf-8")
    with pytest.raises(CampaignError, match=r"triage\.weights"):
        load_campaign(path)
