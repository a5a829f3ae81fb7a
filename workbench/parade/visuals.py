"""Key visuals: the festival stills of each brand, made from the float its parade shows.

Per brand and per size in the campaign's `visuals.sizes` (by default an 800 and a 1200 square main
image, a 3:4 poster and a 9:16 story): the parade's street for the nearest film aspect behind, the
campaign title over the sky, the float (the brand's approved concept the film would choose) with its
exact logo, and product where the kit has one, drawn again at the still's size, then the name and
tagline. Every still carries the AI-content labels and is written atomically.

    >>> made = make_visuals(campaign, kits, catalog)
    >>> [visual.path.name for visual in made][:2]
    ['golden-rabbit-bakery_square-800.png', 'golden-rabbit-bakery_square-1200.png']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from workbench.campaign import Campaign
from workbench.catalog import Catalog, ConceptRecord
from workbench.finishing import draw_mark
from workbench.kits import BrandKit
from workbench.marks import Box, FloatLayout
from workbench.parade import choose_floats
from workbench.parade.floats import float_cutout, trimmed_corner
from workbench.parade.scenery import festival_colours
from workbench.parade.stages import stage_for
from workbench.parade.text import with_shadow
from workbench.provenance.labeller import Labeller
from workbench.typography import set_lines

ASPECTS = {"16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1.0, "4:5": 4 / 5}
TITLE_BAND = (0.03, 0.13)  # of the height: where the campaign title is set
FLOAT_AREA = (0.06, 0.15, 0.94, 0.72)  # left, top, right, bottom: the box the float is fitted into
NAME_BAND = (0.74, 0.86)
TAGLINE_BAND = (0.865, 0.93)


@dataclass(frozen=True)
class KeyVisual:
    """One still as written, and where its exact marks were drawn (for checks and the hand-off)."""

    brand: str
    name: str
    path: Path
    size: tuple[int, int]
    concept_id: str
    logo_box: Box
    product_box: Box | None


def nearest_aspect(size: tuple[int, int]) -> str:
    """The film aspect whose street suits a still of this size best."""
    ratio = size[0] / size[1]
    return min(ASPECTS, key=lambda aspect: abs(np.log(ASPECTS[aspect] / ratio)))


def make_visuals(campaign: Campaign, kits: list[BrandKit], catalog: Catalog,
                 labeller: Labeller | None = None) -> list[KeyVisual]:
    """Every brand's stills at every size of the campaign (brands without an approved float are left
    out with a warning, as from the film)."""
    labeller = labeller or Labeller.for_campaign(campaign)
    chosen, _skipped = choose_floats(kits, catalog)
    colours = festival_colours(kits)
    streets: dict[tuple[int, int], np.ndarray] = {}  # one street painting per size, shared by the brands
    made = []
    for kit, record in chosen:
        for name, size in campaign.visuals.sizes.items():
            if size not in streets:
                streets[size] = stage_for(nearest_aspect(size), size).paint_street(colours)
            image, logo_box, product_box = compose_visual(campaign.title, kit, record, catalog, streets[size])
            path = campaign.visuals_dir / kit.slug / f"{kit.slug}_{name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            labeller.save_delivered_png(image.convert("RGB"), path, f"{kit.slug}_{name}")
            made.append(KeyVisual(kit.slug, name, path, size, record.id, logo_box, product_box))
    return made


def compose_visual(title: str, kit: BrandKit, record: ConceptRecord, catalog: Catalog,
                   street: np.ndarray) -> tuple[Image.Image, Box, Box | None]:
    """One still over `street` (its size is the still's): returns it with its logo and product boxes."""
    height, width = street.shape[:2]
    canvas = Image.fromarray(street).convert("RGBA")
    _set_text(canvas, title, TITLE_BAND, 1, 0.8)

    layout = FloatLayout.from_settings(record.settings)
    cut = float_cutout(catalog.image_path(record))
    corner = trimmed_corner(catalog.image_path(record))  # where the cut-out starts on the concept
    left, top, right, bottom = (round(v * s) for v, s in zip(FLOAT_AREA, (width, height, width, height)))
    scale = min((right - left) / cut.width, (bottom - top) / cut.height)
    fitted = cut.resize((max(1, round(cut.width * scale)), max(1, round(cut.height * scale))), Image.LANCZOS)
    origin = ((left + right - fitted.width) // 2, bottom - fitted.height)
    canvas.alpha_composite(fitted, origin)

    logo_box = product_box = None
    if layout is not None:  # the marks again at this size, exact, as finishing draws them
        def placed(box: Box) -> Box:
            return tuple(round(origin[i % 2] + (box[i] - corner[i % 2]) * scale) for i in range(4))

        logo_box = placed(layout.logo_box)
        if layout.product_box is not None and kit.products:
            product_box = placed(layout.product_box)
            draw_mark(canvas, kit.product_image(), product_box)
        draw_mark(canvas, kit.logo_image(), logo_box)
    _set_text(canvas, kit.display_name, NAME_BAND, 1, 0.86)
    if kit.tagline:
        _set_text(canvas, kit.tagline, TAGLINE_BAND, 1, 0.8)
    if logo_box is None:  # a float made elsewhere: its own pixels hold the logo; the box is the float's
        logo_box = (origin[0], origin[1], origin[0] + fitted.width, origin[1] + fitted.height)
    return canvas, logo_box, product_box


def _set_text(canvas: Image.Image, text: str, band: tuple[float, float], lines: int, width_share: float) -> None:
    """`text` centred in a horizontal band of the canvas (shares of its height), over a soft glow."""
    top, bottom = round(band[0] * canvas.height), round(band[1] * canvas.height)
    block = with_shadow(set_lines(text, round(width_share * canvas.width), bottom - top, lines))
    canvas.alpha_composite(block, ((canvas.width - block.width) // 2, (top + bottom - block.height) // 2))
