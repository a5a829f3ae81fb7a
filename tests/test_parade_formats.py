"""The film's formats: the 1:1 and 4:5 feed stages, 4K, platforms' safe zones, bilingual lower thirds.

Small films of conftest's fake floats (a few hundred pixels a side, 10 fps); 4K for one second at 5 fps.
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pytest

from conftest import (
    FPS, SAMPLE_KITS, SHOWN, add_concept, decode, logo_template, make_campaign, match_at, probe, write_campaign,
)
from test_parade_identical import three_brands
from workbench.campaign import CampaignError, load_campaign
from workbench.catalog import Catalog
from workbench.kits import BrandKit, load_kits
from workbench.parade import film_manifest, prepare_film, render_film
from workbench.parade.art import ArtCache
from workbench.parade.layers import EndCard
from workbench.parade.stages import stage_for

FEED_SIZES = {"1:1": (240, 240), "4:5": (240, 300)}
# What TikTok / Douyin cover of a 9:16 frame (tabs, caption band, button column), and a square feed's caption.
ZONES = {"9:16": {"top": 0.1, "bottom": 0.25, "left": 0.05, "right": 0.15},
         "1:1": {"top": 0.05, "bottom": 0.2, "left": 0.04, "right": 0.12}}
ZONED_SIZES = {"9:16": (270, 480), "1:1": (320, 320)}


@pytest.fixture(scope="module")
def kits() -> dict[str, BrandKit]:
    return load_kits(SAMPLE_KITS).kits


def brand_segments(manifest: dict) -> list[dict]:
    return [segment for segment in manifest["segments"] if segment["kind"] == "brand"]


def video_stream(path) -> dict:
    return next(stream for stream in probe(path)["streams"] if stream["codec_type"] == "video")


def quietly_prepared(campaign, order, catalog, aspect):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare_film(campaign, order, catalog, aspect)


# The feed stages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("aspect", ["1:1", "4:5"])
def test_a_feed_film_renders_at_its_size_fps_and_length_with_each_logo_at_its_box(tmp_path, kits, aspect):
    size = FEED_SIZES[aspect]
    campaign, order, catalog = three_brands(tmp_path, aspects=[aspect], sizes={aspect: list(size)})
    result = render_film(campaign, order, catalog, aspect, progress=False)
    video, manifest = video_stream(result.path), json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"]) == size
    assert video["r_frame_rate"] == f"{FPS}/1"
    # 1 s title + 3 brands x 1.4 s + 1 s end card = 6.2 s, 62 frames at 10 fps.
    assert float(probe(result.path)["format"]["duration"]) == pytest.approx(6.2, abs=1 / FPS)
    frames = decode(result.path)
    assert len(frames) == 62
    assert result.path.name == f"test-parade_{aspect.replace(':', 'x')}.mp4"
    assert (manifest["aspect"], manifest["size"]) == (aspect, list(size))
    for segment in brand_segments(manifest):
        left, top, right, bottom = segment["logo_box"]
        assert 0 <= left < right <= size[0] and 0 <= top < bottom <= size[1]
        frame = frames[(segment["hold_frames"][0] + segment["hold_frames"][1]) // 2]
        template = logo_template(kits[segment["brand"]], segment["logo_box"])
        assert match_at(frame, template, segment["logo_box"]) >= 0.9, segment["brand"]


def test_the_feed_stages_are_composed_for_their_frames_not_cropped_from_the_others():
    square, portrait = stage_for("1:1", (1080, 1080)), stage_for("4:5", (1080, 1350))
    # The square keeps the side-on street: the next float waits wholly out of frame while one holds.
    waiting = square.place(1.0)
    assert waiting.scale == 1.0 and waiting.centre_x - square.float_size[0] / 2 > 0.95 * square.width
    # The portrait frame keeps the street coming toward the camera: the next float is smaller, up the street.
    behind, front = portrait.place(1.0), portrait.place(0.0)
    assert behind.scale < 1.0 and behind.base_y < front.base_y
    for stage in (square, portrait):
        left, top = stage.banner_origin(600, 140)
        assert left == (stage.width - 600) // 2, "the banner is centred"
        assert top > stage.place(0.0).base_y, "under the front float's wheels"


# 4K -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("aspect, size", [("16:9", (3840, 2160)), ("9:16", (2160, 3840))])
def test_a_4k_film_renders_and_probes_right_with_the_logo_at_its_box(tmp_path, kits, aspect, size):
    campaign = make_campaign(tmp_path, sizes={aspect: list(size)}, fps=5, duration=1.0, title_seconds=0,
                             end_seconds=0)
    catalog = Catalog(campaign.catalog_path)
    add_concept(catalog, campaign, kits["lotus-tea"], 1, "approved")
    result = render_film(campaign, [kits["lotus-tea"]], catalog, aspect, progress=False)
    video = video_stream(result.path)
    assert (video["width"], video["height"]) == size
    assert video["r_frame_rate"] == "5/1"
    assert float(probe(result.path)["format"]["duration"]) == pytest.approx(1.0, abs=1 / 5)
    frames = decode(result.path)
    assert len(frames) == 5
    [segment] = brand_segments(json.loads(result.manifest_path.read_text(encoding="utf-8")))
    frame = frames[(segment["hold_frames"][0] + segment["hold_frames"][1]) // 2]
    assert segment["logo_box"][3] - segment["logo_box"][1] > 0.07 * size[1], "the banner is set for 4K, not HD"
    assert match_at(frame, logo_template(kits["lotus-tea"], segment["logo_box"]), segment["logo_box"]) >= 0.9


# Safe zones ---------------------------------------------------------------------------------------


def clear_of(zone: dict, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of what the zone leaves clear, in pixels."""
    width, height = size
    return zone["left"] * width, zone["top"] * height, (1 - zone["right"]) * width, (1 - zone["bottom"]) * height


