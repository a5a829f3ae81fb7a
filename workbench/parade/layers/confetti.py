"""Paper confetti falling and fluttering over the title and end cards."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from workbench.colours import RGB
from workbench.parade.art import ArtCache
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.scenery import SCENERY_SEED


@dataclass(frozen=True, eq=False)
class Confetti:
    """Seeded confetti in the festival colours; a pure function of time.

        >>> Confetti.scatter(colours).draw(frame, t=0.4, art=ArtCache())
    """

    pieces: np.ndarray  # rows: x, y, fall speed, sway, spin, size, phase (fractions of the frame)
    colours: tuple[RGB, ...]
    span = ALWAYS

    @classmethod
    def scatter(cls, colours: tuple[RGB, ...], count: int = 110, seed: int = SCENERY_SEED) -> Confetti:
        rng = np.random.default_rng(seed)
        pieces = np.column_stack([
            rng.uniform(0, 1, count), rng.uniform(-0.2, 1, count), rng.uniform(0.08, 0.2, count),
            rng.uniform(0.005, 0.02, count), rng.uniform(2, 7, count), rng.uniform(0.006, 0.012, count),
            rng.uniform(0, 2 * math.pi, count),
        ])
        return cls(pieces, colours)

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        height, width = frame.shape[:2]
        unit = max(width, height)
        for index, (x, y, fall, sway, spin, size, phase) in enumerate(self.pieces):
            cy = ((y + fall * t) % 1.25 - 0.15) * height
            cx = (x + sway * math.sin(1.7 * t + phase)) * width
            angle = spin * t * 0.4 + phase
            long_side, short_side = size * unit, size * unit * 0.55 * abs(math.cos(spin * t + phase))
            corners = cv2.boxPoints(((cx, cy), (long_side, max(1.0, short_side)), math.degrees(angle)))
            colour = self.colours[index % len(self.colours)]
            cv2.fillConvexPoly(frame, np.round(corners * 16).astype(np.int32), colour, cv2.LINE_AA, shift=4)
