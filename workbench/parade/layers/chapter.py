"""A chapter card: the title of the group of brands that follows, between two sections of the parade.

A chapter is a Scene like the title card (CardBackdrop, Confetti when particles are on, then ChapterCard),
set by the same type routines, so a Chinese group title breaks and sizes as a Chinese campaign title does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.colours import RGB
from workbench.parade.art import ArtCache
from workbench.parade.layers.cards import Placed, card_area
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.safe_area import SafeArea
from workbench.parade.scenery import festival_rule
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import Stage
from workbench.parade.text import with_shadow
from workbench.typography import set_lines

NUMBER_HEIGHT = 0.075  # of the frame's height: the chapter's number over its title
TITLE_SHARE = 0.85  # of the title card's type height: a chapter reads as a part of the film, not its title


@dataclass(frozen=True, eq=False)
class ChapterCard:
    """The chapter's number in a festival colour, the group's title under it, and a festival rule beneath.

        >>> ChapterCard("茶饮 · Tea houses", 2, stage, colours).draw(frame, t=9.8, art=ArtCache())
    """

    title: str
    number: int  # 1 for the parade's first chapter
    stage: Stage
    colours: tuple[RGB, ...]
    safe: SafeArea | None = None  # where the type may go: a platform's safe area, or the whole frame
    span = ALWAYS

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        for sprite, x, y in art.once(("chapter card", self.number), self._set):
            paste(frame, sprite, x, y)

    def _set(self) -> tuple[Placed, ...]:
        area, layout = card_area(self.stage, self.safe), self.stage.cards
        w, h = area.width, area.height
        colour = self.colours[(self.number - 1) % len(self.colours)]
        number = with_shadow(set_lines(f"{self.number:02d}", w, round(NUMBER_HEIGHT * h), 1, colour))
        title = with_shadow(set_lines(self.title, round(0.84 * w), round(TITLE_SHARE * layout.title_height * h),
                                      layout.title_lines))
        rule = festival_rule(round(layout.rule_width * w), max(2, round(0.004 * h)), self.colours)
        gap = round(0.02 * h)
        height = number.height + title.height + rule.height + 2 * gap
        top = area.top + (h - height) // 2
        title_top = top + number.height + gap
        return (
            (Sprite.from_image(number), area.left + (w - number.width) // 2, top),
            (Sprite.from_image(title), area.left + (w - title.width) // 2, title_top),
            (rule, area.left + (w - rule.width) // 2, title_top + title.height + gap),
        )
