"""The finishing hand-off travels: moved away from where it was written (as if zipped and opened on
another machine), its OpenTimelineIO timeline still finds every file it names, inside the folder; with
ProRes passes, `otioconvert` makes FCP 7 XML whose every clip names an existing file of the folder.

Three brands (conftest's fake floats): the film at 320x180 and 10 fps; the passes at 160x90 and 24 fps
(a rate FCP timecode runs at), or at 5 fps where the test is about other rates.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import SHOWN, probe
from test_parade_identical import three_brands
from workbench.parade import prepare_film, render_film
from workbench.parade.export import IMAGE_SEQUENCE, PRORES_422_HQ, PRORES_4444, export_for_finishing, timecode

FPS = 24
STEM = "test-parade_16x9"
OTIOCONVERT = Path(sys.executable).parent / "otioconvert"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The 16:9 film rendered, then its finishing export with ProRes passes, as written."""
    campaign, kits, catalog = three_brands(tmp_path_factory.mktemp("handoff"))
    render_film(campaign, kits, catalog, "16:9", progress=False)
    return campaign, export_for_finishing(campaign, kits, catalog, "16:9", fps=FPS, size=(160, 90), prores=True)


@pytest.fixture(scope="module")
def moved(written, tmp_path_factory) -> Path:
    """The finishing folder moved elsewhere; nothing is left where it was written."""
    _campaign, export = written
    elsewhere = tmp_path_factory.mktemp("studio") / "from the agency"  # a space: urls must still resolve
    shutil.move(export.folder, elsewhere)
    assert not export.folder.exists()
    return elsewhere


def timeline_at(folder: Path):
    import opentimelineio as otio

    return otio.adapters.read_from_file(str(folder / f"{STEM}.otio"))


def files_named(reference) -> list[str]:
    """The urls a media reference names: each image of a sequence, or its one file."""
    if hasattr(reference, "target_url_for_image_number"):
        return [reference.target_url_for_image_number(i) for i in range(reference.number_of_images_in_sequence())]
    return [reference.target_url]


def inside(folder: Path, url: str) -> Path:
    """The file a relative url names, resolved against `folder`; it must exist and lie inside it."""
    import opentimelineio as otio

    assert not url.startswith(("/", "file:")) and "\\" not in url, f"not relative: {url}"
    path = (folder / otio.url_utils.filepath_from_url(url)).resolve()
    assert path.is_relative_to(folder.resolve()), f"{url} leaves the folder"
    assert path.is_file(), f"{url}: no such file in {folder}"
    return path


def test_every_media_reference_is_relative_and_found_after_the_folder_moves(moved, written):
    _campaign, export = written
    found = set()
    timeline = timeline_at(moved)
    for clip in timeline.find_clips():
        for reference in clip.media_references().values():
            found.update(inside(moved, url).relative_to(moved.resolve()).as_posix() for url in files_named(reference))
    frames = {f"floats/{p.brand}/{p.brand}.{n:04d}.png" for p in export.passes for n in range(p.first, p.stop)}
    movies = {f"floats/{brand}.mov" for brand in SHOWN}
    banners = {f"banners/{brand}.png" for brand in SHOWN}
    assert found == {f"{STEM}.mp4", "labels/label.png", "plate.png"} | frames | movies | banners


def test_a_float_clip_offers_its_prores_pass_and_its_png_sequence_for_the_same_frames(moved):
    timeline = timeline_at(moved)  # kept: its tracks go with it
    floats = [clip for track in timeline.tracks if track.name.startswith("Floats") for clip in track.find_clips()]
    assert sorted(clip.name for clip in floats) == sorted(SHOWN)
    for clip in floats:
        references = clip.media_references()
        assert clip.active_media_reference_key == PRORES_4444 and set(references) == {PRORES_4444, IMAGE_SEQUENCE}
        movie, sequence = references[PRORES_4444], references[IMAGE_SEQUENCE]
        assert movie.available_range == sequence.available_range == clip.source_range
        assert sequence.target_url_for_image_number(0).endswith(
            f"{clip.name}.{round(clip.source_range.start_time.value):04d}.png")


def test_the_reference_film_is_a_copy_of_the_rendered_film(moved, written):
    campaign, _export = written
    copy, rendered = moved / f"{STEM}.mp4", campaign.films_dir / f"{STEM}.mp4"
    assert hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(rendered.read_bytes()).digest()
    timeline = timeline_at(moved)
    reference = timeline.tracks[0].find_clips()[0].media_reference
    assert reference.target_url == f"{STEM}.mp4"


