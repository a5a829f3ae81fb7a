"""The title and end cards: the street soft and dark behind them, and their type and logos on top.

A card is a Scene of three layers: CardBackdrop, Confetti (when particles are on), then TitleCard or EndCard.
The type is laid out in the part of the frame a platform leaves clear (`SafeArea`), the whole frame unless
the campaign names safe zones for the aspect: the backdrop fills the frame, the words stay readable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from workbench.colours import RGB
from workbench.kits import BrandKit
from workbench.parade.art import ArtCache
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.safe_area import SafeArea
from workbench.parade.scenery import festival_rule, quarter_blur
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import CardLayout, Stage
from workbench.parade.text import with_shadow
from workbench.typography import set_lines

CARD_TINT: RGB = (22, 24, 58)
NEARLY_AS_LARGE = 0.9  # end-card tiles this close to the largest possible are worth a row fewer

Placed = tuple[Sprite, int, int]  # a sprite and its top-left in the frame


@dataclass(frozen=True, eq=False)
class CardBackdrop:
    """The street, blurred soft and tinted dark, behind the cards' type.

        >>> CardBackdrop.of(stage.paint_street(colours)).draw(frame, t=0.4, art=ArtCache())
    """

    image: np.ndarray
    span = ALWAYS

    @classmethod
    def of(cls, street: np.ndarray) -> CardBackdrop:
        """Blurred (at a quarter of the size: the same softness for a tenth of the work) and tinted dark."""
        blurred = quarter_blur(street, 4 * max(street.shape[:2]) / 360)
        tint = np.full_like(street, CARD_TINT)
        return cls(cv2.addWeighted(blurred, 0.38, tint, 0.62, 0))

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        np.copyto(frame, self.image)


@dataclass(frozen=True, eq=False)
class TitleCard:
    """The campaign title, centred between two festival-coloured rules.

        >>> TitleCard("Lantern Festival", stage, colours).draw(frame, t=0.4, art=ArtCache())
    """

    title: str
    stage: Stage
    colours: tuple[RGB, ...]
    safe: SafeArea | None = None  # where the type may go: a platform's safe area, or the whole frame
    span = ALWAYS

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        for sprite, x, y in art.once(("title card",), self.placed):
            paste(frame, sprite, x, y)

    def placed(self) -> tuple[Placed, ...]:
        """The rules and the title, each with its top-left in the frame."""
        area, layout = card_area(self.stage, self.safe), self.stage.cards
        w, h = area.width, area.height
        title = with_shadow(set_lines(self.title, round(0.84 * w), round(layout.title_height * h), layout.title_lines))
        rule = festival_rule(round(layout.rule_width * w), max(2, round(0.004 * h)), self.colours)
        x, y = area.left + (w - title.width) // 2, area.top + (h - title.height) // 2 - round(0.02 * h)
        gap = round(0.045 * h)
        rule_x = area.left + (w - rule.width) // 2
        return (
            (rule, rule_x, y - gap),
            (Sprite.from_image(title), x, y),
            (rule, rule_x, y + title.height + gap - rule.height),
        )


@dataclass(frozen=True, eq=False)
class EndCard:
    """The end line, then a tile for each participating brand's logo.

        >>> EndCard("Thanks for watching", stage, kits).draw(frame, t=6.0, art=ArtCache())
    """

    line: str
    stage: Stage
    kits: tuple[BrandKit, ...]
    safe: SafeArea | None = None  # where the line and tiles may go: a platform's safe area, or the whole frame
    span = ALWAYS

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        for sprite, x, y in art.once(("end card",), self.placed):
            paste(frame, sprite, x, y)

    def placed(self) -> tuple[Placed, ...]:
        """The end line first, then each brand's logo tile, each with its top-left in the frame."""
        area, layout, kits = card_area(self.stage, self.safe), self.stage.cards, self.kits
        w, h = area.width, area.height
        text = with_shadow(set_lines(self.line, round(0.84 * w), round(0.16 * h), 2))
        columns, rows, tile = _tile_grid(len(kits), layout, w, h)
        gap = round(tile * 0.16)
        grid_height = rows * tile + (rows - 1) * gap
        text_y = round(layout.end_text_top * h)
        grid_top = text_y + text.height + round(0.07 * h)
        if grid_top + grid_height > 0.93 * h:  # many brands: pull the text up
            text_y = max(round(0.05 * h), text_y - (grid_top + grid_height - round(0.93 * h)))
            grid_top = text_y + text.height + round(0.07 * h)
        placed = [(Sprite.from_image(text), area.left + (w - text.width) // 2, area.top + text_y)]
        for row in range(rows):
            in_row = kits[row * columns:(row + 1) * columns]
            row_width = len(in_row) * tile + (len(in_row) - 1) * gap
            for column, kit in enumerate(in_row):
                x = area.left + (w - row_width) // 2 + column * (tile + gap)
                placed.append((Sprite.from_image(_logo_tile(kit, tile)), x, area.top + grid_top + row * (tile + gap)))
        return tuple(placed)


def card_area(stage: Stage, safe: SafeArea | None) -> SafeArea:
    """Where a card's type goes: the platform's safe area when the campaign names one, else the whole frame."""
    return safe if safe is not None else SafeArea.whole(stage.width, stage.height)


def _tile_grid(count: int, layout: CardLayout, width: int, height: int) -> tuple[int, int, int]:
    """Columns, rows and tile side for `count` logos: one row up to `end_columns` brands; more take the
    columns that set them largest, the fewest rows among grids nearly as large (50 brands: a few wide rows)."""

    def tile_side(columns: int) -> int:
        rows = math.ceil(count / columns)
        return round(min(0.8 * width / columns, layout.end_tiles_height * height / rows) * 0.86)

    if count <= layout.end_columns:
        columns = count
    else:
        largest = max(tile_side(columns) for columns in range(1, count + 1))
        nearly_largest = [columns for columns in range(1, count + 1) if tile_side(columns) >= NEARLY_AS_LARGE * largest]
        columns = min(nearly_largest, key=lambda columns: (math.ceil(count / columns), -tile_side(columns)))
    return columns, math.ceil(count / columns), tile_side(columns)


def _logo_tile(kit: BrandKit, size: int) -> Image.Image:
    """The logo, resized once, centred on a light rounded tile so dark and light logos both read."""
    tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(tile).rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=(252, 250, 246, 240))
    logo = kit.logo_image()
    fit = 0.72 * size / max(logo.size)
    logo = logo.resize((max(1, round(logo.width * fit)), max(1, round(logo.height * fit))), Image.LANCZOS)
    tile.alpha_composite(logo, ((size - logo.width) // 2, (size - logo.height) // 2))
    return tile
