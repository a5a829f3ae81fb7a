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
from workbench.files import FileHashes, atomic_path, check_concept_file, save_png
from workbench.i18n import Translator, translator
from workbench.kits import BrandKit
from workbench.provenance.aigc import COMPOSITE
from workbench.provenance.labeller import Labeller
from workbench.provenance.visible import place_label
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
    path: Path | Image.Image  # a file, or an image made for the page (the AI-content label)


@dataclass
class Page:
    items: list[Box | Text | Picture] = field(default_factory=list)


def handoff_pages(catalog: Catalog, kits: dict[str, BrandKit], title: str, brands: list[str] | None = None,
                  labeller: Labeller | None = None, lang: str | None = None,
                  visuals: dict[str, list[Path]] | None = None) -> list[Page]:
    """The cover page and each brand's pages of approved concepts (and of its key visuals, `visuals`:
    brand -> the stills' files), laid out in millimetres, each page with the visible AI-content label in
    its corner (unless the labeller's settings turn it off); their words in `lang` (None: the process's
    language)."""
    tr = translator(lang)
    rows = board(catalog, kits, brands=brands, only_approved=True)
    if brands is not None:  # brands of the campaign without any concept still belong on the cover
        known = {row.slug for row in rows}
        rows += [row for row in _empty_rows(brands, kits) if row.slug not in known]
    hashes = FileHashes()
    brand_pages = [page for row in rows if row.cards for page in (
        _brand_pages(catalog, row, hashes, tr) + _visuals_pages(row, (visuals or {}).get(row.slug, []), tr))]
    pages = [_cover(rows, title, tr)] + brand_pages
    for number, page in enumerate(pages, start=1):
        page_of = tr._("page {number} of {pages}").format(number=number, pages=len(pages))
        footer = f"{title}  ·  {catalog.root.name}  ·  {date.today().isoformat()}  ·  {page_of}"
        page.items.append(Text(MARGIN, PAGE_SIZE[1] - MARGIN + 4, 3.2, footer, MUTED))
    labeller = labeller or Labeller.from_settings()
    if labeller.settings.visible:
        label = _label_picture(labeller)
        for page in pages:
            page.items.append(label)
    return pages


def _label_picture(labeller: Labeller, dpi: int = 300) -> Picture:
    """The visible label drawn at `dpi` for the A4 page and placed in millimetres: the same in both renderers."""
    pixels_per_mm = dpi / 25.4
    page_pixels = (round(PAGE_SIZE[0] * pixels_per_mm), round(PAGE_SIZE[1] * pixels_per_mm))
    images = labeller.settings.images
    placed = place_label(labeller.text, page_pixels, images.corner, images.height)
    left, top, width, height = (value / pixels_per_mm for value in placed.box)
    return Picture(left, top, width, height, placed.image)


def _empty_rows(brands: list[str], kits: dict[str, BrandKit]) -> list[BrandRow]:
    from workbench.catalog import BrandSummary

    return [BrandRow(slug, kits.get(slug), BrandSummary(slug, 0, 0, 0), ()) for slug in brands]