def fcp_clips(xml_path: Path) -> list[tuple[str, str]]:
    """(clip name, pathurl) of each clipitem, following the `file id` back-references FCP XML uses."""
    root = ElementTree.parse(xml_path).getroot()
    urls_by_id = {file.get("id"): file.findtext("pathurl") for file in root.iter("file") if file.find("pathurl") is not None}
    clips = []
    for item in root.iter("clipitem"):
        file = item.find("file")
        assert file is not None, f"clipitem {item.findtext('name')} has no file"
        clips.append((item.findtext("name"), file.findtext("pathurl") or urls_by_id.get(file.get("id"))))
    return clips


@pytest.fixture(scope="module")
def converted(moved, tmp_path_factory) -> Path:
    """`otioconvert` run on the moved timeline, from another working folder, as a studio would."""
    xml_path = moved / "converted.xml"
    subprocess.run([str(OTIOCONVERT), "-i", str(moved / f"{STEM}.otio"), "-o", str(xml_path)],
                   check=True, capture_output=True, cwd=tmp_path_factory.mktemp("cwd"))
    return xml_path


def test_otioconvert_makes_fcp7_xml_whose_every_clip_names_a_file_in_the_folder(converted, moved, written):
    campaign, _export = written
    clips = fcp_clips(converted)
    names = {name for name, _url in clips}
    assert names == {f"{STEM}.mp4", "plate", *SHOWN, *(f"{brand} lower third" for brand in SHOWN), campaign.label_text,
                     "title card", "end card"}
    for name, url in clips:
        assert url is not None, f"{name}: no pathurl"
        path = inside(converted.parent, url)
        if name in SHOWN:
            assert path.name == f"{name}.mov"


def test_the_export_writes_that_same_xml_beside_the_timeline(converted, moved, written):
    _campaign, export = written
    assert export.editor_xml is not None and export.editor_xml.name == f"{STEM}.xml"
    assert (moved / export.editor_xml.name).read_text(encoding="utf-8") == converted.read_text(encoding="utf-8")


def test_each_prores_pass_starts_at_the_timecode_the_xml_gives_it_and_holds_its_png_frames(converted, moved, written):
    _campaign, export = written
    root = ElementTree.parse(converted).getroot()
    xml_timecodes = {file.findtext("pathurl"): file.findtext("timecode/string") for file in root.iter("file")}
    for float_pass in export.passes:
        movie = moved / "floats" / f"{float_pass.brand}.mov"
        [video] = [s for s in probe(movie)["streams"] if s["codec_type"] == "video"]
        assert (video["codec_name"], video["profile"], video["width"], video["height"]) == ("prores", "4444", 160, 90)
        assert video["pix_fmt"].startswith("yuva") and int(video["nb_frames"]) == float_pass.stop - float_pass.first
        assert video["tags"]["timecode"] == xml_timecodes[f"floats/{float_pass.brand}.mov"] \
            == timecode(float_pass.first, FPS)
        middle = (float_pass.first + float_pass.stop) // 2
        decoded = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(movie), "-vf", f"select=eq(n\\,{middle - float_pass.first})",
             "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgba", "-"], check=True, capture_output=True,
        ).stdout
        alpha = np.frombuffer(decoded, np.uint8).reshape(90, 160, 4)[..., 3].astype(int)
        with Image.open(moved / "floats" / float_pass.brand / f"{float_pass.brand}.{middle:04d}.png") as still:
            png_alpha = np.asarray(still)[..., 3].astype(int)
        assert (png_alpha > 0).mean() > 0.05, "the float is in this frame"
        assert np.abs(alpha - png_alpha).max() <= 2, float_pass.brand


def test_timecode_counts_whole_frames_of_each_second():
    assert [timecode(0, 24), timecode(23, 24), timecode(24, 24), timecode(25 * 3600 + 26, 25)] == [
        "00:00:00:00", "00:00:00:23", "00:00:01:00", "01:00:01:01"]


# Where the film is not rendered, or the rate is not an editor's ---------------------------------


