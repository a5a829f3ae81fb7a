"""What a layer is, and a scene: layers drawn in order over a span of the film.

A layer is a small frozen value with a `span`, the seconds [start, end) in which it draws, and one
method, `draw(frame, t, art)`, which draws it onto `frame` (RGB, or premultiplied RGBA for a
finishing pass) in place. What it makes to draw with (sprites, set type) it keeps in `art`, the
render's ArtCache, never in itself.

    >>> title = Scene((-math.inf, timeline.procession_start), (backdrop, confetti, TitleCard(...)))
    >>> draw_layers([title, procession, end, label], frame, t=0.4, art=ArtCache())
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from workbench.parade.art import ArtCache

ALWAYS = (-math.inf, math.inf)


class Layer(Protocol):
    @property
    def span(self) -> tuple[float, float]:
        """Seconds [start, end) in which the layer draws."""

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        """The layer at `t` seconds onto `frame`, in place."""


def draw_layers(layers: Iterable[Layer], frame: np.ndarray, t: float, art: ArtCache) -> None:
    """Each layer whose span holds `t`, bottom to top."""
    for layer in layers:
        start, end = layer.span
        if start <= t < end:
            layer.draw(frame, t, art)


@dataclass(frozen=True)
class Scene:
    """Layers drawn in order during one span of the film: a card, or the procession. Its first layer
    covers the whole frame.

        >>> Scene((1.0, 5.2), (street, floats, crowd)).draw(frame, t=3.2, art=ArtCache())
    """

    span: tuple[float, float]
    layers: tuple[Layer, ...]

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        draw_layers(self.layers, frame, t, art)
