"""A film that holds 50 brands, and music: pacing that adapts to the brands and the `duration`, varied shots
(close holds, wide group shots, crowd cutaways between sections), chapter cards for brand groups, and
holds and cuts on the beat of the music.

The timeline is pure arithmetic, tested with made-up brands; the rendered checks use conftest's fake
floats of the sample kits in tiny films; beat sync runs librosa on a synthetic click track.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import FPS, SAMPLE_KITS, add_concept, make_campaign, probe
from workbench.campaign import CampaignError, FilmSettings, load_campaign
from workbench.catalog import Catalog
from workbench.kits import load_kits
from workbench.parade import film_manifest, prepare_film, render_film
from workbench.parade.art import ArtCache
from workbench.parade.layers import CardDissolve, Scene
from workbench.parade.layers.cutaway import Cutaway
from workbench.parade.layers.wipe import Wipe
from workbench.parade.timeline import (
    CLOSE_RUN, GROUP_RUN, MIN_HOLD_SECONDS, SECTION_BRANDS, cut_times, on_the_beat, plan_timeline,
)

CLICK_BPM = 120
CLICK_OFFSET = 0.25  # the first click, in seconds
TEA = "茶饮与甜点 · Tea & Sweets"
GROUPS = [
    {"title": TEA, "brands": ["lotus-tea", "golden-rabbit-bakery", "polar-scoop"]},
    {"title": "On the Move", "brands": ["tern-motors", "kestrel-stride", "grand-northern-balloons", "bumble-blocks",
                                        "maison-veloura", "tallybird"]},
]  # xinghe-electronics is in no group: it follows the last one


def made_up(count: int) -> list[tuple[str, str]]:
    return [(f"brand-{index}", f"concept-{index}") for index in range(count)]


def kinds(timeline) -> list[str]:
    return [segment.kind for segment in timeline.segments()]


def assert_whole(timeline, duration: float | None = None) -> None:
    """Segments end to end from 0 to the film's end; the procession never goes backwards; each brand holds."""
    segments = timeline.segments()
    assert segments[0].start == 0.0
    for before, after in zip(segments, segments[1:]):
        assert after.start == pytest.approx(before.end, abs=1e-9), (before, after)
    if duration is not None:
        assert timeline.duration == pytest.approx(duration, abs=1e-9)
    for slot in timeline.slots:
        assert slot.start <= slot.hold_start < slot.hold_end <= slot.end
        assert timeline.position(slot.hold_start) == slot.index == timeline.position(slot.hold_end - 1e-9)
    times = np.linspace(timeline.procession_start, timeline.procession_end - 1e-6, 2000)
    positions = [timeline.position(t) for t in times]
    assert all(b >= a for a, b in zip(positions, positions[1:])), "the procession never goes backwards"


# Pacing (pure) ------------------------------------------------------------------------------------


def test_single_shots_keep_one_equal_slot_a_brand_and_no_breaks():
    timeline = plan_timeline(FilmSettings(seconds_per_brand=2.0, title_seconds=1.0, end_seconds=1.0), made_up(6))
    assert kinds(timeline) == ["title"] + ["brand"] * 6 + ["end"]
    assert {slot.shot for slot in timeline.slots} == {"close"}
    assert [slot.start for slot in timeline.slots] == [1.0 + 2.0 * index for index in range(6)]
    assert {slot.hold_end - slot.hold_start for slot in timeline.slots} == {1.0}
    assert timeline.procession_spans() == [(1.0, 13.0)]


@pytest.mark.parametrize("shots", ["single", "varied"])
@pytest.mark.parametrize("duration", [150.0, 100.0])
def test_fifty_brands_fill_the_duration_exactly_with_holds_long_enough_to_read(shots, duration):
    timeline = plan_timeline(FilmSettings(duration=duration, shots=shots), made_up(50))
    assert_whole(timeline, duration)
    assert [slot.brand for slot in timeline.slots] == [brand for brand, _concept in made_up(50)]
    holds = [slot.hold_end - slot.hold_start for slot in timeline.slots]
    assert min(holds) >= MIN_HOLD_SECONDS - 1e-9
    if shots == "single":
        assert max(holds) - min(holds) < 1e-9, "every brand the same slot"


