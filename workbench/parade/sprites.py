"""Sprites: pre-rendered pieces of a frame in premultiplied form, and `paste`, the one way they reach a frame.

    >>> sprite = Sprite.from_image(render_text("Hello", 40, (255, 255, 255)))
    >>> paste(frame, sprite, 10, 20)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image


@dataclass(frozen=True, eq=False)
class Sprite:
    """Premultiplied colour (already multiplied by alpha) and its transparency (255 - alpha, in each of
    three channels), so `paste` is one multiply and one add, both vectorised by OpenCV.

        >>> sprite = Sprite.from_image(render_text("Hello", 40, (255, 255, 255)))
        >>> paste(frame, sprite, 10, 20)
    """

    colour: np.ndarray  # h x w x 3 uint8, premultiplied
    transparency: np.ndarray  # h x w x 3 uint8, 255 - alpha

    @classmethod
    def from_image(cls, image: Image.Image) -> Sprite:
        rgba = np.asarray(image.convert("RGBA"))
        alpha = np.ascontiguousarray(rgba[..., 3])
        alpha3 = cv2.merge([alpha, alpha, alpha])
        colour = cv2.multiply(np.ascontiguousarray(rgba[..., :3]), alpha3, scale=1 / 255)
        return cls(colour, cv2.subtract(255, alpha3))

    @property
    def width(self) -> int:
        return self.colour.shape[1]

    @property
    def height(self) -> int:
        return self.colour.shape[0]

    @property
    def pixels(self) -> np.ndarray:
        """Premultiplied RGBA, for layers that keep their alpha (finishing passes)."""
        return np.dstack((self.colour, 255 - self.transparency[..., 0]))

    def resized(self, width: int, height: int, interpolation: int = cv2.INTER_AREA) -> Sprite:
        """Resampled in premultiplied form, so edges never pick up dark fringes.

        Colour and transparency go through the same (non-negative) weights, so colour stays <= alpha.
        """
        size = (max(1, width), max(1, height))
        return Sprite(cv2.resize(self.colour, size, interpolation=interpolation),
                      cv2.resize(self.transparency, size, interpolation=interpolation))


def paste(frame: np.ndarray, sprite: Sprite, x: int, y: int, opacity: float = 1.0) -> None:
    """Composite `sprite` over `frame` in place with its top-left at integer (x, y); outside parts are cut.

    Only the visible rectangle is touched: frame = colour + frame * transparency / 255, rounded, as
    two in-place OpenCV calls on that rectangle. A 4-channel frame is a premultiplied RGBA layer.
    """
    height, width = frame.shape[:2]
    left, top = max(x, 0), max(y, 0)
    right, bottom = min(x + sprite.width, width), min(y + sprite.height, height)
    if right <= left or bottom <= top or opacity <= 0:
        return
    visible = (slice(top - y, bottom - y), slice(left - x, right - x))
    colour, transparency = sprite.colour[visible], sprite.transparency[visible]
    if frame.shape[2] == 4:  # alpha composites like colour: a + (1 - a) * layer alpha
        colour = np.dstack((colour, 255 - transparency[..., 0]))
        transparency = np.dstack((transparency, transparency[..., 0]))
    if opacity < 1:
        # Fading scales colour and alpha alike, which keeps the sprite premultiplied.
        colour = cv2.convertScaleAbs(colour, alpha=opacity)
        transparency = 255 - cv2.convertScaleAbs(255 - transparency, alpha=opacity)
    region = frame[top:bottom, left:right]
    cv2.multiply(region, transparency, dst=region, scale=1 / 255)
    cv2.add(region, colour, dst=region)
