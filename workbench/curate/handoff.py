"""The client hand-off: the approved concepts per brand as a PDF (fpdf2) and one PNG per page.

One layout, two renderers. `handoff_pages()` lays the pages out once, in millimetres, as plain
boxes, text and images; `write_pdf()` draws them with fpdf2 (real, searchable text, the CJK font
embedded as a subset) and `write_pngs()` draws the very same boxes with Pillow and our typography.
A cover page lists every brand and says which have nothing approved (they block the parade);
then each brand with approved concepts gets its page(s): name (Chinese included), Latin name,
palette, and a grid of its approved concepts (best triage score first) with their ids, seeds, stars
and triage scores.

    >>> pdf, pngs = contact_sheet_pdf(catalog, kits, campaign.gallery_dir / "handoff", title="Festival Parade")
    >>> pdf.name, len(pngs)
    ('contact_sheet.pdf', 6)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw

from workbench.catalog import Catalog
from workbench.curate import scores
from workbench.curate.contact_sheet import INK, MUTED, PAPER, VERDICT_COLOURS, BrandRow, board
from workbench.curate.thumbnails import thumbnail
from workbench.files import FileHashes, atomic_path, check_concept_file
from workbench.kits import BrandKit
from workbench.typography import face_for, render_text

PAGE_SIZE = (297.0, 210.0)  # A4 landscape, millimetres
MARGIN = 14.0
COLUMNS, ROWS = 5, 2
CELL_GAP = 6.0
PNG_DPI = 150
THUMB_PIXELS = 512  # the cached thumbnail embedded per concept (about 300 dpi at the printed size)
Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: Colour


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the top of the line
    size: float  # the line's height in millimetres
    text: str
    colour: Colour = INK


@dataclass(frozen=True)
class Picture:
    x: float
    y: float
    w: float
    h: float
    path: Path


@dataclass
class Page:
    items: list[Box | Text | Picture] = field(default_factory=list)


def handoff_pages(catalog: Catalog, kits: dict[str, BrandKit], title: str, brands: list[str] | None = None) -> list[Page]:
    """The cover page and each brand's pages of approved concepts, laid out in millimetres."""
    rows = board(catalog, kits, brands=brands, only_approved=True)
    if brands is not None:  # brands of the campaign without any concept still belong on the cover
        known = {row.slug for row in rows}
        rows += [row for row in _empty_rows(brands, kits) if row.slug not in known]
    hashes = FileHashes()
    brand_pages = [page for row in rows if row.cards for page in _brand_pages(catalog, row, title, hashes)]
    pages = [_cover(rows, title)] + brand_pages
    for number, page in enumerate(pages, start=1):
        footer = f"{title}  ·  {catalog.root.name}  ·  {date.today().isoformat()}  ·  page {number} of {len(pages)}"
        page.items.append(Text(MARGIN, PAGE_SIZE[1] - MARGIN + 4, 3.2, footer, MUTED))
    return pages


def _empty_rows(brands: list[str], kits: dict[str, BrandKit]) -> list[BrandRow]:
    from workbench.catalog import BrandSummary

    return [BrandRow(slug, kits.get(slug), BrandSummary(slug, 0, 0, 0), ()) for slug in brands]


