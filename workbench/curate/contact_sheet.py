"""The review board as rows of brands, and the contact sheet PNG drawn from it.

`board()` is the one plain-Python view of where review stands: per brand, its concepts (best triage
score first once triage has run, else in catalog order) with their verdicts, stars and scores, and
the usable fraction. The contact sheet draws it as a
hand-off PNG; the JupyterLab grid (`workbench.curate.widgets`) draws the same rows interactively.

    >>> rows = board(catalog, kits)
    >>> rows[0].usable_text
    '2 of 4 reviewed usable (50%)'
    >>> contact_sheet(catalog, kits, campaign.gallery_dir / "contact_sheet.png")
    PosixPath('renders/festival-demo/gallery/contact_sheet.png')
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw

from workbench.catalog import BrandSummary, Catalog, ConceptRecord, TriageResult
from workbench.curate import scores
from workbench.curate.thumbnails import thumbnail
from workbench.i18n import N_, Translator, translator
from workbench.kits import BrandKit
from workbench.provenance.labeller import Labeller
from workbench.typography import fit_text, render_text, set_lines

VERDICT_COLOURS: dict[str | None, tuple[int, int, int]] = {
    "approved": (38, 140, 86),
    "rejected": (196, 60, 52),
    None: (138, 138, 142),
}
# The badges' words (N_: translated where they are drawn, see `verdict_label`).
VERDICT_LABELS: dict[str | None, str] = {"approved": N_("APPROVED"), "rejected": N_("REJECTED"), None: N_("TO REVIEW")}

PAPER = (250, 249, 246)
INK = (30, 30, 34)
MUTED = (128, 128, 134)
HAIRLINE = (222, 220, 214)
MARGIN = 56
LABEL_WIDTH = 320
GAP = 20
CAPTION_HEIGHT = 30
ROW_PADDING = 28
MIN_COLUMNS = 3  # keeps the header and the "nothing approved" note inside a narrow sheet
LABEL_HEIGHT = 236  # logo, name, Latin name, swatches and usable bar stacked
HEADER_HEIGHT = 132
FOOTER_HEIGHT = 56


@dataclass(frozen=True)
class Card:
    """One concept as review shows it."""

    record: ConceptRecord
    verdict: str | None  # "approved", "rejected", or None while nobody has decided
    stars: int | None
    triage: TriageResult | None = None  # None until triage has scored the concept


@dataclass(frozen=True)
class BrandRow:
    """One brand's concepts and how many of them are usable."""

    slug: str
    kit: BrandKit | None  # None when the catalog holds a brand whose kit is not loaded
    summary: BrandSummary
    cards: tuple[Card, ...]

    @property
    def name(self) -> str:
        return self.kit.display_name if self.kit else self.slug

    @property
    def subtitle(self) -> str:
        """The Latin name under a display name in another script; empty when they agree."""
        return self.kit.subtitle if self.kit else ""

    @property
    def usable_text(self) -> str:
        return self.usable(translator())

    def usable(self, tr: Translator) -> str:
        """"2 of 4 reviewed usable (50%)" in `tr`'s language."""
        fraction = self.summary.usable_fraction
        if fraction is None:
            return tr._("{made} made, none reviewed yet").format(made=self.summary.made)
        return tr._("{approved} of {reviewed} reviewed usable ({share})").format(
            approved=self.summary.approved, reviewed=self.summary.reviewed, share=f"{fraction:.0%}")


def verdict_label(verdict: str | None, tr: Translator | None = None) -> str:
    """The badge's word for a verdict ("APPROVED", "REJECTED", "TO REVIEW") in `tr`'s language."""
    return (tr or translator())._(VERDICT_LABELS[verdict])


def board(
    catalog: Catalog, kits: dict[str, BrandKit], brands: list[str] | None = None, only_approved: bool = False
) -> list[BrandRow]:
    """Rows for every brand with concepts in the catalog (or just `brands`), in catalog order; each
    row's cards best triage score first (the untriaged after them, in catalog order)."""
    verdicts = catalog.verdicts()
    stars = catalog.stars()
    triage = catalog.triage_results()
    rows = []
    for summary in catalog.summary():
        if brands is not None and summary.brand not in brands:
            continue
        cards = [
            Card(record, verdicts.get(record.id), stars.get(record.id), triage.get(record.id))
            for record in catalog.concepts(summary.brand)
            if record.status == "ok" and (not only_approved or verdicts.get(record.id) == "approved")
        ]
        ordered = tuple(scores.best_first(cards, lambda card: card.triage))
        rows.append(BrandRow(summary.brand, kits.get(summary.brand), summary, ordered))
    return rows


