"""The transition from one section of the parade to the break after it: a ribbon wipe."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from workbench.colours import RGB
from workbench.parade.art import ArtCache
from workbench.parade.layers.scene import Scene
from workbench.parade.timeline import ease_in_out

SLANT = 0.22  # of the frame's height: how far the wipe's foot runs ahead of its head
RIBBON = 0.05  # of the frame's width: the band of festival colours along the wipe's edge
STRIPES = 3  # colours in the ribbon


@dataclass(frozen=True, eq=False)
class Wipe:
    """`scene` sweeps in from the right over the `seconds` before `cut`, behind a slanted ribbon of
    festival colours, the way the procession travels; at `cut` it fills the frame.

        >>> Wipe(cutaway, cut=17.69, seconds=0.36, colours=colours).draw(frame, t=17.5, art=ArtCache())
    """

    scene: Scene
    cut: float
    seconds: float
    colours: tuple[RGB, ...]

    @property
    def span(self) -> tuple[float, float]:
        return self.cut - self.seconds, self.cut

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        height, width = frame.shape[:2]
        slant, ribbon = SLANT * height, RIBBON * width
        # The ribbon's left edge at mid-height: from just past the right side to just past the left.
        start, stop = width + slant / 2, -slant / 2 - ribbon
        edge = start + (stop - start) * ease_in_out((t - self.span[0]) / self.seconds)

        def band(left: float, right: float) -> np.ndarray:
            """The slanted band between two edges (at mid-height), in OpenCV's 4-bit fixed point."""
            corners = [(left + slant / 2, 0), (right + slant / 2, 0), (right - slant / 2, height),
                       (left - slant / 2, height)]
            return np.round(np.array(corners) * 16).astype(np.int32)

        incoming = np.empty_like(frame)
        self.scene.draw(incoming, t, art)
        shown = np.zeros((height, width), np.uint8)  # a hard edge: the ribbon's antialiased stripes cover it
        cv2.fillPoly(shown, [band(edge + ribbon, width + slant + ribbon)], 1, shift=4)
        cv2.copyTo(incoming, shown, frame)  # in place, where shown
        stripe = ribbon / STRIPES
        for number in range(STRIPES):
            colour = self.colours[number % len(self.colours)]
            cv2.fillPoly(frame, [band(edge + number * stripe, edge + (number + 1) * stripe + 1)], colour, cv2.LINE_AA,
                         shift=4)
