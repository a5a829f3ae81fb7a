"""AI-content labels on films (GB 45438-2025): the visible label found by OCR at the manifest's box in the
first 2 s and on the end card, at least 5% of the shorter side, on bright and dark backdrops; the implicit
label read back with ffprobe and exiftool; labels kept by a resumed render; a signed film lists its concepts."""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings

import numpy as np
import pytest

from conftest import SAMPLE_KITS, make_campaign, parade_catalog
from workbench.colours import contrast
from workbench.kits import load_kits
from workbench.parade import prepare_film, render_film
from workbench.parade.art import ArtCache
from workbench.parade.compositor import Parade
from workbench.provenance.aigc import read_label, read_visible_label
from workbench.provenance.visible import MIN_CONTRAST

ORDER = ["lotus-tea", "tern-motors"]
EXIFTOOL = shutil.which("exiftool")


@pytest.fixture(scope="module")
def kits():
    return load_kits(SAMPLE_KITS).kits


def labelled_campaign(root, kits, **labels):
    """A two-brand film big enough for OCR to read a 5% label (640x360 and 360x640, 10 fps)."""
    campaign = make_campaign(root, sizes={"16:9": [640, 360], "9:16": [360, 640]}, seconds_per_brand=1.2)
    campaign = campaign.with_changes(labels={"producer": {"code": "0011FILMSTUDIO", "name": "Film Studio"}, **labels})
    return campaign, parade_catalog(campaign, kits), [kits[slug] for slug in ORDER]


