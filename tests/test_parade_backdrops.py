"""Backdrops: a still image plate, a looping video plate and a generated plate behind the procession, the
floats harmonised to them with their marks exact, and bad plate files as one line naming film.backdrop.path.
The default (the drawn street, harmonise 0) is byte-identical: test_parade_identical.py.

Tiny films (320x180, 10 fps) of conftest's three fake floats, particles off so nothing covers the sky.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLE_KITS, SHOWN, decode, probe, write_campaign, write_tone
from test_parade_identical import three_brands
from workbench.backends import get_backend
from workbench.campaign import CampaignError, load_campaign
from workbench.catalog import BACKDROP_BRAND, Catalog
from workbench.generate import record_concept
from workbench.kits import load_kits
from workbench.marks import FloatLayout
from workbench.parade import prepare_film, render_film
from workbench.parade.harmonise import MARKS_INFO, Harmonise, marked_cutout
from workbench.prompts import PromptTemplate, build_prompt

WIDTH, HEIGHT = 320, 180
LOOP_SECONDS = 2.0  # the test video: 20 frames at the film's 10 fps
SKY = (slice(4, 40), slice(4, 120))  # top left: no float, banner, crowd or label reaches it


@pytest.fixture(scope="module")
def plates(tmp_path_factory):
    """A still plate at the stage's size (a diagonal gradient), and a 2 s test-pattern video."""
    folder = tmp_path_factory.mktemp("plates")
    rows, columns = np.mgrid[0:HEIGHT, 0:WIDTH]
    gradient = np.dstack([columns * 255 // WIDTH, rows * 255 // HEIGHT, np.full_like(rows, 90)]).astype(np.uint8)
    Image.fromarray(gradient).save(folder / "street.png")
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc=size=160x90:rate=10:duration={LOOP_SECONDS}",
                    "-pix_fmt", "yuv420p", str(folder / "street.mp4")], check=True)
    return folder


def film_on(tmp_path, aspect: str = "16:9", **backdrop):
    campaign, kits, catalog = three_brands(tmp_path, particles=False)
    campaign = campaign.with_changes(film={"backdrop": backdrop})
    return prepare_film(campaign, kits, catalog, aspect), catalog


def test_a_still_plate_shows_where_no_float_is(tmp_path, plates):
    film, _catalog = film_on(tmp_path, kind="image", path=plates / "street.png")
    frame = film.parade.frame(film.timeline.slots[0].hold_mid)
    plate = np.asarray(Image.open(plates / "street.png"))
    assert np.array_equal(frame[SKY], plate[SKY])


def test_a_still_plate_is_cut_to_cover_the_tall_stage(tmp_path, plates):
    film, _catalog = film_on(tmp_path, "9:16", kind="image", path=plates / "street.png")
    frame = film.parade.frame(film.timeline.slots[0].hold_mid)
    # 320x180 covering 180x320 is scaled to 569x320 and its middle kept: the red ramp runs across the frame.
    sky = frame[4:40, 4:176].astype(int)
    assert sky[:, -1, 0].mean() - sky[:, 0, 0].mean() > 40


def test_a_video_plate_loops_and_any_frame_can_be_drawn_first(tmp_path, plates):
    film, _catalog = film_on(tmp_path, kind="video", path=plates / "street.mp4")
    plate, art = film.parade.layers.street, film.parade.art
    t = film.timeline.slots[0].hold_mid
    assert plate.seconds(art) == pytest.approx(LOOP_SECONDS)
    alone = [film.parade.alone(plate, at, channels=3) for at in (t, t + 0.5, t + LOOP_SECONDS)]
    assert not np.array_equal(alone[0], alone[1])  # the video moves
    assert np.array_equal(alone[0], alone[2])  # and loops
    # A segment or a resumed render starts mid-film with a fresh parade: the same pictures.
    late = film.timeline.procession_end - 0.35
    fresh, _catalog = film_on(tmp_path / "fresh", kind="video", path=plates / "street.mp4")
    assert np.array_equal(fresh.parade.frame(late), film.parade.frame(late))


def test_a_video_plate_renders_in_segments(tmp_path, plates):
    campaign, kits, catalog = three_brands(tmp_path, particles=False)
    campaign = campaign.with_changes(film={"backdrop": {"kind": "video", "path": plates / "street.mp4"}})
    result = render_film(campaign, kits, catalog, "16:9", progress=False, segment_seconds=1.0)
    video = next(stream for stream in probe(result.path)["streams"] if stream["codec_type"] == "video")
    assert (video["width"], video["height"]) == (WIDTH, HEIGHT)
    frames = decode(result.path)
    film = prepare_film(campaign, kits, catalog, "16:9")
    index = round(film.timeline.slots[1].hold_mid * campaign.film.fps)
    expected = film.parade.frame(index / campaign.film.fps)
    assert np.abs(frames[index][SKY].astype(int) - expected[SKY]).mean() < 6  # the plate, through H.264


