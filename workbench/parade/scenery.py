"""Painting the street once per film: the festival's colours, sky, skyline, paving, kerbs, lamp posts, bunting.

Helpers for the stages' `paint_street`; each paints into an RGB uint8 image in place.

    >>> image = sky(1920, 1080, horizon=626)
    >>> bunting(image, (100, 300), (600, 310), sag=70, flag=30, colours=festival_colours(kits))
"""

from __future__ import annotations

import colorsys

import cv2
import numpy as np
from PIL import Image, ImageDraw

from workbench.colours import RGB, mix
from workbench.kits import BrandKit
from workbench.parade.sprites import Sprite

FESTIVE_DEFAULT: tuple[RGB, ...] = ((230, 57, 70), (255, 183, 3), (42, 157, 143), (69, 123, 157), (244, 132, 95))
SKY_TOP: RGB = (46, 84, 160)
SKY_HORIZON: RGB = (255, 206, 158)
PAVEMENT: RGB = (196, 184, 170)
KERB: RGB = (226, 218, 206)
ASPHALT: RGB = (74, 76, 90)
LAMP: RGB = (44, 42, 62)
SCENERY_SEED = 20240917  # fixed: the same campaign always gets the same skyline and confetti


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


def vertical_gradient(height: int, width: int, top: RGB, bottom: RGB) -> np.ndarray:
    ramp = np.linspace(0.0, 1.0, max(1, height))[:, None]
    column = np.array(top, float) + (np.array(bottom, float) - np.array(top, float)) * ramp
    return np.repeat(np.round(column).astype(np.uint8)[:, None, :], width, axis=1)


def sky(width: int, height: int, horizon: int) -> np.ndarray:
    """Late-afternoon sky with a warm glow low in the middle; the ground is painted over it later."""
    image = vertical_gradient(height, width, SKY_TOP, SKY_HORIZON).astype(np.float32)
    image[horizon:] = SKY_HORIZON
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    glow = np.exp(-(((xs - 0.5 * width) / (0.45 * width)) ** 2 + ((ys - horizon) / (0.35 * height)) ** 2))
    image += glow[..., None] * np.array([40, 22, 0], np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


def skyline(image: np.ndarray, horizon: int, rng: np.random.Generator, unit: float) -> None:
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


def pavement(image: np.ndarray, top: int, bottom: int, vanishing: tuple[float, float], unit: float) -> None:
    """Stone paving with seams running toward the vanishing point, which gives the street its depth."""
    width = image.shape[1]
    image[top:bottom] = vertical_gradient(bottom - top, width, mix(PAVEMENT, SKY_HORIZON, 0.25), PAVEMENT)
    seam = mix(PAVEMENT, (60, 50, 50), 0.22)
    vx, vy = vanishing
    for x in np.arange(-3.0 * width, 4.0 * width, 0.09 * unit):
        # A seam is the line from the vanishing point through (x, bottom), drawn only inside this band.
        slope = (x - vx) / max(1.0, bottom - vy)
        start = (vx + slope * (top - vy), top)
        cv2.line(image, _int(start), _int((x, bottom)), seam, max(1, round(0.0015 * unit)), cv2.LINE_AA)


def kerb(image: np.ndarray, top: int, bottom: int) -> None:
    image[top:bottom] = vertical_gradient(bottom - top, image.shape[1], KERB, mix(KERB, (40, 40, 50), 0.35))


def dashes(image: np.ndarray, y: int, thickness: int, length: int, gap: int) -> None:
    for x in range(0, image.shape[1], length + gap):
        cv2.rectangle(image, (x, y - thickness // 2), (x + length, y + thickness // 2), (236, 226, 200), -1)


def lamp_post(image: np.ndarray, x: int, base: int, height: int, unit: float) -> None:
    pole = max(1, round(0.007 * unit))
    cv2.rectangle(image, (x - pole, base - height), (x + pole, base), LAMP, -1, cv2.LINE_AA)
    cv2.rectangle(image, (x - 2 * pole, base - round(0.02 * unit)), (x + 2 * pole, base), LAMP, -1, cv2.LINE_AA)
    head = max(2, round(0.018 * unit))
    cv2.circle(image, (x, base - height), head, (255, 236, 180), -1, cv2.LINE_AA)
    cv2.circle(image, (x, base - height), head, LAMP, max(1, round(0.004 * unit)), cv2.LINE_AA)


def bunting(image, start, end, sag: float, flag: float, colours: tuple[RGB, ...], shift: int = 0) -> None:
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


def festival_rule(width: int, thickness: int, colours: tuple[RGB, ...]) -> Sprite:
    """A short band of the festival colours, an ornament above and below a title."""
    image = Image.new("RGBA", (width, thickness), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    step = width / len(colours)
    for index, colour in enumerate(colours):
        draw.rectangle((round(index * step), 0, round((index + 1) * step) - 1, thickness - 1), fill=(*colour, 255))
    return Sprite.from_image(image)


def _int(point) -> tuple[int, int]:
    return round(point[0]), round(point[1])


def quarter_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """`image` blurred by `sigma` pixels, worked at a quarter of its size and scaled back up: the same softness
    for a tenth of the work, cheap enough for a picture per frame (a video plate's depth of field)."""
    height, width = image.shape[:2]
    small = cv2.resize(image, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / 4)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