def covered_by(zone: dict, size: tuple[int, int]) -> np.ndarray:
    """The frame's pixels a platform's zones cover, as a mask."""
    width, height = size
    covered = np.zeros((height, width), bool)
    left, top, right, bottom = (round(edge) for edge in clear_of(zone, size))
    covered[:top], covered[bottom:], covered[:, :left], covered[:, right:] = True, True, True, True
    return covered


def inside(box, area) -> bool:
    return area[0] <= box[0] and area[1] <= box[1] and box[2] <= area[2] and box[3] <= area[3]


@pytest.mark.parametrize("aspect", ["9:16", "1:1"])
def test_safe_zones_keep_every_banner_out_of_the_platforms_areas(tmp_path, aspect):
    size, zone = ZONED_SIZES[aspect], ZONES[aspect]
    area = clear_of(zone, size)

    def banner_boxes(**film) -> list[list[int]]:
        campaign, order, catalog = three_brands(tmp_path / str(len(film)), sizes={aspect: list(size)}, **film)
        manifest = film_manifest(quietly_prepared(campaign, order, catalog, aspect), catalog)
        return [segment[box] for segment in brand_segments(manifest) for box in ("logo_box", "text_box")]

    assert not all(inside(box, area) for box in banner_boxes()), "without zones the banners reach into them"
    zoned = banner_boxes(safe_zones={aspect: zone})
    assert len(zoned) == 2 * len(SHOWN)
    for box in zoned:
        assert inside(box, area), (box, area)


def test_safe_zones_keep_the_campaign_header_out_of_the_platforms_areas(tmp_path):
    """The header is the only thing the campaign title changes during a hold: with zones, the zones' pixels
    are the same whatever the title; without them, the header reaches into the top one."""
    aspect, size, zone = "9:16", ZONED_SIZES["9:16"], ZONES["9:16"]
    covered, top = covered_by(zone, size), round(clear_of(zone, size)[1])

    def hold_frame(title: str, **film) -> np.ndarray:
        campaign, order, catalog = three_brands(tmp_path / f"{title}{len(film)}", sizes={aspect: list(size)}, **film)
        prepared = quietly_prepared(campaign.with_changes(title=title), order, catalog, aspect)
        return prepared.parade.frame(prepared.timeline.slots[1].hold_mid)

    titles = ("Test Parade", "A Much Longer Title For The Summer Campaign")
    plain = [hold_frame(title) for title in titles]
    assert not np.array_equal(plain[0][:top], plain[1][:top]), "without zones the header is in the top band"
    zoned = [hold_frame(title, safe_zones={aspect: zone}) for title in titles]
    assert not np.array_equal(zoned[0], zoned[1]), "the header is still shown"
    assert np.array_equal(zoned[0][covered], zoned[1][covered])


