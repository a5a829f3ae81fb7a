"""Defects a designer would reject, injected into clean previz floats at a few strengths.

Used by `bench_triage.py` (recall per defect kind, false flags on the clean set) and by the triage
tests (each kind on a few images). Each injector is `inject(image, kit, layout, strength, rng)` ->
a new RGBA image; strength 0 is the faintest (a designer may let it pass), 1 and 2 are what a
designer rejects.

    >>> defective = DEFECTS["blurred"](float_image, kit, layout, strength=1, rng=random.Random(0))
"""

from __future__ import annotations

import io
import random
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw

from workbench.backends import FloatLayout
from workbench.finishing import draw_brand_marks
from workbench.kits import BrandKit
from workbench.typography import render_text

Injector = Callable[[Image.Image, BrandKit, FloatLayout, int, random.Random], Image.Image]
STRENGTHS = (0, 1, 2)
REJECTED_FROM = 1  # strengths from which a designer rejects the float
LATIN = "ABCDEFGHJKLMNPRSTUVWXYZ"
CJK = "福寿喜财旺顺达龙凤春秋金银花月星光明美乐"


def garbled_text(image, kit, layout, strength, rng):
    """Pseudo-lettering on the float's body, as models draw it: 3-8 random letters or characters."""
    result = image.copy()
    letters = CJK if rng.random() < 0.5 else LATIN
    text = "".join(rng.choice(letters) for _ in range((3, 5, 8)[strength]))
    size = round(image.height * (0.035, 0.05, 0.07)[strength])
    lettering = render_text(text, size, (30, 30, 30), stroke_width=max(1, size // 14), stroke_fill=(250, 250, 250))
    left, top, right, bottom = layout.logo_box
    spot = (max(4, left - lettering.width - image.width // 40), max(4, top + (bottom - top) // 3))
    if spot[0] + lettering.width > left:  # no room left of the logo: under the logo, above the banner
        spot = ((image.width - lettering.width) // 2, bottom + (layout.banner_box[1] - bottom - lettering.height) // 2)
    result.alpha_composite(lettering, spot)
    return result


def name_erased(image, kit, layout, strength, rng):
    """The name on the banner painted over with the banner's own colour (a part, most, or all of it)."""
    result = image.copy()
    left, top, right, bottom = layout.banner_box
    colour = _banner_colour(image, layout)
    share = (0.35, 0.7, 1.0)[strength]
    width = (right - left) * 0.8 * share
    ImageDraw.Draw(result).rectangle((left + (right - left) * 0.1, top + (bottom - top) * 0.12,
                                      left + (right - left) * 0.1 + width, top + (bottom - top) * 0.62), fill=colour)
    return result


def name_misspelt(image, kit, layout, strength, rng):
    """The banner drawn again with one, two or three characters of the name wrong."""
    name = list(kit.display_name)
    positions = [index for index, ch in enumerate(name) if ch.isalpha()]
    for index in rng.sample(positions, min(len(positions), strength + 1)):
        pool = CJK if ord(name[index]) > 0x2E80 else LATIN.lower() if name[index].islower() else LATIN
        name[index] = rng.choice([ch for ch in pool if ch != name[index]])
    wrong = kit.model_copy(update={"display_name": "".join(name), "latin_name": None})
    marks_only = Image.new("RGBA", image.size, (0, 0, 0, 0))
    marks = draw_brand_marks(marks_only, wrong, FloatLayout(layout.logo_box, layout.banner_box))
    result = image.copy()
    result.alpha_composite(marks)
    return result


def logo_covered(image, kit, layout, strength, rng):
    """A patch of the float's colour over the lower 15%, 35% or 60% of the logo's own pixels."""
    result = image.copy()
    left, top, right, bottom = layout.logo_box
    logo = np.asarray(kit.logo_image().resize((right - left, bottom - top), Image.LANCZOS))[:, :, 3] >= 250
    share = (0.15, 0.35, 0.6)[strength]
    below = np.cumsum(logo.sum(axis=1)[::-1])[::-1] / max(1, logo.sum())  # share of logo pixels from each row down
    row = int(np.nonzero(below >= share)[0].max())
    # Of the float's own colours, the one least like the covered part of the logo (a patch in the
    # logo's own colour would hide nothing).
    covered = np.asarray(image)[top + row:bottom, left:right, :3][logo[row:]].astype(float).mean(axis=0)
    candidates = [tuple(int(v) for v in np.asarray(image)[min(image.height - 1, bottom + 4), (left + right) // 2][:3])]
    candidates += [kit.palette.rgb(role) for role in ("primary", "secondary", "accent", "background")]
    colour = max(candidates, key=lambda rgb: np.abs(np.array(rgb) - covered).sum())
    ImageDraw.Draw(result).rectangle((left - 2, top + row, right + 2, bottom + 2), fill=colour + (255,))
    return result


def logo_swapped(image, kit, layout, strength, rng, other: BrandKit | None = None):
    """Another brand's logo where this one's should be."""
    result = image.copy()
    left, top, right, bottom = layout.logo_box
    ImageDraw.Draw(result).rectangle((left, top, right, bottom), fill=_medallion_colour(image, layout))
    other_logo = (other or kit).logo_image()
    result.alpha_composite(other_logo.resize((right - left, bottom - top), Image.LANCZOS), (left, top))
    return result


def off_palette(image, kit, layout, strength, rng):
    """The float's hues turned 35, 90 or 160 degrees (off the brand's colours)."""
    degrees = (35, 90, 160)[strength]
    hsv = np.asarray(image.convert("RGB").convert("HSV")).copy()
    hsv[:, :, 0] = (hsv[:, :, 0].astype(int) + round(degrees * 255 / 360)) % 256
    turned = Image.frombytes("HSV", image.size, hsv.tobytes()).convert("RGB").convert("RGBA")
    turned.putalpha(image.getchannel("A"))
    return turned


def blurred(image, kit, layout, strength, rng):
    """A soft image: Gaussian blur of 1, 2.5 or 4 px (at 768 px)."""
    radius = (1.0, 2.5, 4.0)[strength] * image.width / 768
    return _premultiplied_blur(image, radius)


def noise(image, kit, layout, strength, rng):
    """Grain: Gaussian noise of 4, 10 or 20 grey levels on the float."""
    sigma = (4, 10, 20)[strength]
    generator = np.random.default_rng(rng.getrandbits(32))
    pixels = np.asarray(image).astype(np.float32)
    pixels[:, :, :3] += generator.normal(0, sigma, pixels[:, :, :3].shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def background_left(image, kit, layout, strength, rng):
    """The float on an opaque backdrop: a flat light one, a gradient, a busy street-like one."""
    width, height = image.size
    if strength == 0:
        backdrop = Image.new("RGBA", image.size, (244, 243, 238, 255))
    else:
        ramp = np.linspace(0, 1, height)[:, None, None]
        top, bottom = np.array([120, 170, 220]), np.array([235, 225, 200])
        pixels = (top * (1 - ramp) + bottom * ramp) * np.ones((1, width, 1))
        if strength == 2:
            generator = np.random.default_rng(rng.getrandbits(32))
            pixels += generator.normal(0, 18, pixels.shape)
        backdrop = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGBA")
    backdrop.alpha_composite(image)
    return backdrop


def cropped(image, kit, layout, strength, rng):
    """The float pushed out of the frame by 6%, 12% or 22% of its width (the image edge cuts it)."""
    shift = round(image.width * (0.06, 0.12, 0.22)[strength])
    result = Image.new("RGBA", image.size, (0, 0, 0, 0))
    direction = rng.choice((-1, 1))
    result.alpha_composite(image, (max(0, shift * direction), 0), (max(0, -shift * direction), 0, image.width, image.height))
    return result


def near_copy(image, kit, layout, strength, rng):
    """The same float made again with a little changed (light, re-encoding), its exact marks put back
    as finishing does: a re-roll that changed nothing a designer would choose between."""
    pixels = np.asarray(image).astype(np.int16)
    pixels[:, :, :3] += (3, 6, 10)[strength]
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)[:, :, :3]).save(buffer, "JPEG", quality=(92, 85, 75)[strength])
    copy = Image.open(buffer).convert("RGBA")
    copy.putalpha(image.getchannel("A"))
    for box in (layout.banner_box, layout.logo_box):  # the exact marks, back where they were
        copy.paste(image.crop(box), box[:2])
    return copy


DEFECTS: dict[str, Injector] = {
    "garbled_text": garbled_text, "name_erased": name_erased, "name_misspelt": name_misspelt,
    "logo_covered": logo_covered, "logo_swapped": logo_swapped, "off_palette": off_palette, "blurred": blurred,
    "noise": noise, "background_left": background_left, "cropped": cropped, "near_copy": near_copy,
}


def _banner_colour(image: Image.Image, layout: FloatLayout) -> tuple[int, int, int, int]:
    """The banner's most common colour (its band), read in a strip along its middle."""
    left, top, right, bottom = layout.banner_box
    strip = np.asarray(image)[(top + bottom) // 2 - 2:(top + bottom) // 2 + 2, left + (right - left) // 8:right - (right - left) // 8]
    colours, counts = np.unique(strip.reshape(-1, 4), axis=0, return_counts=True)
    return tuple(int(v) for v in colours[counts.argmax()])


def _medallion_colour(image: Image.Image, layout: FloatLayout) -> tuple[int, int, int, int]:
    left, top, right, bottom = layout.logo_box
    return tuple(int(v) for v in np.asarray(image)[top + 2, left + 2][:3]) + (255,)


def _premultiplied_blur(image: Image.Image, sigma: float) -> Image.Image:
    """Blur colour and alpha together without dark halos (premultiply, blur, unpremultiply)."""
    import cv2

    pixels = np.asarray(image).astype(np.float32)
    alpha = pixels[:, :, 3:4] / 255
    premultiplied = np.concatenate([pixels[:, :, :3] * alpha, pixels[:, :, 3:4]], axis=2)
    blurred_pixels = cv2.GaussianBlur(premultiplied, (0, 0), sigma)
    out_alpha = np.maximum(blurred_pixels[:, :, 3:4], 1e-3) / 255
    rgb = np.clip(blurred_pixels[:, :, :3] / out_alpha, 0, 255)
    return Image.fromarray(np.concatenate([rgb, blurred_pixels[:, :, 3:4]], axis=2).round().astype(np.uint8))