def contact_sheet(
    catalog: Catalog,
    kits: dict[str, BrandKit],
    out_path: Path | str,
    only_approved: bool = False,
    thumb_size: int = 256,
    title: str | None = None,
    labeller: Labeller | None = None,
    lang: str | None = None,
) -> Path:
    """Draw every brand's concepts (or only the approved ones) as one PNG, written atomically, with
    the AI-content labels (`labeller`: the campaign's; by default the personal settings' with labels on).

    One row per brand: logo, name (Chinese included), palette and usable fraction on the left,
    then each concept's thumbnail with a verdict badge, and its triage score and id underneath.
    Its words are in `lang` (None: the process's language); the default title is "Concept contact sheet".
    """
    tr = translator(lang)
    title = title or tr._("Concept contact sheet")
    rows = board(catalog, kits, only_approved=only_approved)
    columns = max([len(row.cards) for row in rows] + [MIN_COLUMNS])
    row_height = max(thumb_size + CAPTION_HEIGHT, LABEL_HEIGHT) + 2 * ROW_PADDING
    width = 2 * MARGIN + LABEL_WIDTH + columns * (thumb_size + GAP) - GAP
    height = HEADER_HEIGHT + max(1, len(rows)) * row_height + FOOTER_HEIGHT
    sheet = Image.new("RGBA", (width, height), (*PAPER, 255))
    _draw_header(sheet, rows, title, only_approved, tr)
    for index, row in enumerate(rows):
        _draw_row(sheet, catalog, row, HEADER_HEIGHT + index * row_height, row_height, thumb_size, tr)
    if not rows:
        _paste(sheet, render_text(tr._("No concepts in this catalog yet."), 20, MUTED), (MARGIN, HEADER_HEIGHT + 40))
    footer = render_text(f"Parade Workbench  ·  {catalog.root.name}  ·  {date.today().isoformat()}", 14, MUTED)
    _paste(sheet, footer, (MARGIN, height - FOOTER_HEIGHT + 20))
    labeller = labeller or Labeller.from_settings()
    return labeller.save_delivered_png(sheet.convert("RGB"), Path(out_path), f"{catalog.root.name}/contact_sheet")


def _draw_header(sheet: Image.Image, rows: list[BrandRow], title: str, only_approved: bool, tr: Translator) -> None:
    made = sum(row.summary.made for row in rows)
    reviewed = sum(row.summary.reviewed for row in rows)
    approved = sum(row.summary.approved for row in rows)
    scope = tr._("approved concepts only") if only_approved else tr._("all concepts")
    facts = tr._("{brands} brands  ·  {made} concepts  ·  {reviewed} reviewed  ·  {approved} approved  ·  {scope}").format(
        brands=len(rows), made=made, reviewed=reviewed, approved=approved, scope=scope)
    _paste(sheet, fit_text(title, sheet.width - 2 * MARGIN, 40, INK), (MARGIN, 40))
    _paste(sheet, fit_text(facts, sheet.width - 2 * MARGIN, 17, MUTED), (MARGIN, 92))
    ImageDraw.Draw(sheet).line([(MARGIN, HEADER_HEIGHT - 1), (sheet.width - MARGIN, HEADER_HEIGHT - 1)], fill=INK, width=2)


