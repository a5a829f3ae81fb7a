"""Thumbnails, the review board, the contact sheet and the ConceptGrid widget, on hand-made floats."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from workbench.catalog import Catalog, ConceptRecord
from workbench.curate.contact_sheet import board, contact_sheet
from workbench.curate.thumbnails import thumbnail
from workbench.files import save_png
from workbench.kits import BrandKit, load_kits

KITS_FOLDER = Path(__file__).resolve().parents[1] / "brand_kits"
BRANDS = ("lotus-tea", "tern-motors", "grand-northern-balloons")
SEEDS = (1, 2, 3)


def draw_float(kit: BrandKit, seed: int, size: int = 192) -> Image.Image:
    """A stand-in float: a transparent canvas with a body, a mast and wheels in the brand's colours."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = size // 12
    lift = seed * unit // 2
    draw.rounded_rectangle([2 * unit, 6 * unit - lift, 10 * unit, 9 * unit], radius=unit, fill=kit.palette.rgb("primary"))
    draw.ellipse([4 * unit, 2 * unit - lift, 8 * unit, 6 * unit - lift], fill=kit.palette.rgb("accent"))
    for left in (3 * unit, 8 * unit):
        draw.ellipse([left, 9 * unit, left + unit, 10 * unit], fill=kit.palette.rgb("secondary"))
    return image


def add_concept(catalog: Catalog, kit: BrandKit, seed: int, image: Image.Image | None = None) -> ConceptRecord:
    relative = Path("concepts") / kit.slug / f"{kit.slug}-s{seed}.png"
    digest = save_png(image or draw_float(kit, seed), catalog.root / relative)
    record = ConceptRecord(
        id=f"{kit.slug}-s{seed}", brand=kit.slug, backend="test", model="hand-drawn", prompt="a float",
        negative_prompt="", seed=seed, settings={}, path=str(relative), content_hash=digest,
    )
    catalog.add_concept(record)
    return record


@pytest.fixture(scope="module")
def kits() -> dict[str, BrandKit]:
    report = load_kits(KITS_FOLDER)
    return {slug: report.kits[slug] for slug in BRANDS}


@pytest.fixture
def catalog(tmp_path, kits) -> Catalog:
    with Catalog(tmp_path / "campaign" / "catalog.sqlite") as catalog:
        for kit in kits.values():
            for seed in SEEDS:
                add_concept(catalog, kit, seed)
        yield catalog


def test_thumbnail_is_square_and_flattened_onto_the_brand_background(catalog, kits):
    record = catalog.concept("lotus-tea-s1")
    background = kits["lotus-tea"].palette.rgb("background")
    with Image.open(thumbnail(catalog, record, size=64, background=background)) as image:
        assert image.size == (64, 64)
        assert image.mode == "RGB"
        assert image.getpixel((1, 1)) == background  # a transparent corner of the float
    with Image.open(thumbnail(catalog, record, size=64)) as checker:
        corner_colours = {checker.getpixel((4, 4)), checker.getpixel((20, 4))}
        assert len(corner_colours) == 2  # the soft checkerboard shows through


def test_thumbnail_is_cached_until_the_source_changes(catalog, kits):
    record = catalog.concept("lotus-tea-s1")
    first = thumbnail(catalog, record, size=64)
    written = first.stat().st_mtime_ns
    assert thumbnail(catalog, record, size=64) == first
    assert first.stat().st_mtime_ns == written  # not redrawn

    redrawn = add_concept(catalog, kits["lotus-tea"], 1, image=draw_float(kits["lotus-tea"], 3))
    assert redrawn.content_hash != record.content_hash
    second = thumbnail(catalog, redrawn, size=64)
    assert second != first and second.is_file()
    assert first.parent == catalog.root / "gallery" / "thumbs"
    assert thumbnail(catalog, redrawn, size=32) not in (first, second)


