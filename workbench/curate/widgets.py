"""The concept review grid for JupyterLab: pick a brand, approve or reject its concepts, rate them.

Every click is written to the catalog at once (as a new review row), and the usable-fraction bars
at the top are redrawn from the catalog, so what you see is always what is stored. What to show
comes from `contact_sheet.board()`; this module only draws it.

    >>> grid = ConceptGrid(catalog, kits, brand="lotus-tea", reviewer="mei")
    >>> grid  # the last expression of a cell displays the widget
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from workbench.catalog import Catalog
from workbench.curate.contact_sheet import VERDICT_COLOURS, VERDICT_LABELS, BrandRow, Card, board
from workbench.curate.thumbnails import thumbnail
from workbench.kits import BrandKit

STYLE = """
<style>
.wb-board { font-family: var(--jp-ui-font-family, system-ui, sans-serif); }
.wb-card { border-radius: 10px; padding: 8px; background: var(--jp-layout-color0, #fff);
           box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.wb-card img { border-radius: 6px; }
.wb-meta { font-size: 11px; color: #777; line-height: 1.5; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.wb-meta code { font-size: 11px; color: #444; background: none; }
.wb-badge { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 10px;
            font-weight: 600; letter-spacing: .04em; margin-right: 6px; }
.wb-star button, button.wb-star { min-width: 0; padding: 0 2px; font-size: 16px; color: #c4962a;
                                  background: none; border: none; box-shadow: none; }
.wb-chart { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px 28px; font-size: 12px; }
.wb-chart-row { display: grid; grid-template-columns: 14em 1fr 7em; align-items: center; gap: 10px; }
.wb-chart-row.wb-selected { font-weight: 600; }
.wb-chart-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.wb-chart-bar { height: 8px; border-radius: 4px; background: #e4e2dc; overflow: hidden; display: flex; }
.wb-chart-note { color: #777; text-align: right; }
</style>
"""


def _css(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def brand_label(row: BrandRow) -> str:
    """The dropdown label: the display name, with the Latin name when it is in another script."""
    return f"{row.name} · {row.subtitle}" if row.subtitle else row.name


def usable_chart_html(rows: list[BrandRow], selected: str | None = None) -> str:
    """One small bar per brand: green for approved, red for rejected, of the reviewed concepts."""
    approved, rejected = _css(VERDICT_COLOURS["approved"]), _css(VERDICT_COLOURS["rejected"])
    lines = []
    for row in rows:
        summary = row.summary
        if summary.reviewed:
            share = 100 * summary.approved / summary.reviewed
            bar = (f'<span style="width:{share:.1f}%;background:{approved}"></span>'
                   f'<span style="width:{100 - share:.1f}%;background:{rejected}"></span>')
            note = f"{summary.approved}/{summary.reviewed} usable"
        else:
            bar, note = "", f"{summary.made} to review"
        chosen = " wb-selected" if row.slug == selected else ""
        lines.append(
            f'<div class="wb-chart-row{chosen}" title="{escape(row.usable_text)}">'
            f'<span class="wb-chart-name">{escape(row.name)}</span>'
            f'<span class="wb-chart-bar">{bar}</span><span class="wb-chart-note">{note}</span></div>'
        )
    return f'<div class="wb-chart">{"".join(lines)}</div>'


def card_caption_html(card: Card) -> str:
    """The verdict badge, the concept id and the seed, small."""
    colour = _css(VERDICT_COLOURS[card.verdict])
    return (
        f'<div class="wb-meta"><span class="wb-badge" style="background:{colour}">{VERDICT_LABELS[card.verdict]}</span>'
        f'seed {card.record.seed}<br><code title="{escape(card.record.id)}">{escape(card.record.id)}</code></div>'
    )


class ConceptCard:
    """One concept's thumbnail, caption and buttons; `grid.review` does the writing."""

    def __init__(self, grid: "ConceptGrid", card: Card, image: bytes):
        concept_id = card.record.id
        self.image = widgets.Image(value=image, format="png", layout=widgets.Layout(width="100%", height="auto"))
        self.caption = widgets.HTML()
        self.approve = widgets.Button(description="Approve", icon="check", tooltip=f"Approve {concept_id}")
        self.reject = widgets.Button(description="Reject", icon="times", tooltip=f"Reject {concept_id}")
        self.stars = [
            widgets.Button(description="☆", tooltip=f"{n} star{'s' * (n > 1)}", layout=widgets.Layout(width="26px"))
            for n in range(1, 6)
        ]
        for button, name in ((self.approve, "wb-approve"), (self.reject, "wb-reject")):
            button.layout = widgets.Layout(width="50%")
            button.add_class(name)
            button.add_class(f"wb-concept-{concept_id}")
        self.approve.on_click(lambda _: grid.review(concept_id, verdict="approved"))
        self.reject.on_click(lambda _: grid.review(concept_id, verdict="rejected"))
        for stars, button in enumerate(self.stars, start=1):
            button.add_class("wb-star")
            button.add_class(f"wb-concept-{concept_id}")
            button.on_click(lambda _, stars=stars: grid.review(concept_id, stars=stars))
        self.box = widgets.VBox(
            [self.image, self.caption, widgets.HBox([self.approve, self.reject]), widgets.HBox(self.stars)],
            layout=widgets.Layout(overflow="hidden"),
        )
        self.box.add_class("wb-card")
        self.box.add_class(f"wb-concept-{concept_id}")
        self.show(card)

    def show(self, card: Card) -> None:
        self.caption.value = card_caption_html(card)
        self.box.layout.border = f"2px solid {_css(VERDICT_COLOURS[card.verdict])}" if card.verdict else "2px solid transparent"
        self.approve.button_style = "success" if card.verdict == "approved" else ""
        self.reject.button_style = "danger" if card.verdict == "rejected" else ""
        for n, button in enumerate(self.stars, start=1):
            button.description = "★" if card.stars and n <= card.stars else "☆"


class ConceptGrid:
    """A brand picker, usable-fraction bars for every brand, and a grid of concept cards.

    Display it as the last expression of a cell (or `display(grid.widget)`).

        >>> grid = ConceptGrid(catalog, kits, reviewer="mei")
        >>> grid.review("lotus-tea-s1-3f2a9c1d", verdict="approved")  # what the Approve button does
    """

    def __init__(
        self,
        catalog: Catalog,
        kits: dict[str, BrandKit],
        brand: str | None = None,
        reviewer: str = "",
        columns: int = 4,
        thumb_size: int = 256,
    ):
        self.catalog = catalog
        self.kits = kits
        self.reviewer = reviewer
        self.thumb_size = thumb_size
        self.cards: dict[str, ConceptCard] = {}
        rows = board(catalog, kits)
        known = [row.slug for row in rows]
        if brand is not None and brand not in known:
            raise ValueError(f"brand {brand!r} has no concepts in {catalog.path}; brands with concepts: {', '.join(known) or 'none'}")
        self.brand = brand or (known[0] if known else None)
        self.picker = widgets.Dropdown(
            options=[(brand_label(row), row.slug) for row in rows], value=self.brand,
            description="Brand", layout=widgets.Layout(width="420px"),
        )
        self.picker.observe(lambda change: self.show(change["new"]), names="value")
        self.status = widgets.HTML()
        self.chart = widgets.HTML()
        self.grid = widgets.GridBox(layout=widgets.Layout(
            grid_template_columns=f"repeat({columns}, minmax(0, 1fr))", grid_gap="14px", width="100%",
        ))
        reviewing = f"Reviewing as <b>{escape(reviewer)}</b>" if reviewer else "Reviewer not set"
        top = widgets.HBox(
            [self.picker, widgets.HTML(f'<span class="wb-meta">{reviewing}</span>'), self.status],
            layout=widgets.Layout(align_items="center", grid_gap="24px"),
        )
        self.widget = widgets.VBox([widgets.HTML(STYLE), top, self.chart, self.grid],
                                   layout=widgets.Layout(grid_gap="12px"))
        self.widget.add_class("wb-board")
        self.show(self.brand)

    def show(self, brand: str | None) -> None:
        """Draw `brand`'s cards (thumbnails are made on first view and cached)."""
        self.brand = brand
        row = self._row(board(self.catalog, self.kits))
        background = row.kit.palette.rgb("background") if row and row.kit else None
        self.cards = {
            card.record.id: ConceptCard(
                self, card, thumbnail(self.catalog, card.record, self.thumb_size, background).read_bytes()
            )
            for card in (row.cards if row else ())
        }
        self.grid.children = [card.box for card in self.cards.values()]
        self.refresh()

    def review(self, concept_id: str, verdict: str | None = None, stars: int | None = None) -> None:
        """Write one decision to the catalog now, then redraw from what is stored."""
        self.catalog.review(concept_id, verdict=verdict, stars=stars, reviewer=self.reviewer)
        self.refresh()

    def refresh(self) -> None:
        rows = board(self.catalog, self.kits)
        self.chart.value = usable_chart_html(rows, self.brand)
        row = self._row(rows)
        if row is None:
            self.status.value = '<span class="wb-meta">No concepts yet: generate some first (02_generate).</span>'
            return
        self.status.value = f'<span class="wb-meta">{escape(row.usable_text)}</span>'
        for card in row.cards:
            if card.record.id in self.cards:
                self.cards[card.record.id].show(card)

    def _row(self, rows: list[BrandRow]) -> BrandRow | None:
        return next((row for row in rows if row.slug == self.brand), None)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