def test_varied_pace_adapts_a_shorter_film_holds_shorter_but_no_shorter_than_a_read():
    long, short = (plan_timeline(FilmSettings(duration=seconds, shots="varied"), made_up(50)) for seconds in (200, 90))
    long_holds, short_holds = ([slot.hold_end - slot.hold_start for slot in film.slots] for film in (long, short))
    assert all(b < a for a, b in zip(long_holds, short_holds))
    assert min(short_holds) >= MIN_HOLD_SECONDS - 1e-9
    # A long slot holds longer instead of crawling: the move between two floats keeps a steady pace.
    moves = [following.hold_start - slot.hold_end for slot, following in zip(long.slots, long.slots[1:])
             if following.start == pytest.approx(slot.end)]  # no break between them
    assert max(moves) <= 1.2 + 1e-9


def test_a_duration_too_short_for_the_brands_warns_naming_it_and_still_fits():
    with pytest.warns(UserWarning, match="film.duration"):
        timeline = plan_timeline(FilmSettings(duration=30.0, shots="varied"), made_up(50))
    assert_whole(timeline, 30.0)
    assert timeline.title.seconds == 0 and timeline.breaks == (), "cards and breaks gave the brands their time"


# Varied shots (pure) ------------------------------------------------------------------------------


def test_varied_shots_put_group_shots_every_few_brands_and_cutaways_between_sections():
    timeline = plan_timeline(FilmSettings(shots="varied", seconds_per_brand=3.0), made_up(50))
    assert_whole(timeline)
    sections = 50 // SECTION_BRANDS
    assert [segment.kind for segment in timeline.breaks] == ["cutaway"] * (sections - 1)
    for number, cutaway in enumerate(timeline.breaks, start=1):  # each between two sections' brands
        before = [slot for slot in timeline.slots if slot.hold_end < cutaway.start]
        assert len(before) == number * SECTION_BRANDS
        into, out = timeline.transition_seconds(cutaway)  # the wipe in and the dissolve out reach no hold
        assert 0 < into <= cutaway.start - before[-1].hold_end
        assert 0 < out <= timeline.slots[len(before)].hold_start - cutaway.end
    expected = (["close"] * CLOSE_RUN + ["group"] * GROUP_RUN + ["close"] * (SECTION_BRANDS - CLOSE_RUN - GROUP_RUN))
    assert [slot.shot for slot in timeline.slots] == expected * sections
    close = [slot.hold_end - slot.hold_start for slot in timeline.slots if slot.shot == "close"]
    group = [slot.hold_end - slot.hold_start for slot in timeline.slots if slot.shot == "group"]
    assert max(group) < min(close), "a group shot holds each brand shorter"
    assert len(timeline.slots) == 50 and len({slot.brand for slot in timeline.slots}) == 50, "every brand holds"
    run = timeline.group_around(CLOSE_RUN + 1)
    assert [slot.index for slot in run] == list(range(CLOSE_RUN, CLOSE_RUN + GROUP_RUN))
    assert timeline.group_around(0) == (timeline.slots[0],)
    # The procession is seen between the breaks only.
    spans = timeline.procession_spans()
    assert len(spans) == sections and spans[0][0] == timeline.procession_start
    assert all(end == cutaway.start for (_start, end), cutaway in zip(spans, timeline.breaks))


def test_a_group_shot_cut_to_one_float_by_the_sections_end_is_a_close_hold():
    timeline = plan_timeline(FilmSettings(shots="varied"), made_up(CLOSE_RUN + 1))
    assert {slot.shot for slot in timeline.slots} == {"close"}


# Groups and chapter cards (pure) ------------------------------------------------------------------


@pytest.mark.parametrize("shots", ["single", "varied"])
def test_groups_order_the_brands_each_after_its_chapter_card(shots):
    groups = [{"title": "Sweets", "brands": ["brand-4", "brand-1"]},
              {"title": "甜点", "brands": ["brand-2", "brand-9"]}]  # brand-9 is not shown (no approved concept)
    film = FilmSettings.model_validate({"shots": shots, "groups": groups, "chapter_seconds": 1.5})
    timeline = plan_timeline(film, made_up(5))
    assert_whole(timeline)
    parts = [(segment.kind, segment.text if segment.kind == "chapter" else getattr(segment, "brand", ""))
             for segment in timeline.segments()]
    between = [("cutaway", "")] if shots == "varied" else []
    assert parts == [("title", ""), ("chapter", "Sweets"), ("brand", "brand-4"), ("brand", "brand-1"), *between,
                     ("chapter", "甜点"), ("brand", "brand-2"), *between,
                     ("brand", "brand-0"), ("brand", "brand-3"), ("end", "")]
    assert [slot.index for slot in timeline.slots] == list(range(5))
    assert all(segment.seconds == pytest.approx(1.5) for segment in timeline.breaks if segment.kind == "chapter")


