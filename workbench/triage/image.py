"""The concept image as every check reads it: decoded once, as arrays, with its planned layout.

    >>> subject = Subject.open(catalog.image_path(record), FloatLayout.from_settings(record.settings))
    >>> subject.alpha.shape
    (768, 768)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from workbench.marks import Box, FloatLayout

MAX_PIXELS = 40_000_000  # refuse before decoding: a concept is a float, not a poster
OPAQUE = 128  # alpha from which a pixel belongs to the float


@dataclass(frozen=True)
class Subject:
    """One concept's pixels: `rgba` (H x W x 4 uint8), its `alpha` and the float's mask."""

    rgba: np.ndarray
    layout: FloatLayout | None  # None for concepts made elsewhere

    @classmethod
    def open(cls, path: Path | str, layout: FloatLayout | None = None) -> "Subject":
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValueError(f"{image.width}x{image.height} pixels is over the {MAX_PIXELS:,} a concept may have")
            return cls.from_image(image, layout)

    @classmethod
    def from_image(cls, image: Image.Image, layout: FloatLayout | None = None) -> "Subject":
        return cls(np.asarray(image.convert("RGBA")), layout)

    @property
    def size(self) -> tuple[int, int]:
        return self.rgba.shape[1], self.rgba.shape[0]

    @property
    def alpha(self) -> np.ndarray:
        return self.rgba[:, :, 3]

    @property
    def mask(self) -> np.ndarray:
        """True where the float is."""
        return self.alpha >= OPAQUE

    def on(self, background: tuple[int, int, int]) -> np.ndarray:
        """RGB (H x W x 3 uint8) composited over a flat colour."""
        alpha = self.alpha[:, :, None].astype(np.uint16)
        rgb = self.rgba[:, :, :3].astype(np.uint16)
        backdrop = np.array(background, np.uint16) * (255 - alpha)
        return ((rgb * alpha + backdrop + 127) // 255).astype(np.uint8)  # integer "over", rounded


def scaled(array: np.ndarray, long_side: int, interpolation: int | None = None,
           enlarge: bool = False) -> tuple[np.ndarray, float]:
    """`array` with its long side at most `long_side` (area-averaged), or exactly that with `enlarge`
    (bicubic), and the scale applied."""
    import cv2

    height, width = array.shape[:2]
    scale = long_side / max(width, height)
    if scale == 1.0 or (scale > 1.0 and not enlarge):
        return array, 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    default = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
    return cv2.resize(array, size, interpolation=default if interpolation is None else interpolation), scale


def clip_box(box: Box, width: int, height: int) -> Box:
    left, top, right, bottom = box
    return max(0, left), max(0, top), min(width, right), min(height, bottom)


def box_area(box: Box) -> int:
    left, top, right, bottom = box
    return max(0, right - left) * max(0, bottom - top)


def overlap(inner: Box, outer: Box) -> float:
    """The share of `inner`'s area that lies inside `outer`."""
    left, top = max(inner[0], outer[0]), max(inner[1], outer[1])
    right, bottom = min(inner[2], outer[2]), min(inner[3], outer[3])
    area = box_area(inner)
    return box_area((left, top, right, bottom)) / area if area else 0.0


def grown(box: Box, fraction: float) -> Box:
    """`box` grown on every side by `fraction` of its own size."""
    left, top, right, bottom = box
    dx, dy = round((right - left) * fraction), round((bottom - top) * fraction)
    return left - dx, top - dy, right + dx, bottom + dy
