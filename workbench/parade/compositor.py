"""Frames of the parade film, composed in NumPy/OpenCV uint8 with premultiplied alpha.

Everything that does not move is drawn once per film: the street, each float at its size, each
brand's banner, the cards. A frame is then a copy of the street plus the few sprites in view.

    >>> stage = stage_for("16:9", (1920, 1080))
    >>> parade = Parade.build(campaign, stage, timeline, [(kit, float_image), ...])
    >>> parade.frame(timeline.slots[0].hold_mid).shape
    (1080, 1920, 3)
    >>> clip = parade.clip()  # a moviepy VideoClip
"""

from __future__ import annotations

import colorsys
import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from workbench.campaign import Campaign
from workbench.colours import RGB, contrast, mix
from workbench.kits import BrandKit
from workbench.parade.timeline import Timeline, ease_out
from workbench.typography import fit_text, render_text

FESTIVE_DEFAULT: tuple[RGB, ...] = ((230, 57, 70), (255, 183, 3), (42, 157, 143), (69, 123, 157), (244, 132, 95))
SKY_TOP: RGB = (46, 84, 160)
SKY_HORIZON: RGB = (255, 206, 158)
PAVEMENT: RGB = (196, 184, 170)
KERB: RGB = (226, 218, 206)
ASPHALT: RGB = (74, 76, 90)
LAMP: RGB = (44, 42, 62)
CARD_TINT: RGB = (22, 24, 58)
SCENERY_SEED = 20240917  # fixed: the same campaign always gets the same skyline and confetti
BANNER_SLIDE_SECONDS = 0.3
AI_LABEL = "AI-generated content"


# Sprites ------------------------------------------------------------------------------------------


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


# Colour -------------------------------------------------------------------------------------------


def festival_colours(kits: list[BrandKit]) -> tuple[RGB, ...]:
    """The brands' vivid colours, for bunting and confetti; a festive default when they are muted."""
    vivid = []
    for kit in kits:
        for role in ("primary", "accent", "secondary"):
            colour = kit.palette.rgb(role)
            _hue, saturation, value = colorsys.rgb_to_hsv(*(c / 255 for c in colour))
            if saturation > 0.45 and value > 0.45 and colour not in vivid:
                vivid.append(colour)
    return tuple(vivid) if len(vivid) >= 3 else FESTIVE_DEFAULT


# Stages: where things go in each frame shape -------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """A float's bottom-centre in frame pixels, its scale (1 at the front) and opacity."""

    centre_x: float
    base_y: float
    scale: float
    opacity: float = 1.0


@dataclass(frozen=True)
class Stage(ABC):
    """One frame shape's composition. Subclasses say where floats travel and where the banner sits."""

    width: int
    height: int

    max_scale: ClassVar[float] = 1.0  # largest on-screen scale a float reaches; sprites are pre-scaled to it once
    crowd_height: ClassVar[float] = 0.15  # the spectators in the foreground: strip height, fraction of the frame
    crowd_drift: ClassVar[float] = 0.05  # frame widths the crowd slides per float that passes (parallax)
    banner_slide: ClassVar[tuple[int, int]] = (0, 0)  # direction the banner slides in from
    header_top: ClassVar[float | None] = None  # where the campaign title sits over the procession, if anywhere

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    @property
    @abstractmethod
    def float_size(self) -> tuple[int, int]:
        """The box a float is fitted into at the front (scale 1)."""

    @property
    @abstractmethod
    def logo_height(self) -> int:
        """The banner logo's height in pixels."""

    @property
    @abstractmethod
    def banner_text_width(self) -> int:
        """The widest the brand name and tagline may be set."""

    @abstractmethod
    def place(self, offset: float) -> Placement:
        """Where a float stands when it is `offset` floats behind the front one (negative: already passed)."""

    def may_show(self, placement: Placement) -> bool:
        """Whether a float standing at `placement` can reach into the frame (its box, shadow and bob included).

        Floats wholly outside are skipped before their art is made, so a long parade scales only what it shows.
        """
        box_width, box_height = self.float_size
        half_width = 0.6 * box_width * placement.scale  # the shadow is 1.1 x the float's width
        top = placement.base_y - 1.1 * box_height * placement.scale
        return (placement.centre_x + half_width > 0 and placement.centre_x - half_width < self.width
                and top < self.height and placement.base_y + 0.2 * box_height * placement.scale > 0)

    @abstractmethod
    def banner_origin(self, panel_width: int, panel_height: int) -> tuple[int, int]:
        """Top-left of the banner panel during the hold."""

    @abstractmethod
    def paint_street(self, colours: tuple[RGB, ...]) -> np.ndarray:
        """The static background: sky, skyline, street, lamp posts, bunting."""