def test_depth_of_field_softens_a_video_plate_while_a_float_holds(tmp_path, plates):
    """The focus pulls onto the holding float: mid-hold the plate's fine detail is gone, between holds it is sharp."""
    def plate_at(film, t) -> np.ndarray:
        return film.parade.alone(film.parade.layers.street, t, channels=3)[SKY].astype(float)

    def detail(picture: np.ndarray) -> float:  # the mean step between neighbouring pixels
        return float(np.abs(np.diff(picture, axis=1)).mean())

    sharp, _catalog = film_on(tmp_path / "sharp", kind="video", path=plates / "street.mp4")
    campaign, kits, catalog = three_brands(tmp_path / "soft", particles=False, camera={"depth_of_field": True})
    soft = prepare_film(campaign.with_changes(film={"backdrop": {"kind": "video", "path": plates / "street.mp4"}}),
                        kits, catalog, "16:9")
    slot = soft.timeline.slots[1]
    assert detail(plate_at(soft, slot.hold_mid)) < 0.85 * detail(plate_at(sharp, slot.hold_mid))  # 0.6 px at 180 high
    between = (soft.timeline.slots[0].hold_end + slot.hold_start) / 2
    assert np.array_equal(plate_at(soft, between), plate_at(sharp, between))


def test_a_generated_plate_is_recorded_once_and_reused(tmp_path):
    film, catalog = film_on(tmp_path, kind="generated")
    [plate] = catalog.concepts(BACKDROP_BRAND)
    assert plate.settings["role"] == "backdrop" and plate.settings["aspect"] == "16:9"
    assert plate.backend == "previz" and plate.model == "drawn-street"  # previz has no street model: drawn
    drawn = np.asarray(Image.open(catalog.image_path(plate)).convert("RGB"))
    assert drawn.shape == (HEIGHT, WIDTH, 3)
    frame = film.parade.frame(film.timeline.slots[0].hold_mid)
    assert np.array_equal(frame[SKY], drawn[SKY])
    again = prepare_film(film.campaign.with_changes(film={"backdrop": {"kind": "generated"}}),
                         [kit for kit, _record in film.chosen], catalog, "16:9")
    assert catalog.concepts(BACKDROP_BRAND) == [plate]  # no second row
    assert BACKDROP_BRAND not in {record.brand for record in catalog.concepts()}  # no brand listing shows it
    assert again.campaign.film.backdrop.path == film.campaign.film.backdrop.path
    assert len(catalog.approved()) == len(SHOWN)  # the plate is no brand's float


@pytest.fixture
def previz_float(tmp_path):
    """A previz float of lotus-tea (it has a layout: where its logo and banner sit), recorded and approved."""
    kit = load_kits(SAMPLE_KITS).kits["lotus-tea"]
    campaign = load_campaign(write_campaign(tmp_path / "campaign.yaml", SAMPLE_KITS, tmp_path / "renders"))
    prompt = build_prompt(kit, PromptTemplate())
    [concept] = get_backend("previz").generate(kit, prompt, 3, {"width": 256, "height": 256})
    catalog = Catalog(campaign.catalog_path)
    record = record_concept(catalog, campaign, kit, "previz", prompt, 3, "lotus-tea-s3", concept)
    return catalog.image_path(record), FloatLayout.from_settings(record.settings)


def test_harmonise_moves_the_float_toward_the_plate_and_keeps_its_marks_exact(previz_float):
    path, layout = previz_float
    image = marked_cutout(path, layout)
    plate = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    plate[:] = (30, 60, 140)  # a blue dusk
    matched = Harmonise(plate, strength=1.0).apply(image)
    before, after = np.asarray(image), np.asarray(matched)
    logo_left, logo_top, logo_right, logo_bottom = image.info[MARKS_INFO][0]
    assert np.array_equal(after[logo_top:logo_bottom, logo_left:logo_right],
                          before[logo_top:logo_bottom, logo_left:logo_right])
    # The logo's place in the cut-out is the layout's, moved by the trim: the original's logo pixels are there.
    with Image.open(path) as original:
        logo = np.asarray(original.convert("RGBA").crop(layout.logo_box))
    assert np.array_equal(after[logo_top:logo_bottom, logo_left:logo_right], logo)
    opaque = before[..., 3] >= 128
    distance_before = np.linalg.norm(before[..., :3][opaque].mean(axis=0) - plate[0, 0])
    distance_after = np.linalg.norm(after[..., :3][opaque].mean(axis=0) - plate[0, 0])
    assert distance_after < 0.6 * distance_before
    assert np.array_equal(after[..., 3], before[..., 3])  # the silhouette is the float's


