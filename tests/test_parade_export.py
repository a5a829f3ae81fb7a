"""Hand-off: the manifest's frame ranges and provenance, the finishing folder (PNG passes with alpha,
an OpenTimelineIO timeline with one clip per brand), and per-brand social clips.

Tiny films (320x180 / 180x320, 10 fps) with the fake floats of conftest.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import (
    SAMPLE_KITS, SHOWN, add_concept, decode, logo_template, make_campaign, match_at, parade_catalog, probe,
)
from workbench.catalog import Catalog
from workbench.kits import load_kits
from workbench.parade import prepare_film, render_film
from workbench.parade.export import export_for_finishing, float_passes, render_social_clips, social_window

ORDER = ["lotus-tea", "polar-scoop", "tern-motors", "kestrel-stride"]


@pytest.fixture(scope="module")
def kits():
    return load_kits(SAMPLE_KITS).kits


@pytest.fixture(scope="module")
def parade(tmp_path_factory, kits):
    campaign = make_campaign(tmp_path_factory.mktemp("export"))
    catalog = parade_catalog(campaign, kits)
    # The art director overrules the designer on lotus-tea's winning concept: the manifest names her.
    catalog.review("lotus-tea-s2", verdict="rejected", reviewer="ana", role="designer")
    catalog.review("lotus-tea-s2", verdict="approved", reviewer="mei", role="art_director", reason="hero float")
    order = [kits[slug] for slug in ORDER]
    return campaign, catalog, order


@pytest.fixture(scope="module")
def films(parade):
    campaign, catalog, order = parade
    rendered = {}
    for aspect in ("16:9", "9:16"):
        with pytest.warns(UserWarning):
            result = render_film(campaign, order, catalog, aspect, progress=False)
        rendered[aspect] = (json.loads(result.manifest_path.read_text(encoding="utf-8")), decode(result.path))
    return rendered


def brands(manifest: dict) -> list[dict]:
    return [s for s in manifest["segments"] if s["kind"] == "brand"]


# The manifest --------------------------------------------------------------------------------------


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_manifest_frame_ranges_tile_the_film(films, aspect):
    manifest, frames = films[aspect]
    ranges = [s["frames"] for s in manifest["segments"]]
    assert ranges[0][0] == 0 and ranges[-1][1] == manifest["frame_count"] == len(frames)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:])), "contiguous, no overlaps"
    for segment in brands(manifest):
        first, stop = segment["frames"]
        hold_first, hold_stop = segment["hold_frames"]
        assert first <= hold_first < hold_stop <= stop


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_every_frame_of_each_hold_shows_the_named_brand_logo_and_banner_text(films, kits, aspect):
    manifest, frames = films[aspect]
    for segment in brands(manifest):
        template = logo_template(kits[segment["brand"]], segment["logo_box"])
        hold_first, hold_stop = segment["hold_frames"]
        for index in (hold_first, (hold_first + hold_stop) // 2, hold_stop - 1):
            assert match_at(frames[index], template, segment["logo_box"]) >= 0.9, (segment["brand"], index)
            left, top, right, bottom = segment["text_box"]
            text = frames[index][top:bottom, left:right].astype(np.int16)
            panel = np.array(kits[segment["brand"]].palette.rgb("background"), np.int16)
            inked = (np.abs(text - panel).sum(axis=2) > 90).mean()
            assert inked > 0.04, f"{segment['brand']}: banner text region looks empty ({inked:.3f})"


def test_tall_film_keeps_logo_and_text_wholly_inside_the_frame(films):
    manifest, _frames = films["9:16"]
    width, height = manifest["size"]
    for segment in brands(manifest):
        for left, top, right, bottom in (segment["logo_box"], segment["text_box"]):
            assert 0 <= left < right <= width and 0 <= top < bottom <= height


def test_manifest_names_each_concepts_prompt_seed_backend_and_approver(films, parade):
    manifest, _frames = films["16:9"]
    _campaign, catalog, _order = parade
    assert set(manifest["concepts"]) == {s["concept_id"] for s in brands(manifest)}
    lotus = manifest["concepts"]["lotus-tea-s2"]
    record = catalog.concept("lotus-tea-s2")
    assert (lotus["brand"], lotus["seed"], lotus["backend"], lotus["prompt"]) == ("lotus-tea", 2, "test", record.prompt)
    assert (lotus["reviewer"], lotus["reviewer_role"]) == ("mei", "art_director")
    assert lotus["content_hash"] == record.content_hash


# Finishing ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finishing(parade, films):
    campaign, catalog, order = parade
    with pytest.warns(UserWarning):
        return export_for_finishing(campaign, order, catalog, "16:9", fps=5, size=(256, 144))


def test_timeline_loads_in_opentimelineio_with_one_float_clip_per_brand(finishing):
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(str(finishing.timeline_path))
    float_tracks = [track for track in timeline.tracks if track.name.startswith("Floats")]
    clips = [clip for track in float_tracks for clip in track.find_clips()]
    assert sorted(clip.name for clip in clips) == sorted(SHOWN)
    for clip in clips:
        reference = clip.media_reference
        assert isinstance(reference, otio.schema.ImageSequenceReference)
        last = reference.number_of_images_in_sequence() - 1
        for url in (reference.target_url_for_image_number(0), reference.target_url_for_image_number(last)):
            assert (finishing.folder / otio.url_utils.filepath_from_url(url)).is_file(), url  # relative to the folder
        assert clip.metadata["parade"]["seed"] in (1, 2) and clip.markers
    lower_thirds = next(track for track in timeline.tracks if track.name == "Lower thirds")
    assert len(list(lower_thirds.find_clips())) == len(SHOWN)
    film = next(iter(timeline.tracks[0].find_clips()))
    assert film.media_reference.target_url.endswith("test-parade_16x9.mp4")


def test_float_pass_pngs_have_alpha_and_hold_only_that_float(finishing, parade):
    campaign, catalog, order = parade
    assert finishing.frame_files == sum(p.stop - p.first for p in finishing.passes)
    first_pass = finishing.passes[0]
    hold = json.loads((finishing.folder / "test-parade_16x9.json").read_text(encoding="utf-8"))
    hold_first, hold_stop = brands(hold)[0]["hold_frames"]
    middle = (hold_first + hold_stop) // 2
    still = finishing.folder / "floats" / first_pass.brand / f"{first_pass.brand}.{middle:04d}.png"
    with Image.open(still) as image:
        assert image.mode == "RGBA" and image.size == (256, 144)
        alpha = np.asarray(image)[..., 3]
    assert 0.05 < (alpha > 0).mean() < 0.7, "the float, with clear space around it"
    with Image.open(finishing.folder / "plate.png") as plate:
        assert plate.size == (256, 144)


def test_passes_cover_each_float_while_it_is_in_frame(parade):
    campaign, catalog, order = parade
    with pytest.warns(UserWarning):
        film = prepare_film(campaign, order, catalog, "9:16")
    passes = float_passes(film, campaign.film.fps)
    assert [p.brand for p in passes] == SHOWN
    for float_pass, slot in zip(passes, film.timeline.slots):
        fps = campaign.film.fps
        assert float_pass.first <= slot.hold_start * fps and slot.hold_end * fps <= float_pass.stop


# Social clips -------------------------------------------------------------------------------------


def test_social_clips_one_per_brand_from_the_same_timeline(tmp_path, kits):
    campaign = make_campaign(tmp_path, seconds_per_brand=2.5)  # 3 brands: a 7.5 s procession
    catalog = Catalog(campaign.catalog_path)
    for slug in SHOWN:
        add_concept(catalog, campaign, kits[slug], 1, "approved")
    order = [kits[slug] for slug in SHOWN]
    paths = render_social_clips(campaign, order, catalog, "9:16", seconds=5)
    assert [p.name for p in paths] == [f"test-parade_{slug}_9x16.mp4" for slug in SHOWN]
    film = prepare_film(campaign, order, catalog, "9:16")
    for path, slot in zip(paths, film.timeline.slots):
        [video] = [s for s in probe(path)["streams"] if s["codec_type"] == "video"]
        assert (video["width"], video["height"]) == (180, 320)
        assert float(video["duration"]) == pytest.approx(5.0, abs=0.11)
        start, end = social_window(film, slot.index, 5)
        assert start <= slot.hold_start and slot.hold_end <= end
        assert film.timeline.procession_start <= start and end <= film.timeline.procession_end
    with pytest.raises(ValueError):
        render_social_clips(campaign, order, catalog, "9:16", seconds=12)


def test_lower_thirds_last_exactly_while_their_banner_shows(finishing, parade):
    import opentimelineio as otio

    campaign, catalog, order = parade
    with pytest.warns(UserWarning):
        film = prepare_film(campaign.with_changes(film={"fps": 5}), order, catalog, "16:9")  # the export's rate
    banners = {banner.slot.brand: banner for banner in film.parade.layers.banners}
    frame_count = round(film.timeline.duration * 5)
    timeline = otio.adapters.read_from_file(str(finishing.timeline_path))
    lower_thirds = next(track for track in timeline.tracks if track.name == "Lower thirds")
    for clip in lower_thirds.find_clips():
        brand = clip.name.removesuffix(" lower third")
        shown = [frame for frame in range(frame_count) if film.parade.alone(banners[brand], frame / 5).any()]
        placed = clip.range_in_parent()
        first = round(placed.start_time.value)
        assert (first, first + round(placed.duration.value)) == (shown[0], shown[-1] + 1), brand