def _draw_row(sheet: Image.Image, catalog: Catalog, row: BrandRow, top: int, height: int, thumb_size: int,
              tr: Translator) -> None:
    draw = ImageDraw.Draw(sheet)
    y = top + ROW_PADDING
    if row.kit is not None:
        logo = row.kit.logo_image()
        logo.thumbnail((72, 72), Image.Resampling.LANCZOS)
        _paste(sheet, logo, (MARGIN, y))
        y += 72 + 14
    name = set_lines(row.name, LABEL_WIDTH - 24, 2 * 30 + 8, 2, INK, font=row.kit.font_path if row.kit else None,
                     centred=False, line_height=30)
    _paste(sheet, name, (MARGIN, y))
    y += name.height + 8
    if row.subtitle:
        subtitle = fit_text(row.subtitle, LABEL_WIDTH - 24, 15, MUTED)
        _paste(sheet, subtitle, (MARGIN, y))
        y += subtitle.height + 10
    if row.kit is not None:
        for index, role in enumerate(("primary", "secondary", "accent", "background")):
            left = MARGIN + index * 26
            draw.ellipse([left, y, left + 18, y + 18], fill=row.kit.palette.rgb(role), outline=HAIRLINE)
        y += 30
    _draw_usable_bar(sheet, row, (MARGIN, y), tr)

    left = MARGIN + LABEL_WIDTH
    background = row.kit.palette.rgb("background") if row.kit else None
    for card in row.cards:
        tile = Image.open(thumbnail(catalog, card.record, thumb_size, background)).convert("RGBA")
        if card.verdict == "rejected":
            tile = Image.blend(tile, Image.new("RGBA", tile.size, (*PAPER, 255)), 0.55)
        _paste(sheet, _rounded(tile, 10), (left, top + ROW_PADDING))
        _draw_badge(sheet, card.verdict, (left + 10, top + ROW_PADDING + 10), tr)
        caption_top = top + ROW_PADDING + thumb_size + 10
        caption_left, caption_width = left, thumb_size
        if card.triage is not None:
            score_width = _draw_score(sheet, card.triage, (left, caption_top - 3), tr)
            caption_left += score_width + 6
            caption_width -= score_width + 6
        if card.stars:
            stars = render_text("★" * card.stars + "☆" * (5 - card.stars), 13, (196, 150, 40))
            _paste(sheet, stars, (left + thumb_size - stars.width, caption_top))
            caption_width -= stars.width + 8
        _paste(sheet, fit_text(card.record.id, caption_width, 13, MUTED), (caption_left, caption_top))
        left += thumb_size + GAP
    if not row.cards:
        note = render_text(tr._("Nothing approved yet"), 18, MUTED)
        _paste(sheet, note, (MARGIN + LABEL_WIDTH, top + ROW_PADDING + thumb_size // 2 - note.height // 2))
    bottom = top + height - 1
    draw.line([(MARGIN, bottom), (sheet.width - MARGIN, bottom)], fill=HAIRLINE, width=1)


def _draw_usable_bar(sheet: Image.Image, row: BrandRow, origin: tuple[int, int], tr: Translator) -> None:
    """A thin bar, green for approved, red for rejected, over the reviewed concepts; a line of text under it."""
    left, top = origin
    width = LABEL_WIDTH - 64
    draw = ImageDraw.Draw(sheet)
    draw.rounded_rectangle([left, top, left + width, top + 8], radius=4, fill=HAIRLINE)
    summary = row.summary
    if summary.reviewed:
        approved_width = round(width * summary.approved / summary.reviewed)
        draw.rounded_rectangle([left, top, left + width, top + 8], radius=4, fill=VERDICT_COLOURS["rejected"])
        if approved_width:
            draw.rounded_rectangle([left, top, left + approved_width, top + 8], radius=4, fill=VERDICT_COLOURS["approved"])
    _paste(sheet, fit_text(row.usable(tr), width, 14, MUTED), (left, top + 16))


def _draw_badge(sheet: Image.Image, verdict: str | None, origin: tuple[int, int], tr: Translator) -> None:
    label = render_text(verdict_label(verdict, tr), 11, (255, 255, 255))
    left, top = origin
    pill = [left, top, left + label.width + 16, top + label.height + 10]
    ImageDraw.Draw(sheet).rounded_rectangle(pill, radius=(label.height + 10) // 2, fill=VERDICT_COLOURS[verdict])
    _paste(sheet, label, (left + 8, top + 5))


def _draw_score(sheet: Image.Image, result: TriageResult, origin: tuple[int, int], tr: Translator) -> int:
    """Triage's score ("87", "41 flagged", "dup") as a small pill in its band's colour; returns its width."""
    label = render_text(scores.caption(result, tr), 11, (255, 255, 255))
    left, top = origin
    width = max(label.width + 10, 24)
    pill = [left, top, left + width, top + 18]
    ImageDraw.Draw(sheet).rounded_rectangle(pill, radius=5, fill=scores.BAND_COLOURS[scores.band(result)])
    _paste(sheet, label, (left + (width - label.width) // 2, top + (18 - label.height) // 2))
    return width


def _rounded(image: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, image.width - 1, image.height - 1], radius=radius, fill=255)
    rounded = image.copy()
    rounded.putalpha(mask)
    return rounded


def _paste(sheet: Image.Image, image: Image.Image, origin: tuple[int, int]) -> None:
    sheet.alpha_composite(image.convert("RGBA"), (int(origin[0]), int(origin[1])))