def test_a_duration_with_groups_counts_the_chapter_cards_in():
    film = FilmSettings.model_validate({"duration": 40.0, "shots": "varied", "groups": [
        {"title": "A", "brands": [f"brand-{index}" for index in range(10)]},
        {"title": "B", "brands": [f"brand-{index}" for index in range(10, 20)]}]})
    timeline = plan_timeline(film, made_up(20))
    assert_whole(timeline, 40.0)
    assert kinds(timeline).count("chapter") == 2 and kinds(timeline).count("cutaway") == 1


# On the beat (pure) -------------------------------------------------------------------------------


def test_cuts_move_onto_the_beats_keeping_order_and_length():
    film = FilmSettings.model_validate({"shots": "varied", "seconds_per_brand": 2.3, "groups": [
        {"title": "A", "brands": ["brand-0", "brand-1", "brand-2"]}, {"title": "B", "brands": ["brand-3", "brand-4"]}]})
    planned = plan_timeline(film, made_up(7))
    beats = list(np.arange(0.37, planned.duration, 0.5))
    synced = on_the_beat(planned, beats)
    assert_whole(synced, planned.duration)
    for cut in cut_times(synced):
        assert min(abs(beat - cut) for beat in beats) < 1e-9, cut
    assert [segment.kind for segment in synced.segments()] == [segment.kind for segment in planned.segments()]
    assert [slot.brand for slot in synced.slots] == [slot.brand for slot in planned.slots]


def test_a_cut_with_no_beat_near_it_stays_where_it_was():
    planned = plan_timeline(FilmSettings(seconds_per_brand=3.0), made_up(6))
    beats = [0.5 * index for index in range(1, 16)]  # the first 7.5 s only
    synced = on_the_beat(planned, beats)
    late = [slot for slot in planned.slots if slot.hold_start > 9.0]
    assert late and all(synced.slots[slot.index].hold_start == pytest.approx(slot.hold_start) for slot in late)
    assert synced.slots[0].hold_start in beats


# Bad settings ------------------------------------------------------------------------------------


def write_campaign_file(tmp_path: Path, film: dict, **fields) -> Path:
    path = tmp_path / "campaign.yaml"
    data = {"name": "c", "title": "C", "kits_folder": str(SAMPLE_KITS), "film": film, **fields}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


@pytest.mark.parametrize("film, fields, field, says", [
    ({"beat_sync": True}, {}, "film.beat_sync", "film.audio"),
    ({"groups": [{"title": "茶", "brands": ["lotus-tea", "no-such-brand"]}]}, {}, "film.groups", "no-such-brand"),
    ({"groups": [{"title": "茶", "brands": ["lotus-tea"]}]}, {"brands": ["tern-motors"]}, "film.groups", "lotus-tea"),
    ({"groups": [{"title": "A", "brands": ["lotus-tea"]}, {"title": "B", "brands": ["lotus-tea"]}]}, {},
     "film.groups", "more than one group"),
])
def test_bad_timeline_settings_are_one_line_naming_the_field(tmp_path, film, fields, field, says):
    path = write_campaign_file(tmp_path, film, **fields)
    with pytest.raises(CampaignError) as raised:
        load_campaign(path)
    assert raised.value.field == field and raised.value.file == path
    assert says in raised.value.message and "\n" not in str(raised.value)


def test_a_track_without_a_beat_is_one_line_naming_beat_sync(tmp_path):
    silence = tmp_path / "silence.wav"
    write_clicks(silence, seconds=4.0, bpm=None)
    film = FilmSettings(beat_sync=True, audio=silence)
    with pytest.raises(CampaignError) as raised:
        plan_timeline(film, made_up(2))
    assert raised.value.field == "film.beat_sync" and "\n" not in str(raised.value)