def _cover(rows: list[BrandRow], title: str, tr: Translator) -> Page:
    page = Page()
    approved = sum(len(row.cards) for row in rows)
    blocking = [row for row in rows if not row.cards]
    facts = tr._("Approved concepts for hand-off  ·  {brands} brands  ·  {approved} approved").format(
        brands=len(rows), approved=approved)
    if blocking:
        facts += "  ·  " + tr._("{count} with nothing approved").format(count=len(blocking))
    page.items += [
        Text(MARGIN, MARGIN, 11, title),
        Text(MARGIN, MARGIN + 15, 4.5, facts, MUTED),
        Box(MARGIN, MARGIN + 24, PAGE_SIZE[0] - 2 * MARGIN, 0.6, INK),
    ]
    per_column = 22
    column_width = (PAGE_SIZE[0] - 2 * MARGIN) / 2
    for index, row in enumerate(rows[: 2 * per_column]):
        x = MARGIN + (index // per_column) * column_width
        y = MARGIN + 30 + (index % per_column) * 6.6
        count = tr._("{count} approved").format(count=len(row.cards)) if row.cards else tr._("blocks parade")
        page.items.append(Text(x, y + 0.3, 3.6, count, MUTED if row.cards else VERDICT_COLOURS["rejected"]))
        name = row.name + (f"  ({row.subtitle})" if row.subtitle else "")
        page.items.append(Text(x + 28, y, 4.2, name if len(name) <= 46 else name[:45] + "…"))
    if len(rows) > 2 * per_column:
        more = tr._("… and {count} more brands").format(count=len(rows) - 2 * per_column)
        page.items.append(Text(MARGIN, PAGE_SIZE[1] - MARGIN - 6, 3.6, more, MUTED))
    return page


def _brand_pages(catalog: Catalog, row: BrandRow, hashes: FileHashes, tr: Translator) -> list[Page]:
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
        facts = tr._("{count} approved concept(s)").format(count=len(row.cards))
        if start:
            facts += "  ·  " + tr._("continued ({part})").format(part=start // per_page + 1)
        page.items.append(Text(MARGIN, MARGIN + 21, 3.6, facts, MUTED))
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
            seed = tr._("seed {seed}").format(seed=card.record.seed)
            page.items.append(Text(x, y + cell + 6.5, 2.8, f"{seed}{stars}", MUTED))
            if card.triage is not None:
                colour = scores.BAND_COLOURS[scores.band(card.triage)]
                triage = tr._("triage: {caption}").format(caption=scores.caption(card.triage, tr))
                page.items.append(Text(x, y + cell + 10.5, 2.8, triage, colour))
        pages.append(page)
    return pages


def _visuals_pages(row: BrandRow, stills: list[Path], tr: Translator) -> list[Page]:
    """One page of a brand's key visuals, each at its own aspect, with its file name and size."""
    if not stills:
        return []
    page = Page()
    page.items.append(Text(MARGIN, MARGIN, 10, row.name))
    page.items.append(Text(MARGIN, MARGIN + 21, 3.6, tr._("{count} key visual(s)").format(count=len(stills)), MUTED))
    page.items.append(Box(MARGIN, MARGIN + 28, PAGE_SIZE[0] - 2 * MARGIN, 0.5, INK))
    width = (PAGE_SIZE[0] - 2 * MARGIN - (COLUMNS - 1) * CELL_GAP) / COLUMNS
    tallest = width * 16 / 9  # a 9:16 story fills its cell
    for index, path in enumerate(stills):
        with Image.open(path) as image:
            size = image.size
        x = MARGIN + (index % COLUMNS) * (width + CELL_GAP)
        y = MARGIN + 34 + (index // COLUMNS) * (tallest + 12)
        scale = min(width / size[0], tallest / size[1])
        page.items.append(Picture(x, y, size[0] * scale, size[1] * scale, path))
        page.items.append(Text(x, y + size[1] * scale + 2, 2.8, f"{path.name}  ·  {size[0]}x{size[1]}", MUTED))
    return [page]


# Renderers ----------------------------------------------------------------------------------------


def write_pdf(pages: list[Page], path: Path | str, title: str = "", labeller: Labeller | None = None,
              produce_id: str = "handoff") -> Path:
    """The pages as one PDF, written atomically; text set in the first installed font that has its glyphs;
    the implicit AI-content label as the document's XMP metadata."""
    from fpdf import FPDF

    labeller = labeller or Labeller.from_settings()
    path = Path(path)
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_xmp_metadata(labeller.xmp(produce_id, COMPOSITE, labeller.image_label, wrapped=False))
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
                source = item.path if isinstance(item.path, Image.Image) else str(item.path)
                pdf.image(source, x=item.x, y=item.y, w=item.w, h=item.h)
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
    with atomic_path(path) as temp:
        pdf.output(str(temp))
    return path


def _fitted(picture: Picture, width: int, height: int) -> Image.Image:
    if isinstance(picture.path, Image.Image):
        return picture.path.convert("RGBA").resize((width, height), Image.Resampling.LANCZOS)
    with Image.open(picture.path) as image:
        return image.convert("RGBA").resize((width, height), Image.Resampling.LANCZOS)


def write_pngs(pages: list[Page], folder: Path | str, stem: str = "contact_sheet", dpi: int = PNG_DPI,
               labeller: Labeller | None = None, produce_id: str = "handoff") -> list[Path]:
    """Each page as `<stem>_p01.png`, ... drawn with Pillow at `dpi`, with the implicit AI-content label."""
    labeller = labeller or Labeller.from_settings()
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
                canvas.alpha_composite(_fitted(item, round(item.w * scale), round(item.h * scale)), (x, y))
            else:
                text = render_text(item.text, max(8, round(item.size * scale * 0.8)), item.colour)
                canvas.alpha_composite(text, (x, y + round(item.size * scale * 0.1)))
        path = folder / f"{stem}_p{number:02d}.png"
        # The visible label is already on the page (one of its items): record it, do not stamp it twice.
        save_png(canvas.convert("RGB"), path,
                 labeller.png_text(f"{produce_id}/p{number:02d}", COMPOSITE, labeller.image_label))
        paths.append(path)
    return paths


def contact_sheet_pdf(
    catalog: Catalog,
    kits: dict[str, BrandKit],
    folder: Path | str,
    title: str | None = None,
    brands: list[str] | None = None,
    labeller: Labeller | None = None,
    lang: str | None = None,
    visuals: dict[str, list[Path]] | None = None,
) -> tuple[Path, list[Path]]:
    """Write `contact_sheet.pdf` and a PNG per page into `folder`; returns their paths. Both carry the
    AI-content labels (`labeller`: the campaign's; by default the personal settings' with labels on).
    Their words are in `lang` (None: the process's language); the default title is "Approved concepts"."""
    labeller = labeller or Labeller.from_settings()
    title = title or translator(lang)._("Approved concepts")
    pages = handoff_pages(catalog, kits, title, brands, labeller, lang, visuals)
    folder = Path(folder)
    for old in folder.glob("contact_sheet_p*.png"):  # a shorter sheet than last time leaves no stale pages
        old.unlink()
    produce_id = f"{catalog.root.name}/handoff"  # the campaign's folder name: it leads back to its catalog
    return (write_pdf(pages, folder / "contact_sheet.pdf", title, labeller, produce_id),
            write_pngs(pages, folder, labeller=labeller, produce_id=produce_id))