@dataclass(frozen=True)
class WideStage(Stage):
    """16:9: the camera looks across the street; floats roll in from the right and leave on the left."""

    horizon = 0.58
    road = (0.65, 0.90)  # top and bottom of the carriageway, fractions of the height
    base = 0.81  # where the front float's wheels stand
    spacing = 0.58  # of the width, between neighbouring floats
    banner_slide = (-1, 0)

    @property
    def float_size(self) -> tuple[int, int]:
        return round(0.42 * self.width), round(0.54 * self.height)

    @property
    def logo_height(self) -> int:
        return max(8, round(0.095 * self.height))

    @property
    def banner_text_width(self) -> int:
        return round(0.46 * self.width)

    def place(self, offset: float) -> Placement:
        return Placement(self.width * (0.5 + offset * self.spacing), self.height * self.base, 1.0)

    def banner_origin(self, panel_width: int, panel_height: int) -> tuple[int, int]:
        return round(0.04 * self.width), round(0.965 * self.height) - panel_height

    def paint_street(self, colours: tuple[RGB, ...]) -> np.ndarray:
        w, h = self.width, self.height
        horizon = round(self.horizon * h)
        road_top, road_bottom = (round(f * h) for f in self.road)
        rng = np.random.default_rng(SCENERY_SEED)
        image = _sky(w, h, horizon)
        _skyline(image, horizon, rng, unit=h)
        vanishing = (w / 2, horizon - 0.25 * h)
        _pavement(image, horizon, road_top - round(0.014 * h), vanishing, unit=h)
        _kerb(image, road_top - round(0.014 * h), road_top)
        far_asphalt = mix(ASPHALT, (0, 0, 0), 0.1)
        image[road_top:road_bottom] = _vertical_gradient(road_bottom - road_top, w, far_asphalt, ASPHALT)
        _dashes(image, round((road_top + road_bottom) / 2), round(0.007 * h), round(0.05 * w), round(0.04 * w))
        _kerb(image, road_bottom, road_bottom + round(0.016 * h))
        _pavement(image, road_bottom + round(0.016 * h), h, vanishing, unit=h)
        posts = [round(x * w) for x in np.arange(-0.13, 1.2, 0.27)]
        lamp_base, lamp_height = horizon + round(0.04 * h), round(0.44 * h)
        for x in posts:
            _lamp_post(image, x, lamp_base, lamp_height, unit=h)
        tops = [(x, lamp_base - lamp_height + round(0.02 * h)) for x in posts]
        for index, (start, end) in enumerate(zip(tops, tops[1:])):
            _bunting(image, start, end, sag=0.07 * h, flag=0.028 * h, colours=colours, shift=index * 3)
        return image


@dataclass(frozen=True)
class TallStage(Stage):
    """9:16: the camera stands at the kerb looking up the street; floats come down a diagonal toward it."""

    horizon = 0.37
    vanishing_x = 0.64
    base = 0.69
    road_half_width = 0.62  # of the width, at the front float's depth
    depth_ratio = 0.52  # scale of each float relative to the one in front of it
    max_scale = 1.6
    crowd_height = 0.11
    crowd_drift = 0.08
    banner_slide = (0, 1)
    header_top = 0.075  # the tall frame has sky to spare: the campaign title stays up

    @property
    def float_size(self) -> tuple[int, int]:
        return round(0.86 * self.width), round(0.36 * self.height)

    @property
    def logo_height(self) -> int:
        return max(8, round(0.085 * self.height))

    @property
    def banner_text_width(self) -> int:
        return round(0.88 * self.width) - round(1.9 * self.logo_height)

    def ground(self, scale: float, across: float = 0.0) -> tuple[float, float]:
        """Frame point on the road at depth `scale` (1 at the front), `across` road widths from its middle."""
        centre_x = self.vanishing_x + (0.5 - self.vanishing_x) * scale
        x = (centre_x + across * self.road_half_width * scale) * self.width
        y = (self.horizon + (self.base - self.horizon) * scale) * self.height
        return x, y

    def place(self, offset: float) -> Placement:
        if offset >= 0:
            scale = self.depth_ratio**offset
            x, y = self.ground(scale)
            return Placement(x, y, scale, opacity=min(1.0, max(0.0, (3.4 - offset) / 0.8)))
        # A passed float turns off the street to the left rather than growing over the frame;
        # by 1.3 floats past the front it is wholly out of frame.
        passed = -offset
        return Placement(
            self.width * (0.5 - 0.95 * passed), self.height * (self.base + 0.05 * passed), 1.0 + 0.45 * passed,
            opacity=1.0 if passed < 1.3 else 0.0,
        )

    def banner_origin(self, panel_width: int, panel_height: int) -> tuple[int, int]:
        return (self.width - panel_width) // 2, round(0.735 * self.height)

    def paint_street(self, colours: tuple[RGB, ...]) -> np.ndarray:
        w, h = self.width, self.height
        horizon = round(self.horizon * h)
        rng = np.random.default_rng(SCENERY_SEED)
        image = _sky(w, h, horizon)
        _skyline(image, horizon, rng, unit=0.6 * h)
        vanishing = (self.vanishing_x * w, horizon)
        _pavement(image, horizon, h, vanishing, unit=0.6 * h)
        seam = mix(PAVEMENT, (60, 50, 50), 0.22)
        for distance in np.geomspace(0.45, 9.0, 22):  # cross seams, closer together with distance
            y = round(self.ground(1 / distance)[1])
            cv2.line(image, (0, y), (w, y), seam, max(1, round(0.002 * h / distance)), cv2.LINE_AA)

        def edge(across: float) -> np.ndarray:
            return np.array([vanishing, self.ground(3.0, across)])

        for outer, inner, colour in ((1.08, 1.0, KERB), (1.0, -1.0, ASPHALT), (-1.0, -1.08, KERB)):
            polygon = np.concatenate([edge(outer), edge(inner)[::-1]])
            cv2.fillPoly(image, [np.round(polygon * 16).astype(np.int32)], colour, cv2.LINE_AA, shift=4)
        for distance in np.arange(0.45, 8.0, 0.55):  # centre-line dashes, evenly spaced in depth
            near, far = 1 / distance, 1 / (distance + 0.22)
            quad = [self.ground(near, -0.012), self.ground(near, 0.012),
                    self.ground(far, 0.012), self.ground(far, -0.012)]
            cv2.fillPoly(image, [np.round(np.array(quad) * 16).astype(np.int32)], (236, 226, 200), cv2.LINE_AA, shift=4)
        lamp_height = 0.44 * h
        for distance in (5.0, 3.4, 2.3, 1.5):  # far to near, behind the front float's depth
            scale = 1 / distance
            left, right = self.ground(scale, -1.16), self.ground(scale, 1.16)
            for x, y in (left, right):
                _lamp_post(image, round(x), round(y), round(lamp_height * scale), unit=h * scale)
            top = -lamp_height * scale + 0.02 * h * scale
            _bunting(
                image, (left[0], left[1] + top), (right[0], right[1] + top), sag=0.06 * h * scale,
                flag=0.03 * h * scale, colours=colours, shift=round(distance * 5),
            )
        return image