def test_harmonise_zero_leaves_the_floats_and_the_film_as_they_were(tmp_path, plates, previz_float):
    path, layout = previz_float
    image = marked_cutout(path, layout)
    assert Harmonise(np.zeros((4, 4, 3), np.uint8), strength=0.0).apply(image) is image
    still = {"kind": "image", "path": plates / "street.png"}
    plain, _catalog = film_on(tmp_path / "plain", **still)
    zero, _catalog = film_on(tmp_path / "zero", **still, harmonise=0.0)
    half, _catalog = film_on(tmp_path / "half", **still, harmonise=0.5)
    t = plain.timeline.slots[0].hold_mid
    assert np.array_equal(plain.parade.frame(t), zero.parade.frame(t))
    assert not np.array_equal(plain.parade.frame(t), half.parade.frame(t))  # harmonising does move the floats
    assert np.array_equal(plain.parade.frame(t)[SKY], half.parade.frame(t)[SKY])  # and nothing else


def test_the_plate_path_is_relative_to_the_campaign_file(tmp_path, plates):
    (tmp_path / "plates").mkdir()
    (tmp_path / "plates" / "street.png").write_bytes((plates / "street.png").read_bytes())
    path = write_campaign(tmp_path / "campaign.yaml", SAMPLE_KITS, tmp_path / "renders",
                          film={"backdrop": {"kind": "image", "path": "plates/street.png", "harmonise": 0.4}})
    assert load_campaign(path).film.backdrop.path == tmp_path / "plates" / "street.png"


def bad_plates(folder):
    """(kind, file) pairs a render must refuse before its first frame, and what the line says."""
    (folder / "not-an-image.png").write_text("hello")
    Image.new("1", (8000, 6000)).save(folder / "huge.png")  # 48 megapixels, a few kilobytes
    write_tone(folder / "tone.wav", 0.5)
    return [("image", folder / "missing.png", "no such file"), ("image", folder / "not-an-image.png", "not an image"),
            ("image", folder / "huge.png", "megapixels"), ("video", folder / "missing.mp4", "not found"),
            ("video", folder / "tone.wav", "not a video")]


def test_bad_plate_files_are_one_line_naming_the_field(tmp_path):
    for kind, path, words in bad_plates(tmp_path):
        with pytest.raises(CampaignError) as raised:
            film_on(tmp_path / path.stem, kind=kind, path=path)
        message = str(raised.value)
        assert "film.backdrop.path" in message and words in message and "\n" not in message, message
        assert str(path) in message


def test_an_image_or_video_backdrop_needs_its_file(tmp_path):
    path = write_campaign(tmp_path / "campaign.yaml", SAMPLE_KITS, tmp_path / "renders",
                          film={"backdrop": {"kind": "video"}})
    with pytest.raises(CampaignError, match=r"film\.backdrop\.path: video backdrops need the plate's file"):
        load_campaign(path)


def test_defaults_draw_the_street(tmp_path):
    film, _catalog = film_on(tmp_path)
    assert film.campaign.film.backdrop.kind == "street" and film.campaign.film.backdrop.harmonise == 0
    assert type(film.parade.layers.street).__name__ == "Street"


def test_backdrop_plates_stay_out_of_every_brand_listing(tmp_path):
    from workbench.catalog import ConceptRecord

    catalog = Catalog(tmp_path / "catalog.sqlite")
    for brand, concept_id in ((BACKDROP_BRAND, "plate-1"), ("lotus-tea", "lotus-1")):
        catalog.add_concept(ConceptRecord(id=concept_id, brand=brand, backend="previz", model="m", prompt="",
                                          negative_prompt="", seed=1, settings={}, path=f"{concept_id}.png",
                                          content_hash="x"))
    assert [record.id for record in catalog.concepts()] == ["lotus-1"]
    assert [summary.brand for summary in catalog.summary()] == ["lotus-tea"]
    assert [record.id for record in catalog.concepts(BACKDROP_BRAND)] == ["plate-1"]