@pytest.mark.parametrize("card", ["title", "end"])
def test_safe_zones_keep_the_cards_type_out_of_the_platforms_areas(tmp_path, card):
    """The card's words are all its text changes: with zones, the zones' pixels are the same whatever the words;
    without them, the words reach into a zone (the backdrop under the type fills the frame either way)."""
    aspect, size, zone = "9:16", ZONED_SIZES["9:16"], ZONES["9:16"]
    covered = covered_by(zone, size)

    def card_frame(words: str, **film) -> np.ndarray:
        campaign, order, catalog = three_brands(tmp_path / f"{words}{len(film)}", sizes={aspect: list(size)},
                                                particles=False, **film)
        changed = {"title": words} if card == "title" else {"end_card": words}
        prepared = quietly_prepared(campaign.with_changes(**changed), order, catalog, aspect)
        timeline = prepared.timeline
        t = timeline.procession_start / 2 if card == "title" else (timeline.procession_end + timeline.duration) / 2
        return prepared.parade.frame(t)

    words = ("Spring Parade", "The Longest Summer Festival Parade Of Every Brand We Know")
    plain = [card_frame(text) for text in words]
    assert not np.array_equal(plain[0][covered], plain[1][covered]), "without zones the type reaches into them"
    zoned = [card_frame(text, safe_zones={aspect: zone}) for text in words]
    assert not np.array_equal(zoned[0], zoned[1]), "the words are still shown"
    assert np.array_equal(zoned[0][covered], zoned[1][covered])


@pytest.mark.parametrize("aspect", ["9:16", "4:5", "1:1"])
def test_a_banner_pushed_up_by_a_caption_band_never_covers_the_holding_float(tmp_path, aspect):
    """The float holds further up the street (1:1: in a farther lane) instead, as far from its banner as it is
    without the band: on the tall stages its lowest pixel stays above the banner's logo."""
    size = {"9:16": (270, 480), "4:5": (240, 300), "1:1": (320, 320)}[aspect]
    zone = ZONES["9:16"] if aspect != "1:1" else {**ZONES["1:1"], "bottom": 0.1}

    def float_bottoms_and_banner_tops(**film) -> list[tuple[int, int]]:
        campaign, order, catalog = three_brands(tmp_path / f"{aspect}{len(film)}".replace(":", "x"),
                                                aspects=[aspect], sizes={aspect: list(size)}, **film)
        prepared = quietly_prepared(campaign, order, catalog, aspect)
        parade, found = prepared.parade, []
        for slot in prepared.timeline.slots:
            alpha = parade.alone(parade.layers.floats, slot.hold_mid)[..., 3]
            found.append((int(np.nonzero(alpha.any(axis=1))[0].max()), parade.banner(slot.index).logo_box[1]))
        return found

    plain = float_bottoms_and_banner_tops()
    zoned = float_bottoms_and_banner_tops(safe_zones={aspect: zone})
    for (plain_bottom, plain_top), (zoned_bottom, zoned_top) in zip(plain, zoned):
        assert zoned_top < plain_top, "the caption band pushed the banner up"
        assert zoned_bottom < plain_bottom, "and the float with it"
        assert zoned_top - zoned_bottom >= plain_top - plain_bottom - 1, "as far from its banner as without the band"
        if aspect != "1:1":  # the square's banner meets its float's wheels by design
            assert zoned_bottom < zoned_top, "the float's base stays above its banner"


def test_in_a_safe_area_the_header_keeps_under_the_label_moved_in_from_its_corner(tmp_path):
    """The label (top-right) moves down into the safe area; the header, which the title changes, stays under it."""
    aspect, size, zone = "9:16", ZONED_SIZES["9:16"], ZONES["9:16"]

    def opening(title: str):
        campaign, order, catalog = three_brands(tmp_path / title, sizes={aspect: list(size)}, safe_zones={aspect: zone})
        prepared = quietly_prepared(campaign.with_changes(title=title), order, catalog, aspect)
        t = prepared.timeline.slots[0].hold_mid  # the label's opening seconds
        [label] = [label for label in prepared.parade.layers.labels if label.span[0] <= t < label.span[1]]
        return prepared.parade.frame(t), label.box

    (first, label_box), (second, _same) = opening("Test Parade"), opening("A Much Longer Title For The Summer")
    assert label_box[1] >= zone["top"] * size[1], "the label moved down into the safe area"
    header_rows, header_columns = np.nonzero(np.any(first != second, axis=2))
    assert header_rows.size, "the header is shown"
    left, top, right, bottom = label_box
    under_label = (left <= header_columns) & (header_columns < right) & (top <= header_rows) & (header_rows < bottom)
    assert not under_label.any()