def stage_for(aspect: str, size: tuple[int, int]) -> Stage:
    """The composition for an aspect ("16:9" or "9:16") at a frame size in pixels."""
    stages = {"16:9": WideStage, "9:16": TallStage}
    if aspect not in stages:
        raise ValueError(f"aspect: expected one of {', '.join(stages)}, got {aspect!r}")
    return stages[aspect](*size)


# Scenery painting (once per film) ------------------------------------------------------------------


def _vertical_gradient(height: int, width: int, top: RGB, bottom: RGB) -> np.ndarray:
    ramp = np.linspace(0.0, 1.0, max(1, height))[:, None]
    column = np.array(top, float) + (np.array(bottom, float) - np.array(top, float)) * ramp
    return np.repeat(np.round(column).astype(np.uint8)[:, None, :], width, axis=1)


def _sky(width: int, height: int, horizon: int) -> np.ndarray:
    """Late-afternoon sky with a warm glow low in the middle; the ground is painted over it later."""
    image = _vertical_gradient(height, width, SKY_TOP, SKY_HORIZON).astype(np.float32)
    image[horizon:] = SKY_HORIZON
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    glow = np.exp(-(((xs - 0.5 * width) / (0.45 * width)) ** 2 + ((ys - horizon) / (0.35 * height)) ** 2))
    image += glow[..., None] * np.array([40, 22, 0], np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


def _skyline(image: np.ndarray, horizon: int, rng: np.random.Generator, unit: float) -> None:
    """Two rows of buildings standing on the horizon: hazy far ones, then nearer ones with lit windows."""
    width = image.shape[1]
    for far, colour, tallest in ((True, (176, 142, 170), 0.30), (False, (92, 76, 118), 0.2)):
        x = -rng.uniform(0, 0.05) * unit
        while x < width:
            building_width = rng.uniform(0.07, 0.16) * unit
            top = horizon - rng.uniform(0.06, tallest) * unit
            cv2.rectangle(image, (round(x), round(top)), (round(x + building_width), horizon), colour, -1)
            if not far:
                _windows(image, x, top, building_width, horizon, rng, unit)
            x += building_width + rng.uniform(-0.01, 0.02) * unit


def _windows(image: np.ndarray, left: float, top: float, width: float, bottom: int, rng, unit: float) -> None:
    size, gap = 0.012 * unit, 0.026 * unit
    lit, dark = (255, 214, 140), (78, 64, 102)
    for y in np.arange(top + gap * 0.7, bottom - gap, gap):
        for x in np.arange(left + gap * 0.5, left + width - size - gap * 0.3, gap):
            colour = lit if rng.random() < 0.45 else dark
            cv2.rectangle(image, (round(x), round(y)), (round(x + size), round(y + size * 1.3)), colour, -1)


def _pavement(image: np.ndarray, top: int, bottom: int, vanishing: tuple[float, float], unit: float) -> None:
    """Stone paving with seams running toward the vanishing point, which gives the street its depth."""
    width = image.shape[1]
    image[top:bottom] = _vertical_gradient(bottom - top, width, mix(PAVEMENT, SKY_HORIZON, 0.25), PAVEMENT)
    seam = mix(PAVEMENT, (60, 50, 50), 0.22)
    vx, vy = vanishing
    for x in np.arange(-3.0 * width, 4.0 * width, 0.09 * unit):
        # A seam is the line from the vanishing point through (x, bottom), drawn only inside this band.
        slope = (x - vx) / max(1.0, bottom - vy)
        start = (vx + slope * (top - vy), top)
        cv2.line(image, _int(start), _int((x, bottom)), seam, max(1, round(0.0015 * unit)), cv2.LINE_AA)


def _kerb(image: np.ndarray, top: int, bottom: int) -> None:
    image[top:bottom] = _vertical_gradient(bottom - top, image.shape[1], KERB, mix(KERB, (40, 40, 50), 0.35))


def _dashes(image: np.ndarray, y: int, thickness: int, length: int, gap: int) -> None:
    for x in range(0, image.shape[1], length + gap):
        cv2.rectangle(image, (x, y - thickness // 2), (x + length, y + thickness // 2), (236, 226, 200), -1)


def _lamp_post(image: np.ndarray, x: int, base: int, height: int, unit: float) -> None:
    pole = max(1, round(0.007 * unit))
    cv2.rectangle(image, (x - pole, base - height), (x + pole, base), LAMP, -1, cv2.LINE_AA)
    cv2.rectangle(image, (x - 2 * pole, base - round(0.02 * unit)), (x + 2 * pole, base), LAMP, -1, cv2.LINE_AA)
    head = max(2, round(0.018 * unit))
    cv2.circle(image, (x, base - height), head, (255, 236, 180), -1, cv2.LINE_AA)
    cv2.circle(image, (x, base - height), head, LAMP, max(1, round(0.004 * unit)), cv2.LINE_AA)


def _bunting(image, start, end, sag: float, flag: float, colours: tuple[RGB, ...], shift: int = 0) -> None:
    """A string of pennants hanging between two points along a shallow parabola."""
    (x0, y0), (x1, y1) = start, end
    count = max(2, int(abs(x1 - x0) / (flag * 1.5)))
    points = []
    for i in range(count + 1):
        u = i / count
        points.append((x0 + (x1 - x0) * u, y0 + (y1 - y0) * u + 4 * sag * u * (1 - u)))
    string = np.round(np.array(points) * 16).astype(np.int32)
    cv2.polylines(image, [string], False, (60, 50, 70), max(1, round(flag * 0.08)), cv2.LINE_AA, shift=4)
    for i, ((ax, ay), (bx, by)) in enumerate(zip(points, points[1:])):
        middle = ((ax + bx) / 2, (ay + by) / 2 + flag * 1.2)
        triangle = np.round(np.array([(ax, ay), (bx, by), middle]) * 16).astype(np.int32)
        cv2.fillPoly(image, [triangle], colours[(i + shift) % len(colours)], cv2.LINE_AA, shift=4)


def _int(point) -> tuple[int, int]:
    return round(point[0]), round(point[1])


# Floats -------------------------------------------------------------------------------------------


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
    _recent: dict = field(default_factory=dict)  # size -> (body, shadow): a held float reuses its frame's size

    @classmethod
    def build(cls, image: Image.Image, stage: Stage) -> FloatArt:
        box_width, box_height = stage.float_size
        fit = min(box_width / image.width, box_height / image.height) * stage.max_scale
        width, height = max(1, round(image.width * fit)), max(1, round(image.height * fit))
        body = Sprite.from_image(image.resize((width, height), Image.LANCZOS))
        return cls(_halvings(body), _halvings(_shadow_sprite(width)), stage.max_scale)

    def at(self, scale: float) -> tuple[Sprite, Sprite]:
        """Body and shadow at a stage scale (1 at the front)."""
        ratio = scale / self.scale
        body_size = _scaled_size(self.bodies[0], ratio)
        if body_size not in self._recent:
            if len(self._recent) >= 8:
                self._recent.pop(next(iter(self._recent)))
            shadow_size = _scaled_size(self.shadows[0], ratio)
            self._recent[body_size] = (_resample(self.bodies, *body_size), _resample(self.shadows, *shadow_size))
        return self._recent[body_size]


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


# Banner -------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Banner:
    """A brand's lower-third: logo, name and tagline on a panel in its palette, placed for the hold."""

    sprite: Sprite
    left: int  # frame position of the sprite during the hold
    top: int
    logo_box: tuple[int, int, int, int]  # (left, top, right, bottom) of the logo in frame pixels
    text_box: tuple[int, int, int, int]  # the same for the name and tagline

    @classmethod
    def build(cls, kit: BrandKit, stage: Stage) -> Banner:
        logo_height = stage.logo_height
        logo = kit.logo_image()
        logo_width = max(1, round(logo.width * logo_height / logo.height))
        logo = logo.resize((logo_width, logo_height), Image.LANCZOS)  # resized once, pasted at whole pixels

        background = kit.palette.rgb("background")
        name_colour = _readable(kit, background, ("primary", "accent", "secondary"))
        tagline_colour = _readable(kit, background, ("accent", "primary", "secondary"))
        text_width = stage.banner_text_width
        lines = _banner_lines(kit, text_width, logo_height, name_colour, tagline_colour)

        pad = max(2, round(0.28 * logo_height))
        gap = round(0.2 * logo_height)
        bar = max(2, round(0.09 * logo_height))
        divider_x = pad + logo_width + pad
        panel_width = divider_x + pad + max(line.width for line in lines) + round(1.4 * pad)
        panel_height = pad + logo_height + pad + bar
        margin = max(2, round(0.25 * logo_height))  # room for the panel's shadow

        canvas = Image.new("RGBA", (panel_width + 2 * margin, panel_height + 2 * margin), (0, 0, 0, 0))
        shadow = Image.new("L", canvas.size, 0)
        drop = margin // 3
        ImageDraw.Draw(shadow).rounded_rectangle(
            (margin, margin + drop, margin + panel_width, margin + panel_height + drop), radius=pad, fill=110
        )
        canvas.putalpha(shadow.filter(ImageFilter.GaussianBlur(margin / 2.5)))
        canvas.alpha_composite(_panel(kit, panel_width, panel_height, pad, bar, divider_x), (margin, margin))
        logo_x, logo_y = margin + pad, margin + pad
        canvas.alpha_composite(logo, (logo_x, logo_y))
        text_height = sum(line.height for line in lines) + gap * (len(lines) - 1)
        text_x, text_y = margin + divider_x + pad, margin + pad + (logo_height - text_height) // 2
        text_box = (text_x, text_y, text_x + max(line.width for line in lines), text_y + text_height)
        for line in lines:
            canvas.alpha_composite(line, (text_x, text_y))
            text_y += line.height + gap

        panel_left, panel_top = stage.banner_origin(panel_width, panel_height)
        left, top = panel_left - margin, panel_top - margin
        logo_box = (left + logo_x, top + logo_y, left + logo_x + logo_width, top + logo_y + logo_height)
        text_box = (left + text_box[0], top + text_box[1], left + text_box[2], top + text_box[3])
        return cls(Sprite.from_image(canvas), left, top, logo_box, text_box)


def _banner_lines(
    kit: BrandKit, width: int, logo_height: int, name_colour: RGB, tagline_colour: RGB
) -> list[Image.Image]:
    """The brand name over its tagline, the name always the larger: a long name that would come out
    small on one line is set on two, and the tagline never outgrows a line of the name."""
    name_height = round(0.46 * logo_height)
    name = fit_text(kit.display_name, width, name_height, name_colour, kit.font_path)
    line_height = name.height
    if name.height < 0.55 * name_height and len(kit.display_name.split()) > 1:
        two_lines = _set_lines(kit.display_name, width, round(0.56 * logo_height), 2, name_colour, kit.font_path,
                               centred=False)
        if two_lines.height > 1.6 * name.height:  # clearly bigger type, not just the same on two lines
            name, line_height = two_lines, two_lines.height / 2
    lines = [name]
    if kit.tagline:
        tagline_height = min(round(0.25 * logo_height), round(0.7 * line_height))
        lines.append(fit_text(kit.tagline, width, tagline_height, tagline_colour, kit.font_path))
    return lines


def _panel(kit: BrandKit, width: int, height: int, pad: int, bar: int, divider_x: int) -> Image.Image:
    """The banner's rounded card in the brand's background colour, with an accent bar along its foot."""
    background = kit.palette.rgb("background")
    panel = Image.new("RGBA", (width, height), (*background, 255))
    draw = ImageDraw.Draw(panel)
    draw.rectangle((0, height - bar, width, height), fill=(*kit.palette.rgb("accent"), 255))
    rule = mix(background, _readable(kit, background, ("primary", "accent", "secondary")), 0.3)
    draw.line((divider_x, pad, divider_x, height - bar - pad), fill=(*rule, 255), width=max(1, round(0.012 * height)))
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), radius=pad, fill=255)
    panel.putalpha(mask)
    return panel


def _readable(kit: BrandKit, background: RGB, roles: tuple[str, ...]) -> RGB:
    """The first palette colour in `roles` that reads on `background`, else the one that reads best."""
    colours = [kit.palette.rgb(role) for role in roles]
    for colour in colours:
        if contrast(colour, background) >= 3.5:
            return colour
    candidates = colours + [(255, 255, 255), (20, 20, 24)]
    return max(candidates, key=lambda colour: contrast(colour, background))


# Cards --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Confetti:
    """Seeded paper confetti, falling and fluttering; `draw` is a pure function of time."""

    pieces: np.ndarray  # rows: x, y, fall speed, sway, spin, size, phase (fractions of the frame)
    colours: tuple[RGB, ...]

    @classmethod
    def scatter(cls, colours: tuple[RGB, ...], count: int = 110, seed: int = SCENERY_SEED) -> Confetti:
        rng = np.random.default_rng(seed)
        pieces = np.column_stack([
            rng.uniform(0, 1, count), rng.uniform(-0.2, 1, count), rng.uniform(0.08, 0.2, count),
            rng.uniform(0.005, 0.02, count), rng.uniform(2, 7, count), rng.uniform(0.006, 0.012, count),
            rng.uniform(0, 2 * math.pi, count),
        ])
        return cls(pieces, colours)

    def draw(self, frame: np.ndarray, t: float) -> None:
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


@dataclass(frozen=True, eq=False)
class Crowd:
    """Spectators seen from behind along the bottom of the frame, a strip that tiles sideways.

    It slides a little as the procession advances, the near layer moving against the street, which
    gives the shot depth; a few spectators wave flags and hold balloons in the festival colours.
    """

    strip: Sprite  # as wide as the frame, its two ends meet
    drift: float  # pixels per float of procession

    @classmethod
    def gather(cls, stage: Stage, colours: tuple[RGB, ...], seed: int = SCENERY_SEED + 2) -> Crowd:
        width, height = stage.width, max(8, round(stage.crowd_height * stage.height))
        scale = 2  # drawn large, then reduced: smooth edges
        image = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        rng = np.random.default_rng(seed)
        unit = height * scale
        for row, (size, shade, top) in enumerate(((0.34, 0.62, 0.22), (0.42, 0.74, 0.42))):  # back row, front row
            x = -rng.uniform(0, 0.3) * unit
            while x < width * scale:
                head = size * unit * rng.uniform(0.85, 1.1) / 2
                clothes = mix(colours[int(rng.integers(len(colours)))], (34, 30, 52), shade)
                hair = mix((40, 30, 28), (90, 70, 60), rng.uniform(0, 1))
                y = top * unit + rng.uniform(-0.05, 0.05) * unit
                for wrap in (x, x - width * scale):  # drawn twice across the seam so the strip tiles
                    draw.rounded_rectangle((wrap - 2.1 * head, y + 1.5 * head, wrap + 2.1 * head, unit + head),
                                           radius=round(1.2 * head), fill=(*clothes, 255))
                    draw.ellipse((wrap - head, y, wrap + head, y + 2 * head), fill=(*hair, 255))
                    if row == 1 and rng.random() < 0.22:  # a raised flag or a balloon
                        colour = colours[int(rng.integers(len(colours)))]
                        stick_top = y - 1.6 * head
                        draw.line((wrap + 1.4 * head, y + 1.8 * head, wrap + 1.6 * head, stick_top),
                                  fill=(60, 50, 50, 255), width=max(1, round(head / 6)))
                        if rng.random() < 0.5:
                            draw.polygon([(wrap + 1.6 * head, stick_top), (wrap + 3.0 * head, stick_top + 0.45 * head),
                                          (wrap + 1.6 * head, stick_top + 0.9 * head)], fill=(*colour, 255))
                        else:
                            draw.ellipse((wrap + 1.0 * head, stick_top - 1.3 * head, wrap + 2.2 * head, stick_top),
                                         fill=(*colour, 255))
                x += head * rng.uniform(2.6, 3.6)
        strip = image.resize((width, height), Image.LANCZOS)
        return cls(Sprite.from_image(strip), stage.crowd_drift * width)

    def draw(self, frame: np.ndarray, position: float) -> None:
        shift = round(position * self.drift) % self.strip.width
        top = frame.shape[0] - self.strip.height
        paste(frame, self.strip, shift, top)
        paste(frame, self.strip, shift - self.strip.width, top)


@dataclass(frozen=True, eq=False)
class Lanterns:
    """Paper lanterns with a warm glow, rising slowly through the sky; `draw` is a pure function of time."""

    sprite: Sprite
    pieces: np.ndarray  # rows: x, start height, rise speed, sway, phase (fractions of the frame)
    sky: tuple[float, float]  # the band they rise through, fractions of the height: clear of the header

    @classmethod
    def release(cls, stage: Stage, count: int = 9, seed: int = SCENERY_SEED + 3) -> Lanterns:
        size = max(6, round(0.028 * stage.short_side))
        glow = Image.new("RGBA", (4 * size, 4 * size), (255, 170, 60, 0))
        mask = Image.new("L", glow.size, 0)
        ImageDraw.Draw(mask).ellipse((size, size, 3 * size, 3 * size), fill=110)
        glow.putalpha(mask.filter(ImageFilter.GaussianBlur(size * 0.6)))
        body = ImageDraw.Draw(glow)
        body.rounded_rectangle((1.35 * size, 1.2 * size, 2.65 * size, 2.8 * size), radius=size // 2,
                               fill=(236, 72, 40, 255))
        body.rectangle((1.55 * size, 1.05 * size, 2.45 * size, 1.25 * size), fill=(70, 40, 30, 255))
        body.ellipse((1.75 * size, 1.6 * size, 2.25 * size, 2.4 * size), fill=(255, 214, 120, 255))
        rng = np.random.default_rng(seed)
        pieces = np.column_stack([rng.uniform(0.05, 0.95, count), rng.uniform(0, 1, count),
                                  rng.uniform(0.015, 0.03, count), rng.uniform(0.004, 0.012, count),
                                  rng.uniform(0, 2 * math.pi, count)])
        top = 0.0 if stage.header_top is None else stage.header_top + 0.07
        return cls(Sprite.from_image(glow), pieces, (top, getattr(stage, "horizon", 0.5) - 0.02))

    def draw(self, frame: np.ndarray, t: float) -> None:
        height, width = frame.shape[:2]
        for x, start, rise, sway, phase in self.pieces:
            top, bottom = self.sky
            u = (start - rise * t) % 1.0  # climbs, and starts again low in the sky
            y = top + u * (bottom - top)
            fade = min(1.0, (1 - u) / 0.25, u / 0.25)  # fades in low, out high
            cx = (x + sway * math.sin(0.6 * t + phase)) * width
            paste(frame, self.sprite, round(cx - self.sprite.width / 2), round(y * height - self.sprite.height / 2),
                  max(0.0, fade))


@dataclass(frozen=True, eq=False)
class Card:
    """A title or end card: a soft, tinted copy of the street, confetti, then fixed layers on top."""

    backdrop: np.ndarray
    layers: tuple[tuple[Sprite, int, int], ...]
    confetti: Confetti | None  # None: particles switched off

    def frame(self, t: float) -> np.ndarray:
        frame = self.backdrop.copy()
        if self.confetti is not None:
            self.confetti.draw(frame, t)
        for sprite, x, y in self.layers:
            paste(frame, sprite, x, y)
        return frame


def card_backdrop(street: np.ndarray) -> np.ndarray:
    """The street, blurred soft and tinted dark, behind the cards' type.

    Blurred at a quarter of the size and scaled back up: the same softness for a tenth of the work.
    """
    height, width = street.shape[:2]
    small = cv2.resize(street, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), max(height, width) / 360)
    blurred = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    tint = np.full_like(street, CARD_TINT)
    return cv2.addWeighted(blurred, 0.38, tint, 0.62, 0)