@pytest.fixture(scope="module")
def unrendered(tmp_path_factory):
    """A ProRes export at 5 fps of a film never rendered, and the warnings it gave."""
    campaign, kits, catalog = three_brands(tmp_path_factory.mktemp("unrendered"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        export = export_for_finishing(campaign, kits, catalog, "16:9", fps=5, size=(128, 72), prores=True)
    return export, [str(warning.message) for warning in caught]


def test_without_a_rendered_film_the_reference_clip_is_offline_and_the_export_says_so(unrendered):
    import opentimelineio as otio

    export, messages = unrendered
    assert any(f"{STEM}.mp4: not rendered yet" in message for message in messages), messages
    timeline = timeline_at(export.folder)
    reference = timeline.tracks[0].find_clips()[0]
    assert isinstance(reference.media_reference, otio.schema.MissingReference)
    assert reference.media_reference.name == f"{STEM}.mp4" and not (export.folder / f"{STEM}.mp4").exists()


def test_at_a_rate_fcp_timecode_lacks_there_is_no_xml_but_the_prores_passes_are_made(unrendered):
    export, messages = unrendered
    assert export.editor_xml is None and not (export.folder / f"{STEM}.xml").exists()
    assert any("fps 5: FCP 7 XML timecode runs at 24, 25, 30" in message for message in messages), messages
    assert sorted(path.name for path in (export.folder / "floats").glob("*.mov")) == sorted(f"{b}.mov" for b in SHOWN)


def test_under_a_moving_camera_the_plate_is_a_pass_of_every_procession_frame(tmp_path):
    """A push-in frames the street closer during each hold: one still plate would be wrong, so the plate is a
    sequence (and a ProRes 422 HQ clip) of the backdrop exactly as the film frames it, on the Plate track."""
    import opentimelineio as otio

    campaign, kits, catalog = three_brands(tmp_path, camera={"push_in": 0.2})
    with pytest.warns(UserWarning, match="not rendered yet"):  # the film itself is not what this is about
        export = export_for_finishing(campaign, kits, catalog, "16:9", fps=FPS, size=(160, 90), prores=True)
    film = prepare_film(campaign.with_changes(film={"fps": FPS, "sizes": {"16:9": (160, 90)}}), kits, catalog, "16:9")
    timeline = otio.adapters.read_from_file(str(export.timeline_path))
    [plate_track] = [track for track in timeline.tracks if track.name == "Plate"]
    [clip] = plate_track.find_clips()
    assert clip.active_media_reference_key == PRORES_422_HQ
    sequence = clip.media_references()[IMAGE_SEQUENCE]
    first, count = sequence.start_frame, sequence.number_of_images_in_sequence()
    assert round(clip.source_range.start_time.value) == first and count == round(clip.source_range.duration.value)
    written = sorted((export.folder / "plate").glob("plate.*.png"))
    assert len(written) == count
    movie = next(s for s in probe(export.folder / "plate.mov")["streams"] if s["codec_type"] == "video")
    assert movie["codec_name"] == "prores" and movie["profile"] == "HQ" and int(movie["nb_frames"]) == count

    slot = film.timeline.slots[1]
    start, end = round(slot.hold_start * FPS) + 1, round(slot.hold_end * FPS) - 1
    pictures = {n: np.asarray(Image.open(export.folder / "plate" / f"plate.{n:04d}.png").convert("RGB"))
                for n in (start, end)}
    assert not np.array_equal(pictures[start], pictures[end]), "the camera pushes in over the hold"
    for n, picture in pictures.items():  # the backdrop as the film frames it
        assert np.array_equal(picture, film.parade.alone(film.parade.layers.street, n / FPS, channels=3))


def test_cards_and_breaks_are_the_films_own_frames_over_the_layers(tmp_path):
    """Chapter cards interrupt the procession, which moves on behind them: over the floats' passes, a track of
    the reference film's own frames covers each card and break exactly where the film plays it."""
    import opentimelineio as otio

    campaign, kits, catalog = three_brands(tmp_path, groups=[{"title": "茶饮 · Tea", "brands": SHOWN[:2]},
                                                             {"title": "Motors", "brands": SHOWN[2:]}])
    render_film(campaign, kits, catalog, "16:9", progress=False)
    export = export_for_finishing(campaign, kits, catalog, "16:9", fps=FPS, size=(160, 90))
    timeline = otio.adapters.read_from_file(str(export.timeline_path))
    names = [track.name for track in timeline.tracks]
    assert names.index("Cards and breaks") > max(i for i, name in enumerate(names) if name.startswith("Floats"))
    [cards] = [track for track in timeline.tracks if track.name == "Cards and breaks"]
    film = prepare_film(campaign.with_changes(film={"fps": FPS}), kits, catalog, "16:9").timeline
    expected = [("title card", film.title), *((f"chapter: {b.text}", b) for b in film.breaks), ("end card", film.end)]
    clips = list(cards.find_clips())
    assert [clip.name for clip in clips] == [name for name, _segment in expected]
    assert [clip.name for clip in clips][1:3] == ["chapter: 茶饮 · Tea", "chapter: Motors"]
    for clip, (_name, segment) in zip(clips, expected):
        placed = cards.range_of_child(clip)
        assert round(placed.start_time.value) == round(segment.start * FPS)
        assert clip.source_range.start_time == placed.start_time, "the film's own frames, where they play"
        assert clip.media_reference.target_url == f"{STEM}.mp4"
    assert round(cards.duration().value) == round(timeline.duration().value)