def _cover(rows: list[BrandRow], title: str) -> Page:
    page = Page()
    approved = sum(len(row.cards) for row in rows)
    blocking = [row for row in rows if not row.cards]
    page.items += [
        Text(MARGIN, MARGIN, 11, title),
        Text(MARGIN, MARGIN + 15, 4.5, f"Approved concepts for hand-off  ·  {len(rows)} brands  ·  {approved} approved"
             + (f"  ·  {len(blocking)} with nothing approved" if blocking else ""), MUTED),
        Box(MARGIN, MARGIN + 24, PAGE_SIZE[0] - 2 * MARGIN, 0.6, INK),
    ]
    per_column = 22
    column_width = (PAGE_SIZE[0] - 2 * MARGIN) / 2
    for index, row in enumerate(rows[: 2 * per_column]):
        x = MARGIN + (index // per_column) * column_width
        y = MARGIN + 30 + (index % per_column) * 6.6
        count = f"{len(row.cards)} approved" if row.cards else "blocks parade"
        page.items.append(Text(x, y + 0.3, 3.6, count, MUTED if row.cards else VERDICT_COLOURS["rejected"]))
        name = row.name + (f"  ({row.subtitle})" if row.subtitle else "")
        page.items.append(Text(x + 28, y, 4.2, name if len(name) <= 46 else name[:45] + "…"))
    if len(rows) > 2 * per_column:
        page.items.append(Text(MARGIN, PAGE_SIZE[1] - MARGIN - 6, 3.6, f"… and {len(rows) - 2 * per_column} more brands", MUTED))
    return page


def _brand_pages(catalog: Catalog, row: BrandRow, title: str, hashes: FileHashes) -> list[Page]:
    background = row.kit.palette.rgb("background") if row.kit else None
    cell = (PAGE_SIZE[0] - 2 * MARGIN - (COLUMNS - 1) * CELL_GAP) / COLUMNS
    per_page = COLUMNS * ROWS
    pages = []
    for start in range(0, len(row.cards), per_page):
        page = Page()
        page.items.append(Text(MARGIN, MARGIN, 10, row.name))
        if row.subtitle:
            page.items.append(Text(MARGIN, MARGIN + 13, 4.5, row.subtitle, MUTED))
        if row.kit is not None:
            for index, role in enumerate(("primary", "secondary", "accent", "background")):
                page.items.append(Box(PAGE_SIZE[0] - MARGIN - (4 - index) * 9, MARGIN + 2, 7, 7, row.kit.palette.rgb(role)))
        more = f"  ·  continued ({start // per_page + 1})" if start else ""
        page.items.append(Text(MARGIN, MARGIN + 21, 3.6, f"{len(row.cards)} approved concept(s){more}", MUTED))
        page.items.append(Box(MARGIN, MARGIN + 28, PAGE_SIZE[0] - 2 * MARGIN, 0.5, INK))
        for index, card in enumerate(row.cards[start:start + per_page]):
            x = MARGIN + (index % COLUMNS) * (cell + CELL_GAP)
            y = MARGIN + 34 + (index // COLUMNS) * (cell + 14)
            # The client sees the file the catalog recorded, or the hand-off stops: a replaced or cut-short
            # file fails here even when a thumbnail of the right image is still cached.
            check_concept_file(catalog.image_path(card.record), card.record.id, card.record.content_hash, hashes)
            path = thumbnail(catalog, card.record, THUMB_PIXELS, background)
            page.items.append(Picture(x, y, cell, cell, path))
            page.items.append(Text(x, y + cell + 2, 3.0, card.record.id))
            stars = f"  ·  {'★' * card.stars}" if card.stars else ""
            page.items.append(Text(x, y + cell + 6.5, 2.8, f"seed {card.record.seed}{stars}", MUTED))
            if card.triage is not None:
                colour = scores.BAND_COLOURS[scores.band(card.triage)]
                page.items.append(Text(x, y + cell + 10.5, 2.8, f"triage: {scores.caption(card.triage)}", colour))
        pages.append(page)
    return pages


# Renderers ----------------------------------------------------------------------------------------


def write_pdf(pages: list[Page], path: Path | str, title: str = "") -> Path:
    """The pages as one PDF, written atomically; text set in the first installed font that has its glyphs."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("Parade Workbench")
    families: dict[tuple[str, int], str] = {}
    for page in pages:
        pdf.add_page()
        pdf.set_fill_color(*PAPER)
        pdf.rect(0, 0, *PAGE_SIZE, style="F")
        for item in page.items:
            if isinstance(item, Box):
                pdf.set_fill_color(*item.fill)
                pdf.rect(item.x, item.y, item.w, item.h, style="F")
            elif isinstance(item, Picture):
                pdf.image(str(item.path), x=item.x, y=item.y, w=item.w, h=item.h)
            else:
                face = face_for(item.text)
                key = (face.path, face.index)
                if key not in families:
                    families[key] = f"face{len(families)}"
                    pdf.add_font(families[key], fname=face.path, collection_font_number=face.index)
                pdf.set_font(families[key], size=item.size / 0.3528)  # millimetres to points
                pdf.set_text_color(*item.colour)
                pdf.set_xy(item.x, item.y)
                pdf.cell(h=item.size, text=item.text)
    path = Path(path)
    with atomic_path(path) as temp:
        pdf.output(str(temp))
    return path


def write_pngs(pages: list[Page], folder: Path | str, stem: str = "contact_sheet", dpi: int = PNG_DPI) -> list[Path]:
    """Each page as `<stem>_p01.png`, ... drawn with Pillow at `dpi`."""
    scale = dpi / 25.4
    folder = Path(folder)
    paths = []
    for number, page in enumerate(pages, start=1):
        canvas = Image.new("RGBA", (round(PAGE_SIZE[0] * scale), round(PAGE_SIZE[1] * scale)), (*PAPER, 255))
        draw = ImageDraw.Draw(canvas)
        for item in page.items:
            x, y = round(item.x * scale), round(item.y * scale)
            if isinstance(item, Box):
                draw.rectangle([x, y, x + max(1, round(item.w * scale)) - 1, y + max(1, round(item.h * scale)) - 1],
                               fill=item.fill)
            elif isinstance(item, Picture):
                with Image.open(item.path) as picture:
                    fitted = picture.convert("RGBA").resize((round(item.w * scale), round(item.h * scale)),
                                                            Image.Resampling.LANCZOS)
                canvas.alpha_composite(fitted, (x, y))
            else:
                text = render_text(item.text, max(8, round(item.size * scale * 0.8)), item.colour)
                canvas.alpha_composite(text, (x, y + round(item.size * scale * 0.1)))
        path = folder / f"{stem}_p{number:02d}.png"
        with atomic_path(path) as temp:
            canvas.convert("RGB").save(temp, format="PNG")
        paths.append(path)
    return paths


def contact_sheet_pdf(
    catalog: Catalog,
    kits: dict[str, BrandKit],
    folder: Path | str,
    title: str = "Approved concepts",
    brands: list[str] | None = None,
) -> tuple[Path, list[Path]]:
    """Write `contact_sheet.pdf` and a PNG per page into `folder`; returns their paths."""
    pages = handoff_pages(catalog, kits, title, brands)
    folder = Path(folder)
    for old in folder.glob("contact_sheet_p*.png"):  # a shorter sheet than last time leaves no stale pages
        old.unlink()
    return write_pdf(pages, folder / "contact_sheet.pdf", title), write_pngs(pages, folder)
