"""The parade film: float choice, timing, encoding, where the logos are, determinism, audio.

Tiny films (320x180 / 180x320, 10 fps, about 6 s) with fake floats drawn here, so nothing depends on a
generation backend.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import (
    FPS, REJECTED, SAMPLE_KITS, SHOWN, add_concept, decode, logo_template, make_campaign, match_at,
    parade_catalog, probe, write_tone,
)
from workbench.campaign import FilmSettings
from workbench.catalog import Catalog
from workbench.errors import InputError
from workbench.kits import BrandKit, load_kits
from workbench.parade import render_film
from workbench.parade.timeline import plan_timeline



# Fixtures and helpers -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kits() -> dict[str, BrandKit]:
    return load_kits(SAMPLE_KITS).kits


@pytest.fixture(scope="module")
def films(tmp_path_factory, kits):
    """Both aspects rendered once: {aspect: (result, manifest, frames, warnings)}."""
    campaign = make_campaign(tmp_path_factory.mktemp("renders"))
    catalog = parade_catalog(campaign, kits)
    order = [kits[slug] for slug in ["lotus-tea", REJECTED, "tern-motors", "kestrel-stride"]]
    rendered = {}
    for aspect in ("16:9", "9:16"):
        with pytest.warns(UserWarning) as caught:
            result = render_film(campaign, order, catalog, aspect, progress=False)
        manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
        rendered[aspect] = (result, manifest, decode(result.path), [str(w.message) for w in caught])
    return campaign, catalog, order, rendered


def top_level_atoms(path: Path) -> list[str]:
    """The MP4's top-level box types in file order."""
    atoms, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8:offset + 16])[0]
        atoms.append(kind.decode("latin-1"))
        offset += size if size else len(data)
    return atoms


def best_match_anywhere(frame: np.ndarray, template: np.ndarray) -> float:
    return float(cv2.matchTemplate(frame, template, cv2.TM_CCOEFF_NORMED).max())


def frame_at(frames: np.ndarray, seconds: float) -> np.ndarray:
    return frames[int(seconds * FPS)]


def brand_segments(manifest: dict) -> list[dict]:
    return [s for s in manifest["segments"] if s["kind"] == "brand"]


# Choosing floats ----------------------------------------------------------------------------------


def test_shows_approved_brands_in_order_and_skips_the_rejected_one(films):
    *_, rendered = films
    for result, manifest, _frames, caught in rendered.values():
        assert result.brands == SHOWN
        assert result.skipped == [REJECTED]
        assert [s["brand"] for s in brand_segments(manifest)] == SHOWN
        assert any(REJECTED in message for message in caught)


def test_picks_most_stars_then_earliest_seed(films):
    *_, rendered = films
    _result, manifest, _frames, _caught = rendered["16:9"]
    chosen = {s["brand"]: s["concept_id"] for s in brand_segments(manifest)}
    assert chosen == {
        "lotus-tea": "lotus-tea-s2", "tern-motors": "tern-motors-s2", "kestrel-stride": "kestrel-stride-s1",
    }


def test_no_approved_concept_raises_and_writes_nothing(tmp_path, kits):
    campaign = make_campaign(tmp_path)
    catalog = Catalog(campaign.catalog_path)
    add_concept(catalog, campaign, kits["lotus-tea"], 1, "rejected")
    add_concept(catalog, campaign, kits["tern-motors"], 1, None, stars=5)  # rated, never approved
    with pytest.warns(UserWarning), pytest.raises(InputError) as raised:
        render_film(campaign, [kits["lotus-tea"], kits["tern-motors"]], catalog, "16:9", progress=False)
    assert raised.value.field == "reviews"
    assert "no approved concept" in raised.value.message
    assert not list(campaign.root.rglob("*.mp4")) and not list(campaign.root.rglob("*.json"))


# The encoded file ---------------------------------------------------------------------------------


