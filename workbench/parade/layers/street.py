"""The street the procession passes along: the stage's painting, seen through the camera; and the campaign header.

Where the stage has a header (the campaign title over the sky), a still camera has it painted into
the street once; a camera that moves or softens the backdrop leaves it out of the street and draws it
on the screen (`Header`), so the title neither zooms with the push-in nor blurs with the backdrop.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
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

SOFT_BACKDROP = 0.0035  # of the frame's height: the blur of the backdrop while the focus is on the front float
FOCUS_STEPS = 32  # the focus pull's cross-fade, in steps too fine to see (each made once, then reused)

Placed = tuple[Sprite, int, int]  # a sprite and its top-left in the frame


@dataclass(frozen=True, eq=False)
class Street:
    """The painted street, the backdrop of the procession; where the stage has a header and the camera is
    still, the campaign title stays up over the sky (painted in once: it is still while the camera is).

    With the camera's depth of field, the backdrop is cross-faded to a copy blurred once per film
    while a float holds the front (never a blur per frame).

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
        if stage.has_header and not _header_on_screen(stage, camera):
            for sprite, x, y in _header(title, stage, colours, safe):
                paste(plate, sprite, x, y)
        return cls(plate, camera)

    @property
    def moves(self) -> bool:
        """Whether the backdrop ever looks other than its still plate (framed closer, or softened)."""
        return self.camera.alters_backdrop

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        self.camera.plate(self._backdrop(t, art), t, frame)

    def _backdrop(self, t: float, art: ArtCache) -> np.ndarray:
        """The plate as sharp as the focus pull at `t` leaves it."""
        step = round(self.camera.softness(t) * FOCUS_STEPS)
        if step <= 0:
            return self._plate("sharp", art)
        if step >= FOCUS_STEPS:
            return self._plate("soft", art)
        blends = art.once(("street", "blends"), lambda: ArtCache(keep=2))
        share = step / FOCUS_STEPS
        return blends.once(step, lambda: cv2.addWeighted(self._plate("sharp", art), 1 - share,
                                                         self._plate("soft", art), share, 0))

    def _plate(self, focus: str, art: ArtCache) -> np.ndarray:
        """The plate "sharp" or "soft", made once; RGBX when the camera moves, as OpenCV warps that faster."""
        if focus == "sharp" and not self.camera.moves:
            return self.plate

        def make() -> np.ndarray:
            plate = self.plate if focus == "sharp" else cv2.GaussianBlur(
                self.plate, (0, 0), max(0.5, SOFT_BACKDROP * self.plate.shape[0]))
            return cv2.cvtColor(plate, cv2.COLOR_RGB2RGBA) if self.camera.moves else plate

        return art.once(("street", focus), make)


@dataclass(frozen=True, eq=False)
class Header:
    """The campaign title small over the sky, on the screen: it stays put and sharp while the camera pushes in.

        >>> Header("Lantern Festival", stage, colours).draw(frame, t=3.2, art=ArtCache())
    """

    title: str
    stage: Stage
    colours: tuple[RGB, ...]
    safe: SafeArea | None = None
    span = ALWAYS

    @staticmethod
    def over(stage: Stage, title: str, colours: tuple[RGB, ...], camera: Camera,
             safe: SafeArea | None = None) -> tuple[Header, ...]:
        """The header layer a film needs: one where the stage has a header the street leaves out (see `Street`)."""
        return (Header(title, stage, colours, safe),) if _header_on_screen(stage, camera) else ()

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        for sprite, x, y in art.once(("header",), lambda: _header(self.title, self.stage, self.colours, self.safe)):
            paste(frame, sprite, x, y)


def _header_on_screen(stage: Stage, camera: Camera) -> bool:
    """Whether the stage's header is drawn on the screen rather than painted into the street: when the camera
    frames the street closer or softens it, which the title must not follow."""
    return stage.has_header and camera.alters_backdrop


def _header(title: str, stage: Stage, colours: tuple[RGB, ...], safe: SafeArea | None) -> tuple[Placed, ...]:
    """The campaign title small over the sky, with a festival-coloured rule under it, centred in the safe area."""
    safe = safe or SafeArea.whole(stage.width, stage.height)
    text = with_shadow(fit_text(title, round(0.8 * safe.width), round(0.036 * stage.height), (255, 250, 240)))
    top = max(round(stage.header_top * stage.height), safe.top)
    rule = festival_rule(round(0.22 * safe.width), max(2, round(0.003 * stage.height)), colours)
    return ((Sprite.from_image(text), safe.left + (safe.width - text.width) // 2, top),
            (rule, safe.left + (safe.width - rule.width) // 2, top + text.height + round(0.004 * stage.height)))