def read_text(frame: np.ndarray, box: list[int]) -> list[tuple[str, int]]:
    """OCR (the triage reader) of the frame around `box`: (text, box height) of each line read."""
    from workbench.triage.ocr import RapidOcrReader

    left, top, right, bottom = box
    margin = (bottom - top) // 2
    crop = frame[max(0, top - margin):bottom + margin, max(0, left - margin):right + margin]
    return [(line.text.replace(" ", ""), line.box[3] - line.box[1]) for line in RapidOcrReader().read(crop)]


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_the_visible_label_reads_in_the_first_two_seconds_and_on_the_end_card(tmp_path, kits, aspect):
    campaign, catalog, order = labelled_campaign(tmp_path, kits, film={"opening_seconds": 2.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kestrel-stride and polar-scoop are not in ORDER
        film = prepare_film(campaign, order, catalog, aspect)
    from workbench.parade import film_manifest

    label = film_manifest(film, catalog)["label"]
    assert label["text"] == "AI生成"  # the campaign's end card is Chinese
    short_side = min(film.size)
    end_card = film.timeline.duration - 0.2
    for t in (0.0, 0.5, 1.0, 1.5, 1.99, end_card):
        frame = film.parade.frame(t)
        lines = read_text(frame, label["box"])
        heights = [height for text, height in lines if "AI生成" in text]
        assert heights, f"{aspect} at {t}s: no label read at {label['box']} (read {lines})"
        assert max(heights) >= 0.05 * short_side, (aspect, t, heights, short_side)
    middle = film.timeline.slots[-1].hold_mid  # after the opening seconds: no label until the end card
    assert middle > campaign.labels.film.opening_seconds + 0.4
    left, top, right, bottom = label["box"]
    with_label = film.parade.frame(1.0)[top:bottom, left:right]
    without = film.parade.frame(middle)[top:bottom, left:right]
    assert not np.array_equal(with_label, without)


@pytest.mark.parametrize("backdrop", [0, 255])
def test_the_label_keeps_its_contrast_on_a_black_and_a_white_backdrop(tmp_path, kits, backdrop):
    campaign, catalog, order = labelled_campaign(tmp_path, kits, film={"corner": "bottom-left"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        film = prepare_film(campaign, order, catalog, "16:9")
    [opening, _ending] = film.parade.layers.labels
    frame = np.full((360, 640, 3), backdrop, np.uint8)
    opening.draw(frame, 1.0, ArtCache())
    left, top, right, bottom = opening.box
    assert left < 640 // 2 and bottom > 360 // 2  # the corner the campaign chose
    region = frame[top:bottom, left:right].reshape(-1, 3).astype(int)
    brightness = region.sum(axis=1)
    type_colour = tuple(region[brightness >= np.percentile(brightness, 99)].mean(axis=0).round().astype(int))
    pill_colour = tuple(np.median(region, axis=0).astype(int))  # most of the box is the pill
    assert contrast(type_colour, pill_colour) >= MIN_CONTRAST, (type_colour, pill_colour)
    assert [text for text, _height in read_text(frame, list(opening.box)) if "AI生成" in text]


def test_whole_film_option_keeps_the_label_up(tmp_path, kits):
    campaign, catalog, order = labelled_campaign(tmp_path, kits, film={"shown": "whole"}, text="AI-generated")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        film = prepare_film(campaign, order, catalog, "16:9")
    [label] = film.parade.layers.labels
    assert label.span == (0.0, film.timeline.duration)
    frame = film.parade.frame(film.timeline.slots[-1].hold_mid)
    assert [text for text, _h in read_text(frame, list(label.box)) if "AI-generated" in text.replace("Al", "AI")]


def test_labels_off_draws_no_label_and_the_manifest_says_so(tmp_path, kits):
    campaign, catalog, order = labelled_campaign(tmp_path, kits, visible=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        film = prepare_film(campaign, order, catalog, "16:9")
    from workbench.parade import film_manifest

    assert film.parade.layers.labels == () and film_manifest(film, catalog)["label"] is None


class Stop(Exception):
    """Stands in for a crash part-way through a render."""


def test_a_resumed_film_carries_both_labels_read_back_by_ffprobe_and_exiftool(tmp_path, kits, monkeypatch):
    campaign, catalog, order = labelled_campaign(tmp_path, kits)
    original = Parade.frame

    def crash_late(self, t):
        if t >= 2.5:
            raise Stop
        return original(self, t)

    monkeypatch.setattr(Parade, "frame", crash_late)
    with warnings.catch_warnings(), pytest.raises(Stop):
        warnings.simplefilter("ignore")
        render_film(campaign, order, catalog, "16:9", progress=False, segment_seconds=1.0)
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = render_film(campaign, order, catalog, "16:9", progress=False, segment_seconds=1.0)

    tags = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json",
                                      str(result.path)], capture_output=True, text=True, check=True).stdout)
    from_container = json.loads(tags["format"]["tags"]["AIGC"])
    assert from_container["ProduceID"] == "test-parade_16x9" == result.path.stem
    assert from_container["ContentProducer"] == "0011FILMSTUDIO" and from_container["Label"] == "1"
    assert read_label(result.path).as_dict() == from_container
    assert read_visible_label(result.path)["text"] == "AI生成"
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert manifest["campaign"] == campaign.name and manifest["label"]["frames"][0][0] == 0
    if EXIFTOOL:  # installed by scripts/setup.sh; the independent reader of the XMP
        exif = json.loads(subprocess.run([EXIFTOOL, "-json", "-G1", "-a", str(result.path)], capture_output=True,
                                         text=True, check=True).stdout)[0]
        assert json.loads(exif["XMP-TC260:Aigc"]) == from_container
        assert exif["XMP-iptcExt:DigitalSourceType"].endswith("/compositeWithTrainedAlgorithmicMedia")


def test_a_signed_film_lists_its_concepts_as_ingredients(tmp_path, kits, monkeypatch):
    from test_provenance_c2pa import make_chain
    from workbench.provenance.c2pa import read_manifest

    chain = make_chain(tmp_path / "keys")
    monkeypatch.setenv("PARADE_WORKBENCH_C2PA_KEY", str(chain.key))
    monkeypatch.setenv("PARADE_WORKBENCH_C2PA_CERTIFICATES", str(chain.certificates))
    campaign, catalog, order = labelled_campaign(tmp_path, kits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = render_film(campaign, order, catalog, "16:9", progress=False)
    report = read_manifest(result.path, chain.root)
    assert report.validation_state == "Trusted", report.errors
    assert report.digital_source_type.endswith("compositeWithTrainedAlgorithmicMedia")
    assert sorted(report.ingredients) == sorted(["lotus-tea-s2.png", "tern-motors-s2.png"])
    assert sorted(report.provenance["concepts"]) == ["lotus-tea-s2", "tern-motors-s2"]
    assert read_label(result.path).produce_id == result.path.stem  # the implicit label is kept under the signature


def test_in_a_platform_safe_area_the_label_moves_clear_of_the_buttons(tmp_path, kits):
    from workbench.parade.safe_area import SafeArea

    campaign, catalog, order = labelled_campaign(tmp_path, kits)
    campaign = campaign.with_changes(film={"safe_zones": {"9:16": {"top": 0.12, "right": 0.2, "bottom": 0.2}}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        film = prepare_film(campaign, order, catalog, "9:16")
    safe = SafeArea.within(campaign.film.safe_zones["9:16"], *film.size)
    for label in film.parade.layers.labels:
        assert safe.holds(label.box), (label.box, safe)
    lines = read_text(film.parade.frame(0.5), list(film.parade.layers.labels[0].box))
    assert [text for text, _height in lines if "AI生成" in text]


def test_the_finishing_export_and_social_clips_keep_both_labels(tmp_path, kits):
    from workbench.parade.export import export_for_finishing, render_social_clips

    campaign, catalog, order = labelled_campaign(tmp_path, kits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        export = export_for_finishing(campaign, order, catalog, "16:9", fps=5, size=(320, 180))
        clips = render_social_clips(campaign, order, catalog, "9:16", seconds=5)
    chosen = {slot.brand: slot.concept_id for slot in prepare_film(campaign, order, catalog, "16:9").timeline.slots}
    for float_pass in export.passes:  # a float's pass names its concept: the label leads to its catalog row
        still = export.folder / "floats" / float_pass.brand / f"{float_pass.brand}.{float_pass.first:04d}.png"
        assert read_label(still).produce_id == chosen[float_pass.brand]
        assert catalog.concept(read_label(still).produce_id) is not None
    for still in [export.folder / "plate.png", *sorted((export.folder / "banners").glob("*.png"))]:
        assert read_label(still).produce_id == "test-parade_16x9"
    label_pass = export.folder / "labels" / "label.png"
    assert read_visible_label(label_pass)["text"] == "AI生成"
    from PIL import Image

    with Image.open(label_pass) as image:
        assert image.getchannel("A").getbbox() is not None  # the label drawn alone, over transparency

    assert len(clips) == 2
    for clip in clips:
        label = read_label(clip)
        assert label.produce_id == clip.stem and label.content_producer == "0011FILMSTUDIO"
        assert read_visible_label(clip)["shown"] == "whole"
        frames = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags=AIGC", "-of", "json",
                                 str(clip)], capture_output=True, text=True, check=True).stdout
        assert json.loads(json.loads(frames)["format"]["tags"]["AIGC"])["ProduceID"] == clip.stem
    from conftest import decode

    frames = decode(clips[0])
    middle = frames[len(frames) // 2]  # a frame from the middle of the film: the label is up there too
    found = [text for text, _height in read_text(middle, [180, 0, 360, 120]) if "AI生成" in text]
    assert found, "the social clip shows its label away from the film's opening and end"
