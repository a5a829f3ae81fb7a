"""A float's picture made ready to draw: cut out, fitted to the stage, pre-scaled into halving sizes with its shadow.

    >>> art = FloatArt.build(float_cutout(Path("lotus-tea-s2.png")), stage)
    >>> body, shadow = art.at(scale=0.52)  # the float one place behind the front, on a 9:16 stage
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
from PIL import Image, ImageDraw, ImageFilter

from workbench.parade.sprites import Sprite
from workbench.parade.stages import Stage


def float_cutout(path: Path) -> Image.Image:
    """The float image trimmed to what is drawn; an opaque picture gets rounded corners instead."""
    with Image.open(path) as source:
        image = source.convert("RGBA")
    alpha = image.getchannel("A")
    if alpha.getextrema()[0] == 255:
        mask = Image.new("L", image.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, *image.size), radius=min(image.size) // 12, fill=255)
        image.putalpha(mask)
        return image
    return image.crop(alpha.point(lambda a: 255 if a > 8 else 0).getbbox())


@dataclass(frozen=True, eq=False)
class FloatArt:
    """One float and its soft shadow, pre-scaled once into halving sizes; any size resamples from the next larger."""

    bodies: tuple[Sprite, ...]  # largest first; the largest is the float at stage scale `scale`
    shadows: tuple[Sprite, ...]
    scale: float

    @classmethod
    def build(cls, image: Image.Image, stage: Stage) -> FloatArt:
        box_width, box_height = stage.float_size
        fit = min(box_width / image.width, box_height / image.height) * stage.max_scale
        width, height = max(1, round(image.width * fit)), max(1, round(image.height * fit))
        body = Sprite.from_image(image.resize((width, height), Image.LANCZOS))
        return cls(_halvings(body), _halvings(_shadow_sprite(width)), stage.max_scale)

    def size_at(self, scale: float) -> tuple[int, int]:
        """The body's size in pixels at a stage scale: the same size is the same sprites (see `at`)."""
        return _scaled_size(self.bodies[0], scale / self.scale)

    def at(self, scale: float) -> tuple[Sprite, Sprite]:
        """Body and shadow at a stage scale (1 at the front)."""
        ratio = scale / self.scale
        body_width, body_height = _scaled_size(self.bodies[0], ratio)
        return (_resample(self.bodies, body_width, body_height),
                _resample(self.shadows, *_scaled_size(self.shadows[0], ratio)))


def _halvings(sprite: Sprite, smallest: int = 48) -> tuple[Sprite, ...]:
    levels = [sprite]
    while levels[-1].width // 2 >= smallest and levels[-1].height // 2 >= 2:
        levels.append(levels[-1].resized(levels[-1].width // 2, levels[-1].height // 2))
    return tuple(levels)


def _scaled_size(sprite: Sprite, ratio: float) -> tuple[int, int]:
    return max(1, round(sprite.width * ratio)), max(1, round(sprite.height * ratio))


def _resample(levels: tuple[Sprite, ...], width: int, height: int) -> Sprite:
    """From the smallest level still at least `width` wide: at most 2x down, where bilinear is clean and fast."""
    source = next((level for level in reversed(levels) if level.width >= width), levels[0])
    if (source.width, source.height) == (width, height):
        return source
    return source.resized(width, height, cv2.INTER_LINEAR)


def _shadow_sprite(float_width: int) -> Sprite:
    width, height = round(1.1 * float_width), max(4, round(0.2 * float_width))
    mask = Image.new("L", (width, height), 0)
    inset_x, inset_y = width * 0.1, height * 0.3
    ImageDraw.Draw(mask).ellipse((inset_x, inset_y, width - inset_x, height - inset_y), fill=120)
    mask = mask.filter(ImageFilter.GaussianBlur(height * 0.15))
    shadow = Image.new("RGBA", (width, height), (24, 16, 36, 0))
    shadow.putalpha(mask)
    return Sprite.from_image(shadow)