def title_card(
    campaign: Campaign, stage: Stage, backdrop: np.ndarray, colours: tuple[RGB, ...], particles: bool = True
) -> Card:
    w, h = stage.width, stage.height
    tall = isinstance(stage, TallStage)
    max_lines = 3 if tall else 2
    title = _with_shadow(_set_lines(campaign.title, round(0.84 * w), round((0.26 if tall else 0.2) * h), max_lines))
    rule = _rule(round(0.18 * w if not tall else 0.3 * w), max(2, round(0.004 * h)), colours)
    x, y = (w - title.width) // 2, (h - title.height) // 2 - round(0.02 * h)
    gap = round(0.045 * h)
    layers = (
        (rule, (w - rule.width) // 2, y - gap),
        (Sprite.from_image(title), x, y),
        (rule, (w - rule.width) // 2, y + title.height + gap - rule.height),
    )
    return Card(backdrop, layers, Confetti.scatter(colours) if particles else None)


def end_card(
    campaign: Campaign, stage: Stage, kits: list[BrandKit], backdrop: np.ndarray, colours: tuple[RGB, ...],
    particles: bool = True,
) -> Card:
    """The end line, then a tile for each participating brand's logo."""
    w, h = stage.width, stage.height
    tall = isinstance(stage, TallStage)
    text = _with_shadow(_set_lines(campaign.end_card or campaign.title, round(0.84 * w), round(0.16 * h), 2))
    columns = min(len(kits), 3 if tall else 5)
    rows = math.ceil(len(kits) / columns)
    tile = round(min(0.8 * w / columns, (0.4 if tall else 0.44) * h / rows) * 0.86)
    gap = round(tile * 0.16)
    grid_height = rows * tile + (rows - 1) * gap
    text_y = round((0.3 if tall else 0.2) * h)
    grid_top = text_y + text.height + round(0.07 * h)
    if grid_top + grid_height > 0.93 * h:  # many brands: pull the text up
        text_y = max(round(0.05 * h), text_y - (grid_top + grid_height - round(0.93 * h)))
        grid_top = text_y + text.height + round(0.07 * h)
    layers = [(Sprite.from_image(text), (w - text.width) // 2, text_y)]
    for row in range(rows):
        in_row = kits[row * columns:(row + 1) * columns]
        row_width = len(in_row) * tile + (len(in_row) - 1) * gap
        for column, kit in enumerate(in_row):
            x = (w - row_width) // 2 + column * (tile + gap)
            layers.append((Sprite.from_image(_logo_tile(kit, tile)), x, grid_top + row * (tile + gap)))
    return Card(backdrop, tuple(layers), Confetti.scatter(colours, seed=SCENERY_SEED + 1) if particles else None)


def _logo_tile(kit: BrandKit, size: int) -> Image.Image:
    """The logo, resized once, centred on a light rounded tile so dark and light logos both read."""
    tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(tile).rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=(252, 250, 246, 240))
    logo = kit.logo_image()
    fit = 0.72 * size / max(logo.size)
    logo = logo.resize((max(1, round(logo.width * fit)), max(1, round(logo.height * fit))), Image.LANCZOS)
    tile.alpha_composite(logo, ((size - logo.width) // 2, (size - logo.height) // 2))
    return tile


def _set_lines(
    text: str, max_width: int, max_height: int, max_lines: int, fill: RGB = (255, 250, 240), font: Path | None = None,
    centred: bool = True,
) -> Image.Image:
    """`text` in up to `max_lines` centred lines, broken where the type comes out largest.

    A text with separators ("Thanks for watching · 感谢观看") prefers to break at them: phrases stay whole.
    """
    phrases = [part.strip() for part in re.split(r"\s[·|—]\s", text) if part.strip()]
    candidates = [_balanced_lines(text.split(), count) for count in range(1, max_lines + 1)]
    if 1 < len(phrases) <= max_lines:
        candidates.append(phrases)

    def size_and_score(lines: list[str]) -> tuple[float, float]:
        widest = max(map(_line_width, lines))
        size = min(40 * max_width / widest, max_height / (1.25 * len(lines)))
        # Each extra line must make the type clearly bigger; whole phrases read better than split ones.
        return size, size / 1.15 ** (len(lines) - 1) * (1.3 if lines is phrases else 1.0)

    best = max((lines for lines in candidates if lines), key=lambda lines: size_and_score(lines)[1])
    best_size = size_and_score(best)[0]
    if len(best) == 1:
        return fit_text(best[0], max_width, max_height, fill, font)
    size = round(best_size)
    rendered = [render_text(line, size, fill, font) for line in best]
    if max(line.width for line in rendered) > max_width:  # the brand's font runs wider than the one measured
        size = round(size * max_width / max(line.width for line in rendered))
        rendered = [render_text(line, size, fill, font) for line in best]
    leading = round(0.28 * size)
    height = sum(line.height for line in rendered) + leading * (len(rendered) - 1)
    canvas = Image.new("RGBA", (max(line.width for line in rendered), height))
    y = 0
    for line in rendered:
        canvas.alpha_composite(line, ((canvas.width - line.width) // 2 if centred else 0, y))
        y += line.height + leading
    return canvas


@lru_cache(maxsize=256)
def _line_width(line: str) -> int:
    return render_text(line, 40, (0, 0, 0)).width


def _balanced_lines(words: list[str], count: int) -> list[str]:
    """Break words into `count` lines whose widest line is as narrow as possible."""
    if count > len(words):
        return []
    if count == 1:
        return [" ".join(words)]
    best: list[str] = []
    for cut in range(1, len(words) - count + 2):
        lines = [" ".join(words[:cut]), *_balanced_lines(words[cut:], count - 1)]
        if not best or max(map(_line_width, lines)) < max(map(_line_width, best)):
            best = lines
    return best


def _with_shadow(image: Image.Image) -> Image.Image:
    """The image over a soft dark glow, so light type holds against any backdrop."""
    margin = max(4, image.height // 6)
    canvas = Image.new("RGBA", (image.width + 2 * margin, image.height + 2 * margin), (10, 8, 30, 0))
    glow = Image.new("L", canvas.size, 0)
    glow.paste(image.getchannel("A").point(lambda a: a * 0.7), (margin, margin + margin // 4))
    canvas.putalpha(glow.filter(ImageFilter.GaussianBlur(margin / 2)))
    canvas.alpha_composite(image, (margin, margin))
    return canvas


def _rule(width: int, thickness: int, colours: tuple[RGB, ...]) -> Sprite:
    """A short band of the festival colours, an ornament above and below the title."""
    image = Image.new("RGBA", (width, thickness), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    step = width / len(colours)
    for index, colour in enumerate(colours):
        draw.rectangle((round(index * step), 0, round((index + 1) * step) - 1, thickness - 1), fill=(*colour, 255))
    return Sprite.from_image(image)


def _paint_header(street: np.ndarray, title: str, stage: Stage, colours: tuple[RGB, ...]) -> None:
    """The campaign title small over the sky, with a festival-coloured rule under it."""
    text = _with_shadow(fit_text(title, round(0.8 * stage.width), round(0.036 * stage.height), (255, 250, 240)))
    top = round(stage.header_top * stage.height)
    paste(street, Sprite.from_image(text), (stage.width - text.width) // 2, top)
    rule = _rule(round(0.22 * stage.width), max(2, round(0.003 * stage.height)), colours)
    paste(street, rule, (stage.width - rule.width) // 2, top + text.height + round(0.004 * stage.height))


def ai_label(stage: Stage) -> tuple[Sprite, int, int]:
    """A small, legible disclosure in the top-right corner, clear of the banner."""
    unit = stage.short_side
    text = fit_text(AI_LABEL, round(0.5 * stage.width), max(8, round(0.026 * unit)), (255, 255, 255, 235))
    pad_x, pad_y = max(3, round(0.018 * unit)), max(2, round(0.011 * unit))
    pill = Image.new("RGBA", (text.width + 2 * pad_x, text.height + 2 * pad_y), (0, 0, 0, 0))
    ImageDraw.Draw(pill).rounded_rectangle(
        (0, 0, pill.width - 1, pill.height - 1), radius=pill.height // 2, fill=(16, 14, 30, 150)
    )
    pill.alpha_composite(text, (pad_x, pad_y))
    margin = round(0.03 * unit)
    return Sprite.from_image(pill), stage.width - pill.width - margin, margin


# The film -----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Parade:
    """Every pre-rendered piece of one film; `frame(t)` assembles a frame from them.

    A float's scaled art and a brand's banner are made the first time they are needed and kept,
    so building is quick and the work lands while the encoder is busy with earlier frames.
    """

    stage: Stage
    timeline: Timeline
    campaign: Campaign
    street: np.ndarray  # with the header, where the stage has one
    backdrop: np.ndarray  # the cards' background
    colours: tuple[RGB, ...]
    kits: tuple[BrandKit, ...]
    float_images: tuple[Image.Image, ...]
    label: tuple[Sprite, int, int] | None
    particles: bool = True  # confetti on the cards, lanterns over the procession
    _made: dict = field(default_factory=dict)  # what `_once` made, by key

    @classmethod
    def build(
        cls, campaign: Campaign, stage: Stage, timeline: Timeline, floats: list[tuple[BrandKit, Image.Image]],
    ) -> Parade:
        kits = [kit for kit, _image in floats]
        colours = festival_colours(kits)
        street = stage.paint_street(colours)
        backdrop = card_backdrop(street)
        if stage.header_top is not None:
            _paint_header(street, campaign.title, stage, colours)
        return cls(
            stage=stage, timeline=timeline, campaign=campaign, street=street, backdrop=backdrop, colours=colours,
            kits=tuple(kits), float_images=tuple(image for _kit, image in floats),
            label=ai_label(stage) if campaign.film.ai_label else None, particles=campaign.film.particles,
        )

    def _once(self, key, make):
        """`make()` the first time `key` is asked for; the kept result after that."""
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    @property
    def title(self) -> Card:
        return self._once("title", lambda: title_card(self.campaign, self.stage, self.backdrop, self.colours,
                                                      self.particles))

    @property
    def end(self) -> Card:
        return self._once("end", lambda: end_card(self.campaign, self.stage, list(self.kits), self.backdrop,
                                                  self.colours, self.particles))

    @property
    def crowd(self) -> Crowd:
        return self._once("crowd", lambda: Crowd.gather(self.stage, self.colours))

    @property
    def lanterns(self) -> Lanterns:
        return self._once("lanterns", lambda: Lanterns.release(self.stage))

    def float_art(self, index: int) -> FloatArt:
        return self._once(("float", index), lambda: FloatArt.build(self.float_images[index], self.stage))

    def banner(self, index: int) -> Banner:
        return self._once(("banner", index), lambda: Banner.build(self.kits[index], self.stage))

    def frame(self, t: float) -> np.ndarray:
        """The RGB frame at `t` seconds."""
        timeline = self.timeline
        if t < timeline.procession_start:
            frame = self.title.frame(t)
        elif t >= timeline.procession_end:
            frame = self.end.frame(t)
        else:
            frame = self._procession(t)
            dissolve = timeline.dissolve_seconds
            if timeline.title.seconds > 0 and t < timeline.procession_start + dissolve:
                shown = (t - timeline.procession_start) / dissolve
                frame = cv2.addWeighted(frame, shown, self.title.frame(t), 1 - shown, 0)
            elif timeline.end.seconds > 0 and t >= timeline.procession_end - dissolve:
                shown = (timeline.procession_end - t) / dissolve
                frame = cv2.addWeighted(frame, shown, self.end.frame(t), 1 - shown, 0)
        if self.label is not None:
            paste(frame, *self.label)
        return frame

    def _procession(self, t: float) -> np.ndarray:
        frame = self.street.copy()
        if self.particles:
            self.lanterns.draw(frame, t)
        for index, placement in self.floats_at(t):
            self.draw_float(frame, index, placement, t)
        self.crowd.draw(frame, self.timeline.position(t))
        for slot in self.timeline.slots:
            if slot.hold_start - BANNER_SLIDE_SECONDS <= t < slot.hold_end + BANNER_SLIDE_SECONDS:
                self._banner(frame, self.banner(slot.index), slot.hold_start, slot.hold_end, t)
        return frame

    def floats_at(self, t: float) -> list[tuple[int, Placement]]:
        """The floats in frame at `t` with their placements, in drawing order: far to near, then by index."""
        position = self.timeline.position(t)
        in_view = []
        for index in range(len(self.float_images)):
            placement = self.stage.place(index - position)
            if placement.opacity > 0 and self.stage.may_show(placement):
                in_view.append((placement.scale, index, placement))
        if in_view:
            self._forget_floats_outside(min(i for _s, i, _p in in_view) - 1, max(i for _s, i, _p in in_view) + 1)
        return [(index, placement) for _scale, index, placement in sorted(in_view, key=lambda item: item[:2])]

    def _forget_floats_outside(self, first: int, last: int) -> None:
        """Drop the scaled art of floats that have passed or are still far off, so memory stays that of the
        few in view however long the parade. (Asked for again, say when a segment is re-checked, it is remade.)"""
        for key in [key for key in self._made if key[0] == "float" and not first <= key[1] <= last]:
            del self._made[key]

    def draw_float(self, frame: np.ndarray, index: int, placement: Placement, t: float) -> None:
        """Float `index` and its shadow onto `frame` (RGB, or premultiplied RGBA for a finishing pass)."""
        body, shadow = self.float_art(index).at(placement.scale)
        bob = 0.012 * body.height * math.sin(2 * math.pi * t / 1.6 + 1.9 * index)
        centre_x, base_y = placement.centre_x, placement.base_y
        shadow_at = (round(centre_x - shadow.width / 2), round(base_y - shadow.height / 2))
        paste(frame, shadow, *shadow_at, placement.opacity)
        paste(frame, body, round(centre_x - body.width / 2), round(base_y - body.height + bob), placement.opacity)

    def _banner(self, frame: np.ndarray, banner: Banner, hold_start: float, hold_end: float, t: float) -> None:
        """Slides in just before the hold, sits still at its exact place during it, fades out after."""
        if hold_start <= t < hold_end:
            paste(frame, banner.sprite, banner.left, banner.top)
        elif hold_start - BANNER_SLIDE_SECONDS <= t < hold_start:
            u = ease_out((t - (hold_start - BANNER_SLIDE_SECONDS)) / BANNER_SLIDE_SECONDS)
            travel = (1 - u) * 0.04 * self.stage.short_side
            dx, dy = self.stage.banner_slide
            paste(frame, banner.sprite, banner.left + round(dx * travel), banner.top + round(dy * travel), u)
        elif hold_end <= t < hold_end + BANNER_SLIDE_SECONDS:
            paste(frame, banner.sprite, banner.left, banner.top, 1 - (t - hold_end) / BANNER_SLIDE_SECONDS)

    def clip(self):
        """A moviepy VideoClip drawing frames on demand."""
        from moviepy import VideoClip

        return VideoClip(frame_function=self.frame, duration=self.timeline.duration)
