"""Thumbnails, the review board, the contact sheet and the GalleryView widget, on hand-made floats."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from conftest import SAMPLE_KITS
from workbench.catalog import TRIAGE_ROLE, Catalog, ConceptRecord, TriageResult
from workbench.curate.contact_sheet import board, contact_sheet
from workbench.curate.thumbnails import thumbnail
from workbench.files import save_png
from workbench.kits import BrandKit, load_kits

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
    report = load_kits(SAMPLE_KITS)
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


def _view(catalog, kits, **options):
    from workbench.curate.gallery import Gallery
    from workbench.curate.widgets import GalleryView

    return GalleryView(Gallery(catalog, kits, reviewer="mei", **options))


def test_gallery_view_draws_a_page_of_thumbnail_cards_with_clickable_classes(catalog, kits):
    view = _view(catalog, kits, page_size=4)
    shown = [slot.concept_id for slot in view.slots]
    assert shown == ["grand-northern-balloons-s1", "grand-northern-balloons-s2", "grand-northern-balloons-s3", "lotus-tea-s1"]
    card = view.slots[1]
    assert {"wb-approve", "wb-concept-grand-northern-balloons-s2"} <= set(card.approve._dom_classes)
    assert {"wb-reject", "wb-concept-grand-northern-balloons-s2"} <= set(card.reject._dom_classes)
    assert "wb-current" in view.slots[0].box._dom_classes and "wb-current" not in card.box._dom_classes
    assert bytes(card.image.value).startswith(b"\x89PNG")
    assert len(card.image.value) < 40_000  # the cached thumbnail file, never the full image
    assert ("莲心茶坊 · Lotus Heart Tea House", "lotus-tea") in view.brand.options
    assert "Page <b>1</b> of 3" in view.pager.value and view.previous.disabled and not view.next.disabled

    view.next.click()
    assert [slot.concept_id for slot in view.slots] == ["lotus-tea-s2", "lotus-tea-s3", "tern-motors-s1", "tern-motors-s2"]
    assert "wb-concept-lotus-tea-s1" not in view.slots[0].approve._dom_classes  # a slot shows one concept
    view.brand.value = "tern-motors"
    assert [slot.concept_id for slot in view.slots] == ["tern-motors-s1", "tern-motors-s2", "tern-motors-s3", None]
    assert view.slots[3].box.layout.display == "none"
    assert "wb-selected" in view.chart.value


def test_gallery_view_clicks_and_keys_write_reviews_and_update_the_chart(catalog, kits):
    view = _view(catalog, kits, page_size=9)
    view.brand.value = "lotus-tea"
    view.reason_box.value = "crisp logo"
    view.slots[1].approve.click()
    [review] = catalog.history("lotus-tea-s2")
    assert (review.verdict, review.reviewer, review.role, review.reason) == ("approved", "mei", "designer", "crisp logo")
    assert view.slots[1].approve.button_style == "success"
    assert "wb-is-approved" in view.slots[1].box._dom_classes and "wb-current" in view.slots[1].box._dom_classes
    assert "1/1" in view.chart.value and "approved lotus-tea-s2" in view.status.value

    # What the front end sends for each key press: the cursor is on lotus-tea-s2, reject it and
    # move on to s3, then 4 stars on s3. A key the gallery does not know is ignored.
    for key in ("r", "4", "q"):
        view.shortcuts._handle_custom_msg({"key": key}, [])
    assert catalog.verdicts() == {"lotus-tea-s2": "rejected"}
    assert catalog.stars() == {"lotus-tea-s3": 4}
    assert [b.description for b in view.slots[2].stars] == ["★", "★", "★", "★", "☆"]
    assert "0/1" in view.chart.value

    view.slots[0].stars[1].click()
    assert catalog.stars()["lotus-tea-s1"] == 2

    view.slots[0].select.value = True
    view.slots[2].select.value = True
    assert "2 selected" in view.pager.value and not view.bulk_reject.disabled
    view.bulk_reject.click()
    assert catalog.verdicts() == {"lotus-tea-s1": "rejected", "lotus-tea-s2": "rejected", "lotus-tea-s3": "rejected"}
    assert "Needs concepts: 莲心茶坊" in view.chart.value  # nothing approved, nothing left to review


def test_gallery_view_detail_compare_and_more_like_this(catalog, kits):
    view = _view(catalog, kits, page_size=9)
    view.brand.value = "lotus-tea"
    view.slots[2].open.click()
    assert view.gallery.current == "lotus-tea-s3"
    assert "a float" in view.detail_facts.value and "<th>Seed</th><td>3</td>" in view.detail_facts.value
    assert bytes(view.detail_image.value) == catalog.image_path(catalog.concept("lotus-tea-s3")).read_bytes()
    view.more.click()
    assert [r.seed for r in catalog.seed_requests(pending_only=True)] == [4, 5, 6, 7]
    assert "queued seeds 4, 5, 6, 7" in view.status.value and "seeds 4, 5, 6, 7" in view.detail_facts.value

    view.to_compare.click()
    view.press("k")  # back to s2
    view.press("c")  # add it to the comparison
    assert view.main.selected_index == 1
    assert [item.id for item in view.gallery.compare_pair()] == ["lotus-tea-s3", "lotus-tea-s2"]
    view.compare_buttons[1][0].click()
    assert catalog.verdicts() == {"lotus-tea-s2": "approved"}
    assert "lotus-tea-s2" in view.compare_captions[1].value and "APPROVED" in view.compare_captions[1].value


def test_gallery_view_shows_a_refused_decision_and_others_decisions_on_refresh(catalog, kits):
    view = _view(catalog, kits)
    catalog.review("lotus-tea-s1", "approved", reviewer="lee", role="art_director")  # another reviewer
    assert "AD:" not in view.slots[3].caption.value
    view.refresh_button.click()
    assert "AD:✓" in view.slots[3].caption.value
    view.gallery.set_filters(verdict="approved")
    view.draw()
    assert view.brand.value == "" and view.brand.label == "All brands" and view.verdict.value == "approved"
    catalog.close()
    view.slots[0].reject.click()
    assert "ProgrammingError: Cannot operate on a closed database." in view.status.value
    assert "#b3261e" in view.status.value, "shown in the error colour"


def test_contact_sheet_and_grid_cope_without_kits_or_concepts(catalog, tmp_path):

    out = contact_sheet(catalog, {}, tmp_path / "no-kits.png", thumb_size=48)  # brands fall back to their slugs
    assert [row.name for row in board(catalog, {})] == sorted(BRANDS)
    assert out.is_file()
    with Catalog(tmp_path / "empty" / "catalog.sqlite") as empty:
        assert contact_sheet(empty, {}, tmp_path / "empty.png").is_file()
        view = _view(empty, {})
        assert [slot.concept_id for slot in view.slots] == [None] * 12 and view.brand.label == "All brands"
        assert "No concepts match" in view.empty.value and "Nothing highlighted" in view.detail_facts.value


# Triage on cards, in the detail panel, on the contact sheet and the hand-off -----------------------


def triaged(concept_id: str, score: float, status: str = "passed", duplicate_of: str | None = None,
            reasons: dict[str, list[str]] | None = None) -> TriageResult:
    """A triage row: five checks at 90, those named in `reasons` failed at 30 with those reasons."""
    checks = {name: {"score": 90.0, "failed": False, "reasons": []}
              for name in ("lettering", "logo", "palette", "cutout", "craft")}
    for name, texts in (reasons or {}).items():
        checks[name] = {"score": 30.0, "failed": True, "reasons": texts}
    return TriageResult(concept_id, "t1", "0" * 64, {}, score, status, duplicate_of, checks, "p1")


LOGO_REASON = "logo covered: 40% of it exact at its place"
NAME_REASON = "name 莲心茶坊 not read on the banner"


@pytest.fixture
def triage_catalog(catalog) -> Catalog:
    """lotus-tea: s1 passed 88, shortlisted; s2 flagged 35 (logo and lettering), rejected; s3 a near-copy of s1."""
    catalog.save_triage([
        triaged("lotus-tea-s1", 88),
        triaged("lotus-tea-s2", 35, "flagged", reasons={"lettering": [NAME_REASON], "logo": [LOGO_REASON]}),
        triaged("lotus-tea-s3", 61, "duplicate", duplicate_of="lotus-tea-s1"),
    ])
    catalog.review("lotus-tea-s1", "approved", reason="shortlist", reviewer="triage", role=TRIAGE_ROLE)
    catalog.review("lotus-tea-s2", "rejected", reason="below 40", reviewer="triage", role=TRIAGE_ROLE)
    return catalog


def test_gallery_view_cards_show_the_score_badge_and_the_first_reason(triage_catalog, kits):
    view = _view(triage_catalog, kits, page_size=9)
    assert [slot.concept_id for slot in view.slots[:4]] == ["lotus-tea-s1", "lotus-tea-s3", "lotus-tea-s2",
                                                            "grand-northern-balloons-s1"]  # best first, then untriaged
    good, duplicate, flagged, untriaged = (slot.caption.value for slot in view.slots[:4])
    assert 'class="wb-score wb-score-good"' in good and ">88</span>" in good and "T:✓" in good
    assert "no issues found" in good
    assert 'class="wb-score wb-score-flagged"' in flagged and ">35</span>" in flagged and "T:✗" in flagged
    assert f'title="triage 35/100, flagged\n· {NAME_REASON}\n· {LOGO_REASON}"' in flagged  # every reason
    assert '<span class="wb-triage-reason" ' in flagged and f">{NAME_REASON}</span>" in flagged  # the first one shown
    assert "wb-score-duplicate" in duplicate and ">dup</span>" in duplicate and "near-copy of lotus-tea-s1" in duplicate
    assert "not triaged" in untriaged and "wb-score" not in untriaged
    assert "wb-triage-filter" in view.triage._dom_classes and "wb-sort" in view.sort._dom_classes

    view.triage.value = "flagged"
    assert [slot.concept_id for slot in view.slots if slot.concept_id] == ["lotus-tea-s2"]
    view.triage.value = "untriaged"
    assert view.gallery.shown_count == 6
    view.triage.value = ""
    view.sort.value = "made"
    assert [slot.concept_id for slot in view.slots[:3]] == [f"grand-northern-balloons-s{s}" for s in SEEDS]
    view.reset.click()
    assert view.gallery.filters.triage is None and view.triage.value == "" and view.sort.value == "made"


def test_gallery_view_detail_shows_each_check_and_the_original_of_a_near_copy(triage_catalog, kits):
    view = _view(triage_catalog, kits, page_size=9)
    view.slots[2].open.click()  # lotus-tea-s2, flagged
    facts = view.detail_facts.value
    assert "<th>Triage</th>" in facts and ">35</span> flagged" in facts
    assert facts.index('<span class="wb-check-name">lettering</span> 30') < facts.index(
        '<span class="wb-check-name">craft</span> 90')  # failed checks first
    assert f"<li>{LOGO_REASON}</li>" in facts and facts.count('class="wb-check wb-failed"') == 2
    view.slots[1].open.click()  # lotus-tea-s3, a near-copy
    assert "near-copy of <code>lotus-tea-s1</code>" in view.detail_facts.value
    view.slots[3].open.click()
    assert "not triaged yet" in view.detail_facts.value


def test_gallery_view_accepts_the_triage_shortlist_with_one_button(triage_catalog, kits):
    view = _view(triage_catalog, kits, page_size=9)
    button = view.accept_shortlist
    assert "wb-accept-shortlist" in button._dom_classes
    assert button.description == "Accept triage shortlist (1)" and not button.disabled
    button.click()
    assert [(r.verdict, r.reviewer, r.role, r.reason) for r in triage_catalog.history("lotus-tea-s1")][-1] == (
        "approved", "mei", "designer", "triage shortlist")
    assert "D:✓" in view.slots[0].caption.value and "1 concept(s) decided" in view.status.value
    assert button.description == "Accept triage shortlist (0)" and button.disabled


def test_board_contact_sheet_and_handoff_show_scores_best_first(triage_catalog, kits, tmp_path):
    from workbench.curate import contact_sheet as sheet_module
    from workbench.curate import scores
    from workbench.curate.handoff import Text, handoff_pages

    rows = {row.slug: row for row in board(triage_catalog, kits)}
    assert [card.record.id for card in rows["lotus-tea"].cards] == ["lotus-tea-s1", "lotus-tea-s3", "lotus-tea-s2"]
    assert [card.record.seed for card in rows["tern-motors"].cards] == list(SEEDS)  # untriaged: catalog order
    assert [scores.caption(card.triage) for card in rows["lotus-tea"].cards] == ["88", "dup", "35 flagged"]

    size = 96
    out = contact_sheet(triage_catalog, kits, tmp_path / "sheet.png", thumb_size=size)
    row_height = max(size + sheet_module.CAPTION_HEIGHT, sheet_module.LABEL_HEIGHT) + 2 * sheet_module.ROW_PADDING
    lotus_top = sheet_module.HEADER_HEIGHT + sorted(BRANDS).index("lotus-tea") * row_height + sheet_module.ROW_PADDING
    caption_top = lotus_top + size + 10 - 3
    with Image.open(out) as sheet:
        for column, band in enumerate(("good", "duplicate", "flagged")):  # each pill in its band's colour
            left = sheet_module.MARGIN + sheet_module.LABEL_WIDTH + column * (size + sheet_module.GAP)
            assert sheet.getpixel((left + 2, caption_top + 9)) == scores.BAND_COLOURS[band]

    triage_catalog.review("lotus-tea-s2", "approved", reviewer="mei")  # a person rescues the flagged one
    pages = handoff_pages(triage_catalog, kits, "Test Parade", list(BRANDS))
    lotus_page = next(page for page in pages if any(getattr(i, "text", "") == "莲心茶坊" for i in page.items))
    texts = [item.text for item in lotus_page.items if isinstance(item, Text)]
    assert texts.index("lotus-tea-s1") < texts.index("lotus-tea-s2")
    assert "triage: 88" in texts and "triage: 35 flagged" in texts