def test_a_bad_safe_zone_is_one_line_naming_the_file_and_field(tmp_path, kits_folder):
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                          film={"safe_zones": {"9:16": {"bottom": 0.6}}})
    with pytest.raises(CampaignError) as raised:
        load_campaign(path)
    message = str(raised.value)
    assert "\n" not in message and str(path) in message and "safe_zones.9:16.bottom" in message


# Bilingual lower thirds ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ocr():
    from workbench.triage.ocr import RapidOcrReader

    return RapidOcrReader()


def letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def test_a_bilingual_lower_third_shows_the_latin_name_under_the_display_name(tmp_path, kits, ocr):
    aspect, size = "9:16", (720, 1280)
    campaign, order, catalog = three_brands(tmp_path, sizes={aspect: list(size)})
    films = {mode: quietly_prepared(campaign.with_changes(film={"lower_third": mode}), order, catalog, aspect)
             for mode in ("display", "bilingual")}
    lotus = SHOWN.index("lotus-tea")  # display name 莲心茶坊, Latin name Lotus Heart Tea House
    kit = kits["lotus-tea"]
    read = {}
    for mode, film in films.items():
        banner, frame = film.parade.banner(lotus), film.parade.frame(film.timeline.slots[lotus].hold_mid)
        left, top, right, bottom = banner.text_box
        read[mode] = " ".join(line.text for line in ocr.read(frame[top - 4:bottom + 4, left - 4:right + 4]))
        assert match_at(frame, logo_template(kit, list(banner.logo_box)), list(banner.logo_box)) >= 0.9, mode
    assert letters(kit.subtitle) in letters(read["bilingual"]), read["bilingual"]
    assert kit.display_name in read["bilingual"].replace(" ", "")
    assert letters(kit.subtitle) not in letters(read["display"]), read["display"]


def test_a_brand_without_another_name_keeps_its_display_banner_when_bilingual(tmp_path, kits):
    aspect = "16:9"
    campaign, order, catalog = three_brands(tmp_path)
    tern = SHOWN.index("tern-motors")  # its Latin name is its display name
    assert kits["tern-motors"].subtitle == ""
    banners = [quietly_prepared(campaign.with_changes(film={"lower_third": mode}), order, catalog, aspect)
               .parade.banner(tern) for mode in ("display", "bilingual")]
    assert banners[0].text_box == banners[1].text_box and banners[0].logo_box == banners[1].logo_box
    assert np.array_equal(banners[0].sprite.pixels, banners[1].sprite.pixels)


# The end card -------------------------------------------------------------------------------------


@pytest.mark.parametrize("aspect, size", [("1:1", (1080, 1080)), ("4:5", (1080, 1350)), ("16:9", (1920, 1080)),
                                          ("9:16", (1080, 1920))])
def test_the_end_card_holds_fifty_logos_in_frame_large_and_apart(kits, aspect, size):
    stage = stage_for(aspect, size)
    fifty = tuple(list(kits.values()) * 5)
    assert len(fifty) == 50
    (line, line_x, line_y), *tiles = EndCard("Thanks for watching · 感谢观看", stage, fifty).placed()
    assert len(tiles) == 50
    line_box = (line_x, line_y, line_x + line.width, line_y + line.height)
    boxes = [(x, y, x + tile.width, y + tile.height) for tile, x, y in tiles]

    def overlap(a, b) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    for index, box in enumerate(boxes):
        assert 0 <= box[0] and 0 <= box[1] and box[2] <= stage.width and box[3] <= stage.height, box
        assert box[2] - box[0] >= 0.07 * stage.short_side, "logos large enough to read"
        assert not overlap(box, line_box)
        assert not any(overlap(box, other) for other in boxes[index + 1:])


@pytest.mark.parametrize("aspect", ["1:1", "4:5", "16:9", "9:16"])
def test_a_few_brands_stand_in_one_row_on_the_end_card(kits, aspect):
    stage = stage_for(aspect, (1080, 1080))
    _line, *tiles = EndCard("The end", stage, tuple(kits[slug] for slug in SHOWN)).placed()
    assert len({y for _tile, _x, y in tiles}) == 1


def test_the_end_card_draws_what_it_places(kits):
    stage = stage_for("1:1", (320, 320))
    card = EndCard("The end", stage, tuple(kits[slug] for slug in SHOWN))
    frame = np.zeros((320, 320, 3), np.uint8)
    card.draw(frame, t=0.0, art=ArtCache())
    for tile, x, y in card.placed()[1:]:
        assert frame[y + tile.height // 2, x + 2].min() > 200, "a light tile where it is placed"
