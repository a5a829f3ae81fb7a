"""Floats matched to their backdrop: colour and light moved toward the plate's, the brand marks left exact.

A float made on a white or studio background looks pasted onto a filmed or painted street. Harmonising
moves the float's colour statistics toward the plate's (Reinhard's mean and spread transfer in Lab,
over the float's opaque pixels, the spread's change kept within colour_transfer.SPREAD_RATIO), by `strength`: 0 leaves it
untouched, 1 gives it the plate's mean colour.

The logo, the name banner and the product are never touched: a concept's layout (`FloatLayout` in its catalog
settings) says where they sit, and those boxes are left out of the statistics and copied back exact.
A float without a layout (imported from elsewhere) has no known marks and is harmonised whole.

    >>> image = marked_cutout(Path("lotus-tea-s2.png"), FloatLayout.from_settings(record.settings))
    >>> image.info[MARKS_INFO]  # the logo and banner boxes, in the cut-out's own pixels
    ((96, 40, 160, 104), (30, 120, 226, 150))
    >>> Harmonise(plate, strength=0.6).apply(image)  # a new RGBA image; its marks' pixels are the original's
    <PIL.Image.Image image mode=RGBA size=256x180>
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from workbench.colour_transfer import lab_of, lab_statistics, moved_toward, rgb_of
from workbench.marks import FloatLayout
from workbench.parade.floats import float_cutout, trimmed_corner

MARKS_INFO = "workbench.marks"  # Image.info key: the boxes (left, top, right, bottom) harmonising leaves exact
OPAQUE = 128  # alpha from which a pixel counts as the float's own (soft edges would pull in the background)

Box = tuple[int, int, int, int]


def marked_cutout(path: Path, layout: FloatLayout | None) -> Image.Image:
    """The float's cut-out (`float_cutout`), with the layout's marks noted in `info[MARKS_INFO]` in its
    own pixels (the cut-out is trimmed, so the boxes move with it). Without a layout, no marks are noted."""
    image = float_cutout(path)
    if layout is None:
        return image
    left, top = trimmed_corner(path)
    image.info[MARKS_INFO] = tuple((box[0] - left, box[1] - top, box[2] - left, box[3] - top)
                                   for box in (layout.logo_box, layout.banner_box, layout.product_box) if box)
    return image


@dataclass(frozen=True, eq=False)
class Harmonise:
    """Matches floats to `plate` (RGB, the backdrop as the camera's still framing sees it) at `strength`.

        >>> Harmonise(plate, strength=1.0).apply(float_image).info[MARKS_INFO] == float_image.info[MARKS_INFO]
        True
    """

    plate: np.ndarray
    strength: float

    def apply(self, image: Image.Image) -> Image.Image:
        """`image` (RGBA) with its colour moved toward the plate's; the same image when strength is 0."""
        if self.strength <= 0:
            return image
        pixels = np.asarray(image.convert("RGBA"))
        lab = lab_of(pixels[..., :3])
        kept = _marks_mask(pixels.shape[:2], image.info.get(MARKS_INFO, ()))
        counted = (pixels[..., 3] >= OPAQUE) & ~kept
        if not counted.any():
            return image
        moved = moved_toward(lab, lab_statistics(lab[counted]), lab_statistics(lab_of(self.plate).reshape(-1, 3)),
                             self.strength)
        rgb = rgb_of(moved)
        rgb[kept] = pixels[..., :3][kept]  # the marks exactly as they were
        result = Image.fromarray(np.dstack([rgb, pixels[..., 3]]))  # four channels: RGBA
        result.info = dict(image.info)
        return result


def harmonised(floats: list[tuple], plate: np.ndarray, strength: float) -> list[tuple]:
    """Each (kit, float image) with its image matched to `plate`; the list itself when strength is 0."""
    if strength <= 0:
        return floats
    matching = Harmonise(plate, strength)
    return [(kit, matching.apply(image)) for kit, image in floats]


def _marks_mask(shape: tuple[int, int], boxes: tuple[Box, ...]) -> np.ndarray:
    """True inside every box (clipped to the image)."""
    mask = np.zeros(shape, bool)
    for left, top, right, bottom in boxes:
        mask[max(0, top):max(0, bottom), max(0, left):max(0, right)] = True
    return mask