@pytest.mark.parametrize("aspect, size", [("16:9", (320, 180)), ("9:16", (180, 320))])
def test_encoding_is_h264_yuv420p_faststart_at_the_asked_size_fps_and_length(films, aspect, size):
    campaign, *_, rendered = films
    result, manifest, frames, _caught = rendered[aspect]
    info = probe(result.path)
    [video] = [s for s in info["streams"] if s["codec_type"] == "video"]
    assert not [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert video["codec_name"] == "h264"
    assert video["pix_fmt"] == "yuv420p"
    assert (video["width"], video["height"]) == size
    assert video["r_frame_rate"] == f"{FPS}/1"
    # 1 s title + 3 shown brands x 1.4 s + 1 s end card = 6.2 s, 62 frames at 10 fps.
    assert manifest["duration"] == pytest.approx(6.2)
    assert float(info["format"]["duration"]) == pytest.approx(6.2, abs=1 / FPS)
    assert len(frames) == 62
    atoms = top_level_atoms(result.path)
    assert atoms.index("moov") < atoms.index("mdat"), atoms
    assert result.path.name == f"test-parade_{aspect.replace(':', 'x')}.mp4"
    assert result.manifest_path == result.path.with_suffix(".json")
    assert manifest["size"] == list(size) and manifest["fps"] == FPS and manifest["aspect"] == aspect
    assert not list(result.path.parent.glob(".*part")), "no temp files left behind"


# Where the logos are ------------------------------------------------------------------------------


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_each_brand_logo_is_at_its_logo_box_during_its_hold(films, kits, aspect):
    *_, rendered = films
    _result, manifest, frames, _caught = rendered[aspect]
    for segment in brand_segments(manifest):
        assert segment["start"] <= segment["hold_start"] < segment["hold_end"] <= segment["end"]
        template = logo_template(kits[segment["brand"]], segment["logo_box"])
        frame = frame_at(frames, (segment["hold_start"] + segment["hold_end"]) / 2)
        assert match_at(frame, template, segment["logo_box"]) >= 0.9, segment["brand"]


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_a_brand_logo_is_not_shown_during_another_brands_hold(films, kits, aspect):
    *_, rendered = films
    _result, manifest, frames, _caught = rendered[aspect]
    segments = brand_segments(manifest)
    for segment in segments:
        frame = frame_at(frames, (segment["hold_start"] + segment["hold_end"]) / 2)
        for other in segments:
            if other is not segment:
                template = logo_template(kits[other["brand"]], other["logo_box"])
                assert match_at(frame, template, other["logo_box"]) < 0.6, (segment["brand"], other["brand"])


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_rejected_brand_logo_appears_in_no_sampled_frame(films, kits, aspect):
    *_, rendered = films
    _result, manifest, frames, _caught = rendered[aspect]
    box = brand_segments(manifest)[0]["logo_box"]
    template = logo_template(kits[REJECTED], box)
    samples = [frame_at(frames, (s["hold_start"] + s["hold_end"]) / 2) for s in brand_segments(manifest)]
    samples += [frames[0], frames[len(frames) // 2]]
    # A tiny template finds ~0.65 by chance in busy scenery; a logo really there scores >= 0.9.
    assert max(best_match_anywhere(frame, template) for frame in samples) < 0.75
    assert max(match_at(frame, template, box) for frame in samples) < 0.6


def test_tall_film_keeps_every_logo_box_inside_the_frame(films):
    *_, rendered = films
    _result, manifest, _frames, _caught = rendered["9:16"]
    width, height = manifest["size"]
    for segment in brand_segments(manifest):
        left, top, right, bottom = segment["logo_box"]
        assert 0 <= left < right <= width and 0 <= top < bottom <= height


def test_tall_film_is_composed_for_the_tall_frame_not_cropped(films):
    *_, rendered = films
    wide, tall = rendered["16:9"][1], rendered["9:16"][1]
    wide_box, tall_box = brand_segments(wide)[0]["logo_box"], brand_segments(tall)[0]["logo_box"]
    # The tall banner sits higher in its frame and its logo is bigger relative to the frame's width.
    assert tall_box[3] / tall["size"][1] < wide_box[3] / wide["size"][1]
    assert (tall_box[2] - tall_box[0]) / tall["size"][0] > (wide_box[2] - wide_box[0]) / wide["size"][0]


# Determinism and audio ----------------------------------------------------------------------------


def test_rendering_again_gives_identical_frames(films):
    campaign, catalog, order, rendered = films
    result, _manifest, frames, _caught = rendered["16:9"]
    with pytest.warns(UserWarning):
        again = render_film(campaign, order, catalog, "16:9", progress=False)
    assert again.path == result.path
    assert np.array_equal(decode(again.path), frames)


def test_audio_track_is_looped_to_the_film_length_and_duration_is_exact(tmp_path, kits):
    tone = tmp_path / "tone.wav"
    write_tone(tone, seconds=1.2)
    campaign = make_campaign(tmp_path, audio=tone, duration=3.0, title_seconds=0.5, end_seconds=0.5)
    catalog = Catalog(campaign.catalog_path)
    add_concept(catalog, campaign, kits["lotus-tea"], 1, "approved")
    result = render_film(campaign, [kits["lotus-tea"]], catalog, "16:9", progress=False)
    streams = {s["codec_type"]: s for s in probe(result.path)["streams"]}
    assert float(streams["video"]["duration"]) == pytest.approx(3.0, abs=1 / FPS)
    assert float(streams["audio"]["duration"]) == pytest.approx(3.0, abs=0.1)
    assert sorted(p.name for p in campaign.films_dir.iterdir()) == ["test-parade_16x9.json", "test-parade_16x9.mp4"]


# The timeline (pure) ------------------------------------------------------------------------------


def test_timeline_with_a_duration_is_exactly_that_long_and_holds_at_each_float():
    shown = [(f"brand-{i}", f"concept-{i}") for i in range(4)]
    film = FilmSettings(duration=12.0, title_seconds=2.0, end_seconds=2.0)
    timeline = plan_timeline(film, shown)
    assert timeline.duration == pytest.approx(12.0)
    kinds = [getattr(segment, "kind", "brand") for segment in timeline.segments()]
    assert kinds == ["title"] + ["brand"] * 4 + ["end"]
    for slot in timeline.slots:
        assert timeline.position(slot.hold_start) == slot.index == timeline.position(slot.hold_end - 1e-9)
    times = np.linspace(timeline.procession_start, timeline.procession_end - 1e-6, 400)
    positions = [timeline.position(t) for t in times]
    assert all(b >= a for a, b in zip(positions, positions[1:])), "the procession never goes backwards"


def test_timeline_shrinks_cards_when_brands_need_the_time():
    film = FilmSettings(duration=4.0, title_seconds=2.5, end_seconds=2.5)
    timeline = plan_timeline(film, [(f"b{i}", f"c{i}") for i in range(6)])  # 6 x 0.5 s minimum
    assert timeline.duration == pytest.approx(4.0)
    assert timeline.title.seconds == pytest.approx(0.5) and timeline.end.seconds == pytest.approx(0.5)


def test_importing_the_package_does_not_load_moviepy():
    code = "import sys, workbench.parade; print('moviepy' in sys.modules, 'cv2' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert output.split() == ["False", "False"]