def test_thumbnail_of_a_missing_image_names_the_concept(catalog):
    record = catalog.concept("tern-motors-s2")
    catalog.image_path(record).unlink()
    with pytest.raises(FileNotFoundError, match="tern-motors-s2"):
        thumbnail(catalog, record)


def test_board_counts_and_orders_after_reviews(catalog, kits):
    catalog.review("lotus-tea-s2", verdict="approved", stars=4, reviewer="mei")
    catalog.review("lotus-tea-s3", verdict="rejected", reviewer="mei")
    catalog.review("lotus-tea-s3", verdict="approved", reviewer="ad", role="art_director")
    catalog.review("tern-motors-s1", verdict="rejected", reviewer="mei")

    rows = {row.slug: row for row in board(catalog, kits)}
    assert list(rows) == sorted(BRANDS)
    lotus = rows["lotus-tea"]
    assert [card.record.seed for card in lotus.cards] == list(SEEDS)
    assert [card.verdict for card in lotus.cards] == [None, "approved", "approved"]
    assert lotus.cards[1].stars == 4
    assert lotus.usable_text == "2 of 2 reviewed usable (100%)"
    assert lotus.name == "莲心茶坊" and lotus.subtitle == "Lotus Heart Tea House"
    assert rows["tern-motors"].usable_text == "0 of 1 reviewed usable (0%)"
    assert rows["grand-northern-balloons"].usable_text == "3 made, none reviewed yet"

    approved_only = {row.slug: row for row in board(catalog, kits, only_approved=True)}
    assert [card.record.id for card in approved_only["lotus-tea"].cards] == ["lotus-tea-s2", "lotus-tea-s3"]
    assert approved_only["tern-motors"].cards == ()
    assert [row.slug for row in board(catalog, kits, brands=["tern-motors"])] == ["tern-motors"]


