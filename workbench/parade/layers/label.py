"""The AI-content disclosure: a small, legible pill in the top-right corner, on every frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from workbench.parade.art import ArtCache
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import Stage
from workbench.typography import fit_text

AI_LABEL = "AI-generated content"


@dataclass(frozen=True, eq=False)
class DisclosureLabel:
    """The disclosure, clear of the banner; a layer of its own, so a labels module can replace it.

        >>> DisclosureLabel.corner(stage).draw(frame, t=3.2, art=ArtCache())
    """

    sprite: Sprite
    left: int
    top: int
    span = ALWAYS

    @classmethod
    def corner(cls, stage: Stage, text: str = AI_LABEL) -> DisclosureLabel:
        unit = stage.short_side
        lettering = fit_text(text, round(0.5 * stage.width), max(8, round(0.026 * unit)), (255, 255, 255, 235))
        pad_x, pad_y = max(3, round(0.018 * unit)), max(2, round(0.011 * unit))
        pill = Image.new("RGBA", (lettering.width + 2 * pad_x, lettering.height + 2 * pad_y), (0, 0, 0, 0))
        ImageDraw.Draw(pill).rounded_rectangle(
            (0, 0, pill.width - 1, pill.height - 1), radius=pill.height // 2, fill=(16, 14, 30, 150)
        )
        pill.alpha_composite(lettering, (pad_x, pad_y))
        margin = round(0.03 * unit)
        return cls(Sprite.from_image(pill), stage.width - pill.width - margin, margin)

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        paste(frame, self.sprite, self.left, self.top)
