"""A float's picture made ready to draw: cut out, fitted to the stage, pre-scaled into halving sizes with its shadows.

    >>> art = FloatArt.build(float_cutout(Path("lotus-tea-s2.png")), stage)
    >>> sized = art.at(scale=0.52)  # the float one place behind the front, on a 9:16 stage
    >>> sized.body, sized.shadow, sized.contact  # contact: None unless built with a contact shadow
    >>> body, pivot_x, pivot_y = art.posed(scale=1.0, degrees=2.5)  # rocked about its wheels' middle
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from workbench.parade.sprites import Sprite
from workbench.parade.stages import Stage

CONTACT_COLOUR = (20, 14, 30)  # the contact shadow's tint: a deep violet, like the soft shadow's
CONTACT_DARKNESS = 0.9  # of full opacity, where the wheels touch the road
CONTACT_ROWS = 0.1  # of the float's height: the bottom rows (wheels, skirt) whose alpha makes the contact shadow
CONTACT_HEIGHT = 0.035  # of the float's height: how thin those rows are squashed
CUTOUT_ALPHA = 8  # float_cutout trims to the pixels with more alpha than this


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
    return image.crop(alpha.point(lambda a: 255 if a > CUTOUT_ALPHA else 0).getbbox())


def trimmed_corner(path: Path) -> tuple[int, int]:
    """Where float_cutout's trim starts in the original image (an opaque picture is not trimmed): what moves
    a box planned on the concept (its layout) onto the cut-out."""
    with Image.open(path) as source:
        alpha = source.convert("RGBA").getchannel("A")
    if alpha.getextrema()[0] == 255:
        return 0, 0
    box = alpha.point(lambda a: 255 if a > CUTOUT_ALPHA else 0).getbbox()
    return box[0], box[1]


@dataclass(frozen=True, eq=False)
class SizedFloat:
    """A float's sprites at one size: its body, its soft shadow, and its contact shadow when it has one."""

    body: Sprite
    shadow: Sprite
    contact: Sprite | None


@dataclass(frozen=True, eq=False)
class FloatArt:
    """One float and its shadows, pre-scaled once into halving sizes; any size resamples from the next larger."""

    bodies: tuple[Sprite, ...]  # largest first; the largest is the float at stage scale `scale`
    shadows: tuple[Sprite, ...]
    scale: float
    contacts: tuple[Sprite, ...] = ()  # the tight shadow under the wheels, made from the body's own alpha

    @classmethod
    def build(cls, image: Image.Image, stage: Stage, largest: float | None = None,
              contact_shadow: bool = False) -> FloatArt:
        """Fitted to the stage's float box at scale `largest` (the stage's largest, unless a camera comes closer)."""
        largest = stage.max_scale if largest is None else largest
        box_width, box_height = stage.float_size
        fit = min(box_width / image.width, box_height / image.height) * largest
        width, height = max(1, round(image.width * fit)), max(1, round(image.height * fit))
        body = Sprite.from_image(image.resize((width, height), Image.LANCZOS))
        contacts = _halvings(_contact_sprite(body)) if contact_shadow else ()
        return cls(_halvings(body), _halvings(_shadow_sprite(width)), largest, contacts)

    def size_at(self, scale: float) -> tuple[int, int]:
        """The body's size in pixels at a stage scale: the same size is the same sprites (see `at`)."""
        return _scaled_size(self.bodies[0], scale / self.scale)

    def at(self, scale: float) -> SizedFloat:
        """Body and shadows at a stage scale (1 at the front)."""
        ratio = scale / self.scale
        body_width, body_height = _scaled_size(self.bodies[0], ratio)
        contact = (_resample(self.contacts, *_scaled_size(self.contacts[0], ratio)) if self.contacts else None)
        return SizedFloat(_resample(self.bodies, body_width, body_height),
                          _resample(self.shadows, *_scaled_size(self.shadows[0], ratio)), contact)

    def posed(self, scale: float, degrees: float) -> tuple[Sprite, float, float]:
        """The body at a stage scale, rocked `degrees` (positive: its top to the right) about the middle of its
        bottom edge, where its wheels meet the road; with that point's place in the returned sprite.

        One warp from the nearest larger halving level scales and turns it at once (the same size `at` gives).
        """
        width, height = self.size_at(scale)
        source = _level_for(self.bodies, width)
        return _rocked(source, width / source.width, height / source.height, degrees)


