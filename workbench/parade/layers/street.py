"""The street the procession passes along: the stage's painting, seen through the camera."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.colours import RGB
from workbench.parade.art import ArtCache
from workbench.parade.camera import Camera
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.safe_area import SafeArea
from workbench.parade.scenery import festival_rule
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import Stage
from workbench.parade.text import with_shadow
from workbench.typography import fit_text


@dataclass(frozen=True, eq=False)
class Street:
    """The painted street, the backdrop of the procession; where the stage has a header, the campaign
    title stays up over the sky (painted in once: it is still while the camera is).

        >>> street = Street.build(stage, stage.paint_street(colours), colours, "Lantern Festival", Camera())
        >>> street.draw(frame, t=3.2, art=ArtCache())
    """

    plate: np.ndarray  # RGB, the whole world the camera frames
    camera: Camera
    span = ALWAYS

    @classmethod
    def build(cls, stage: Stage, painting: np.ndarray, colours: tuple[RGB, ...], title: str, camera: Camera,
              safe: SafeArea | None = None) -> Street:
        plate = painting.copy()  # the cards' backdrop is made from the painting without the header
        if stage.has_header:
            _paint_header(plate, title, stage, colours, safe or SafeArea.whole(stage.width, stage.height))
        return cls(plate, camera)

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        np.copyto(frame, self.camera.plate(self.plate, t))


def _paint_header(street: np.ndarray, title: str, stage: Stage, colours: tuple[RGB, ...], safe: SafeArea) -> None:
    """The campaign title small over the sky, with a festival-coloured rule under it, centred in the safe area."""
    text = with_shadow(fit_text(title, round(0.8 * safe.width), round(0.036 * stage.height), (255, 250, 240)))
    top = max(round(stage.header_top * stage.height), safe.top)
    paste(street, Sprite.from_image(text), safe.left + (safe.width - text.width) // 2, top)
    rule = festival_rule(round(0.22 * safe.width), max(2, round(0.003 * stage.height)), colours)
    paste(street, rule, safe.left + (safe.width - rule.width) // 2, top + text.height + round(0.004 * stage.height))