def test_the_timeline_and_beat_tracking_do_not_load_librosa_until_asked():
    code = ("import sys, workbench.parade, workbench.parade.timeline, workbench.parade.music; "
            "print('librosa' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert output.split() == ["False"]


# Rendered ---------------------------------------------------------------------------------------


def write_clicks(path: Path, seconds: float, bpm: float | None = CLICK_BPM, rate: int = 22050) -> np.ndarray:
    """A mono WAV of short clicks (a 2 kHz burst, 15 ms) every beat from CLICK_OFFSET; silence when `bpm` is None.
    Returns the click times."""
    samples = np.zeros(int(seconds * rate))
    clicks = np.arange(CLICK_OFFSET, seconds, 60 / bpm) if bpm else np.array([])
    ticks = np.arange(int(0.015 * rate)) / rate
    burst = np.sin(2 * np.pi * 2000 * ticks) * np.exp(-ticks / 0.004)
    for click in clicks:
        start = int(round(click * rate))
        samples[start:start + len(burst)] += burst[:len(samples) - start]
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((0.6 * samples * 32767).astype("<i2").tobytes())
    return clicks


@pytest.fixture(scope="module")
def kits():
    return load_kits(SAMPLE_KITS).kits


def grouped_film(root: Path, kits, aspect: str = "16:9", **film):
    """Every sample kit with one approved fake float, in GROUPS, varied shots: (film, catalog)."""
    campaign = make_campaign(root, shots="varied", groups=GROUPS, **film)
    catalog = Catalog(campaign.catalog_path)
    for kit in kits.values():
        add_concept(catalog, campaign, kit, 1, "approved")
    return prepare_film(campaign, list(kits.values()), catalog, aspect), catalog


@pytest.fixture(scope="module")
def grouped(tmp_path_factory, kits):
    return grouped_film(tmp_path_factory.mktemp("grouped"), kits, sizes={"16:9": [640, 360], "9:16": [360, 640]})


def every_layer(layers):
    for layer in layers:
        yield layer
        inner = getattr(layer, "layers", None) or ([getattr(layer, "card", None) or getattr(layer, "scene", None)])
        yield from every_layer([part for part in inner if part is not None])


def test_the_manifest_lists_chapters_and_cutaways_and_brands_in_group_order(grouped):
    film, catalog = grouped
    manifest = film_manifest(film, catalog)
    segments = manifest["segments"]
    assert [segment["kind"] for segment in segments] == [
        "title", "chapter", *["brand"] * 3, "cutaway", "chapter", *["brand"] * 6, "cutaway", "brand", "end"]
    assert [segment["title"] for segment in segments if segment["kind"] == "chapter"] == [TEA, "On the Move"]
    assert [segment["brand"] for segment in segments if segment["kind"] == "brand"] == [
        *GROUPS[0]["brands"], *GROUPS[1]["brands"], "xinghe-electronics"]
    assert [segment["shot"] for segment in segments if segment["kind"] == "brand"] == (
        ["close"] * 3 + ["close"] * CLOSE_RUN + ["group"] * 2 + ["close"])
    for before, after in zip(segments, segments[1:]):  # frame ranges end to end
        assert after["frames"][0] == before["frames"][1]
    assert segments[-1]["frames"][1] == manifest["frame_count"]


def test_every_layer_of_a_varied_grouped_film_is_a_frozen_value_without_caches(grouped):
    film, _catalog = grouped
    layers = list(every_layer(film.parade.layers.stack))
    names = {type(layer).__name__ for layer in layers}
    assert {"ChapterCard", "Cutaway", "Wipe", "CardDissolve"} <= names
    for layer in layers:
        assert dataclasses.is_dataclass(layer) and type(layer).__dataclass_params__.frozen, type(layer).__name__
        start, end = layer.span
        assert start < end
        for field in dataclasses.fields(layer):
            assert not isinstance(getattr(layer, field.name), (dict, ArtCache)), f"{type(layer).__name__}.{field.name}"


def test_chapter_cards_show_their_group_titles(grouped):
    from workbench.triage.ocr import RapidOcrReader

    film, _catalog = grouped
    reader = RapidOcrReader()
    chapters = [segment for segment in film.timeline.breaks if segment.kind == "chapter"]
    frames = [film.parade.frame((chapter.start + chapter.end) / 2) for chapter in chapters]
    read = ["".join(line.text for line in reader.read(frame)).replace(" ", "") for frame in frames]
    assert "茶饮与甜点" in read[0] and "Tea&Sweets" in read[0], read[0]
    assert "OntheMove" in read[1], read[1]


def test_the_cutaway_fills_the_frame_with_the_crowd_cheering_and_a_wipe_brings_it_in(grouped):
    film, _catalog = grouped
    parade, timeline = film.parade, film.timeline
    cutaway = next(segment for segment in timeline.breaks if segment.kind == "cutaway")
    middle = (cutaway.start + cutaway.end) / 2
    frame = parade.frame(middle)
    height = frame.shape[0]
    procession = next(layer for layer in parade.layers.stack if isinstance(layer, Scene)
                      and layer.span[1] == cutaway.start)
    assert np.abs(frame.astype(int) - parade.alone(procession, middle, 3).astype(int)).mean() > 20, "not the street"
    cheering = next(layer for layer in every_layer(parade.layers.stack) if isinstance(layer, Cutaway))
    now, soon = (parade.alone(cheering, t, 3)[height // 2:].astype(int) for t in (middle, middle + 0.1))
    assert (np.abs(now - soon).mean(axis=2) > 30).mean() > 0.01, "the crowd jumps (confetti left out)"
    # Halfway through the wipe its left part is still the procession, its right part already the cutaway.
    wipe = next(layer for layer in parade.layers.stack if isinstance(layer, Wipe) and layer.cut == cutaway.start)
    halfway = wipe.span[0] + wipe.seconds / 2
    wiping, width = parade.frame(halfway), frame.shape[1]
    street = parade.alone(procession, halfway, 3)
    incoming = parade.alone(wipe.scene, halfway, 3)
    assert np.array_equal(wiping[:, :width // 5], street[:, :width // 5])
    assert np.array_equal(wiping[:, -width // 5:], incoming[:, -width // 5:])
    # The chapter card after it fades in over the cutaway's end.
    dissolve = next(layer for layer in parade.layers.stack
                    if isinstance(layer, CardDissolve) and layer.card is wipe.scene)
    assert dissolve.span[0] == cutaway.end


@pytest.mark.parametrize("shots", ["single", "varied"])
def test_beat_synced_holds_and_cuts_start_within_a_frame_of_a_click(tmp_path, kits, shots):
    clicks = write_clicks(tmp_path / "clicks.wav", seconds=40.0)
    film = FilmSettings.model_validate({"fps": FPS, "shots": shots, "groups": GROUPS[:1], "seconds_per_brand": 2.1,
                                        "beat_sync": True, "audio": tmp_path / "clicks.wav"})
    shown = [(slug, f"{slug}-s1") for slug in kits]
    planned = plan_timeline(film.model_copy(update={"beat_sync": False}), shown)
    synced = plan_timeline(film, shown)
    assert_whole(synced, planned.duration)
    assert [slot.brand for slot in synced.slots] == [slot.brand for slot in planned.slots]
    starts = [slot.hold_start for slot in synced.slots] + [segment.start for segment in synced.breaks[1:]]
    for start in starts:
        assert np.abs(clicks - start).min() <= 1 / FPS, start
    moved = [abs(a.hold_start - b.hold_start) for a, b in zip(planned.slots, synced.slots)]
    assert max(moved) > 0.05, "the plan was off the beat, and moved onto it"


def test_a_beat_synced_film_renders_with_its_music_and_holds_on_the_clicks(tmp_path, kits):
    clicks = write_clicks(tmp_path / "clicks.wav", seconds=12.0)
    campaign = make_campaign(tmp_path, audio=tmp_path / "clicks.wav", beat_sync=True, seconds_per_brand=1.7)
    catalog = Catalog(campaign.catalog_path)
    order = [kits[slug] for slug in ("lotus-tea", "tern-motors", "kestrel-stride")]
    for kit in order:
        add_concept(catalog, campaign, kit, 1, "approved")
    result = render_film(campaign, order, catalog, "16:9", progress=False)
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    streams = {stream["codec_type"]: stream for stream in probe(result.path)["streams"]}
    assert float(streams["audio"]["duration"]) == pytest.approx(manifest["duration"], abs=0.1)
    for segment in (segment for segment in manifest["segments"] if segment["kind"] == "brand"):
        assert np.abs(clicks - segment["hold_frames"][0] / FPS).min() <= 1 / FPS