def _halvings(sprite: Sprite, smallest: int = 48) -> tuple[Sprite, ...]:
    levels = [sprite]
    while levels[-1].width // 2 >= smallest and levels[-1].height // 2 >= 2:
        levels.append(levels[-1].resized(levels[-1].width // 2, levels[-1].height // 2))
    return tuple(levels)


def _scaled_size(sprite: Sprite, ratio: float) -> tuple[int, int]:
    return max(1, round(sprite.width * ratio)), max(1, round(sprite.height * ratio))


def _level_for(levels: tuple[Sprite, ...], width: int) -> Sprite:
    """The smallest level still at least `width` wide (the largest when none is): at most 2x down from it."""
    return next((level for level in reversed(levels) if level.width >= width), levels[0])


def _resample(levels: tuple[Sprite, ...], width: int, height: int) -> Sprite:
    """From the smallest level still at least `width` wide: at most 2x down, where bilinear is clean and fast."""
    source = _level_for(levels, width)
    if (source.width, source.height) == (width, height):
        return source
    return resampled(source, width, height)


def resampled(sprite: Sprite, width: int, height: int) -> Sprite:
    """`sprite` resized bilinearly to width x height: `Sprite.resized(..., cv2.INTER_LINEAR)` to the byte, faster."""
    return _bilinear(sprite, lambda plane, _outside: cv2.resize(plane, (width, height), interpolation=cv2.INTER_LINEAR))


def _bilinear(sprite: Sprite, resample: Callable[[np.ndarray, int], np.ndarray]) -> Sprite:
    """`sprite` through one bilinear resampling (a resize or a warp, given a plane and its value outside the
    sprite), premultiplied: colour and transparency through the same weights, so colour stays <= alpha and
    edges pick up no dark fringe.

    The transparency's three channels are the same, so one is resampled and copied to the others: the
    same bytes as resampling all three (bilinear weighs each channel alike), for a third of that plane's work.
    """
    transparency = resample(cv2.extractChannel(sprite.transparency, 0), 255)  # outside: fully transparent
    return Sprite(resample(sprite.colour, 0), cv2.merge([transparency, transparency, transparency]))


def _rocked(sprite: Sprite, scale_x: float, scale_y: float, degrees: float) -> tuple[Sprite, float, float]:
    """`sprite` scaled and turned about the middle of its bottom edge, on a canvas just large enough, and
    where that pivot lands on it. Premultiplied colour and transparency go through the same bilinear weights."""
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    width, height = sprite.width * scale_x, sprite.height * scale_y
    # Corners about the pivot, turned (y points down: a positive angle tips the top to the right).
    corners = [(x * cos - y * sin, x * sin + y * cos) for x in (-width / 2, width / 2) for y in (0.0, -height)]
    pivot_x = 1 - min(x for x, _y in corners)  # a pixel of room all round for the bilinear edge
    pivot_y = 1 - min(y for _x, y in corners)
    canvas = (math.ceil(pivot_x + max(x for x, _y in corners)) + 1,
              math.ceil(pivot_y + max(y for _x, y in corners)) + 1)
    # Pixel centres sit half a pixel in from the edges: source centre (u, v) -> canvas centre (x, y).
    from_u, from_v = 0.5 - sprite.width / 2, 0.5 - sprite.height
    matrix = np.array([
        [cos * scale_x, -sin * scale_y, cos * scale_x * from_u - sin * scale_y * from_v + pivot_x - 0.5],
        [sin * scale_x, cos * scale_y, sin * scale_x * from_u + cos * scale_y * from_v + pivot_y - 0.5],
    ])

    def warp(plane: np.ndarray, outside: int) -> np.ndarray:
        return cv2.warpAffine(plane, matrix, canvas, flags=cv2.INTER_LINEAR, borderValue=(outside,) * 3)

    return _bilinear(sprite, warp), pivot_x, pivot_y


def _contact_sprite(body: Sprite) -> Sprite:
    """The float's bottom rows of alpha squashed thin and blurred: dark where its wheels meet the road, soft between.

    Made from the float's own alpha, so it sits under whatever touches the ground (wheels, a skirt, feet).
    Drawn with its middle row on the body's bottom edge; as wide as the body plus room for the blur.
    """
    alpha = np.ascontiguousarray(255 - body.transparency[..., 0])
    rows = max(2, round(CONTACT_ROWS * body.height))
    thin = max(2, round(CONTACT_HEIGHT * body.height))
    squashed = cv2.resize(alpha[-rows:], (body.width, thin), interpolation=cv2.INTER_AREA)
    room_x, room_y = max(2, round(0.03 * body.width)), thin
    # The squashed rows straddle the middle row: half under the wheels, half on the road just below them.
    canvas = cv2.copyMakeBorder(squashed, room_y, room_y, room_x, room_x, cv2.BORDER_CONSTANT, value=0)
    soft = cv2.GaussianBlur(canvas, (0, 0), max(0.8, 0.45 * thin))
    shadow = np.dstack([np.full(soft.shape, channel, np.uint8) for channel in CONTACT_COLOUR]
                       + [cv2.convertScaleAbs(soft, alpha=CONTACT_DARKNESS)])
    return Sprite.from_image(Image.fromarray(shadow))


def _shadow_sprite(float_width: int) -> Sprite:
    width, height = round(1.1 * float_width), max(4, round(0.2 * float_width))
    mask = Image.new("L", (width, height), 0)
    inset_x, inset_y = width * 0.1, height * 0.3
    ImageDraw.Draw(mask).ellipse((inset_x, inset_y, width - inset_x, height - inset_y), fill=120)
    mask = mask.filter(ImageFilter.GaussianBlur(height * 0.15))
    shadow = Image.new("RGBA", (width, height), (24, 16, 36, 0))
    shadow.putalpha(mask)
    return Sprite.from_image(shadow)