def test_contact_sheet_has_one_row_per_brand_in_its_colours(catalog, kits, tmp_path):
    from workbench.curate import contact_sheet as sheet_module

    catalog.review("lotus-tea-s1", verdict="rejected")
    size = 96
    out = contact_sheet(catalog, kits, tmp_path / "out" / "sheet.png", thumb_size=size)
    row_height = max(size + sheet_module.CAPTION_HEIGHT, sheet_module.LABEL_HEIGHT) + 2 * sheet_module.ROW_PADDING
    with Image.open(out) as sheet:
        assert sheet.size == (
            2 * sheet_module.MARGIN + sheet_module.LABEL_WIDTH + len(SEEDS) * (size + sheet_module.GAP) - sheet_module.GAP,
            sheet_module.HEADER_HEIGHT + len(BRANDS) * row_height + sheet_module.FOOTER_HEIGHT,
        )
        for index, slug in enumerate(sorted(BRANDS)):
            top = sheet_module.HEADER_HEIGHT + index * row_height + sheet_module.ROW_PADDING
            # The float's right-hand margin is transparent, so the brand background shows there.
            last_thumb_right = sheet_module.MARGIN + sheet_module.LABEL_WIDTH + len(SEEDS) * (size + sheet_module.GAP) - sheet_module.GAP
            assert sheet.getpixel((last_thumb_right - 6, top + size // 2)) == kits[slug].palette.rgb("background")
        lotus_top = sheet_module.HEADER_HEIGHT + sorted(BRANDS).index("lotus-tea") * row_height + sheet_module.ROW_PADDING
        first_thumb_left = sheet_module.MARGIN + sheet_module.LABEL_WIDTH
        # The rejected concept is faded towards the paper colour.
        assert sheet.getpixel((first_thumb_left + size - 6, lotus_top + size // 2)) != kits["lotus-tea"].palette.rgb("background")
    assert not list(out.parent.glob("*.part"))


def test_contact_sheet_of_approved_concepts_keeps_every_brand_row(catalog, kits, tmp_path):
    from workbench.curate import contact_sheet as sheet_module

    catalog.review("tern-motors-s2", verdict="approved")
    out = contact_sheet(catalog, kits, tmp_path / "approved.png", only_approved=True, thumb_size=64)
    row_height = sheet_module.LABEL_HEIGHT + 2 * sheet_module.ROW_PADDING
    with Image.open(out) as sheet:
        assert sheet.height == sheet_module.HEADER_HEIGHT + len(BRANDS) * row_height + sheet_module.FOOTER_HEIGHT
        assert sheet.width == 2 * sheet_module.MARGIN + sheet_module.LABEL_WIDTH + sheet_module.MIN_COLUMNS * (64 + sheet_module.GAP) - sheet_module.GAP


def test_grid_shows_a_brands_cards_with_clickable_classes(catalog, kits):
    from workbench.curate.widgets import ConceptGrid

    grid = ConceptGrid(catalog, kits, brand="lotus-tea", reviewer="mei", thumb_size=64)
    assert list(grid.cards) == ["lotus-tea-s1", "lotus-tea-s2", "lotus-tea-s3"]
    card = grid.cards["lotus-tea-s2"]
    assert {"wb-approve", "wb-concept-lotus-tea-s2"} <= set(card.approve._dom_classes)
    assert {"wb-reject", "wb-concept-lotus-tea-s2"} <= set(card.reject._dom_classes)
    assert bytes(card.image.value).startswith(b"\x89PNG")
    assert len(card.image.value) < 20_000  # a thumbnail, never the full image
    assert "莲心茶坊 · Lotus Heart Tea House" in [label for label, _ in grid.picker.options]
    assert "3 to review" in grid.chart.value

    grid.picker.value = "tern-motors"
    assert list(grid.cards) == ["tern-motors-s1", "tern-motors-s2", "tern-motors-s3"]
    with pytest.raises(ValueError, match="no concepts"):
        ConceptGrid(catalog, kits, brand="polar-scoop")


def test_grid_clicks_write_reviews_and_update_the_fractions(catalog, kits):
    from workbench.curate.widgets import ConceptGrid

    grid = ConceptGrid(catalog, kits, brand="lotus-tea", reviewer="mei", thumb_size=64)
    grid.cards["lotus-tea-s2"].approve.click()
    [review] = catalog.history("lotus-tea-s2")
    assert (review.verdict, review.reviewer) == ("approved", "mei")
    assert grid.cards["lotus-tea-s2"].approve.button_style == "success"
    assert "1/1 usable" in grid.chart.value
    assert "1 of 1 reviewed usable (100%)" in grid.status.value

    grid.cards["lotus-tea-s1"].reject.click()
    assert catalog.verdicts()["lotus-tea-s1"] == "rejected"
    assert "1/2 usable" in grid.chart.value
    assert "REJECTED" in grid.cards["lotus-tea-s1"].caption.value
    assert grid.cards["lotus-tea-s1"].box.layout.border.endswith("#c43c34")

    grid.cards["lotus-tea-s2"].stars[2].click()
    assert catalog.stars()["lotus-tea-s2"] == 3
    assert catalog.verdicts()["lotus-tea-s2"] == "approved"  # a rating keeps the verdict
    assert [b.description for b in grid.cards["lotus-tea-s2"].stars] == ["★", "★", "★", "☆", "☆"]


def test_contact_sheet_and_grid_cope_without_kits_or_concepts(catalog, tmp_path):
    from workbench.curate.widgets import ConceptGrid

    out = contact_sheet(catalog, {}, tmp_path / "no-kits.png", thumb_size=48)  # brands fall back to their slugs
    assert [row.name for row in board(catalog, {})] == sorted(BRANDS)
    assert out.is_file()
    with Catalog(tmp_path / "empty" / "catalog.sqlite") as empty:
        assert contact_sheet(empty, {}, tmp_path / "empty.png").is_file()
        grid = ConceptGrid(empty, {})
        assert grid.cards == {} and grid.picker.value is None
        assert "No concepts yet" in grid.status.value
