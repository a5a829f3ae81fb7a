"""Finishing: cut a generated float out of its background, then put the exact brand marks back.

Image models are weak at logos and lettering, so every AI backend ends here. The previz float of
the same kit, seed and size says where the float is (its alpha) and where the brand marks go (its
layout); this module turns a raw generated image into a clean RGBA float carrying the brand's own
logo and display-name banner, pixel-exact, whatever the model drew there.

    >>> raw = Image.open("raw.png")                      # what the model made, RGB
    >>> previz = PrevizBackend().generate(kit, prompt, seed, {"width": 768, "height": 768})[0]
    >>> float_image = finish(raw, kit, previz.layout, mask=previz.image)
    >>> float_image.mode, float_image.getpixel((0, 0))[3]
    ('RGBA', 0)

`draw_brand_marks` (banner, then logo, drawn last) is also what the previz backend draws its own
marks with, so both paths share one source. The colour helpers live here for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import cv2
import numpy as np
from PIL import Image, ImageDraw

from workbench.colour_transfer import lab_of, lab_statistics, moved_toward, rgb_of
from workbench.colours import RGB, contrast, darker, mix
from workbench.kits import BrandKit, hex_to_rgb
from workbench.marks import FloatLayout
from workbench.typography import choose_lines, render_text

Box = tuple[int, int, int, int]
PRODUCT_TOLERANCE = 6.0  # CIE76 delta E a harmonised product's pixel may move from the photo's own colour

GRABCUT_ITERATIONS = 4
GRABCUT_RNG_SEED = 0  # grabCut seeds its colour models with OpenCV's global RNG: pin it, so finishing is repeatable


# ----------------------------------------------------------------------------------------------------
# Finishing


def finish(raw: Image.Image, kit: BrandKit, layout: FloatLayout, mask: Image.Image | None = None,
           banner_style: str = "ribbon", product_harmonise: float = 0.0,
           product_tolerance: float = PRODUCT_TOLERANCE) -> Image.Image:
    """The finished float: `raw` cut out (see `cut_out`), then the name banner and exact logo on top.

    `mask` is the previz float (its alpha is used) or an "L" mask of the same size; `layout` is where
    the previz put the brand marks. The area behind the logo is always kept, so the logo never floats
    over a hole.

        >>> finished = finish(raw, kit, previz.layout, mask=previz.image, banner_style="plaque")
    """
    cut = cut_out(raw, mask, keep=[layout.logo_box, *([layout.product_box] if layout.product_box else [])])
    finished = draw_brand_marks(cut, kit, layout, banner_style)
    if layout.product_box is not None and product_harmonise > 0:
        return harmonise_mark(finished, kit.product_image(), layout.product_box, product_harmonise, product_tolerance)
    return finished


def harmonise_mark(image: Image.Image, mark: Image.Image, box: Box, strength: float,
                   tolerance: float = PRODUCT_TOLERANCE) -> Image.Image:
    """A copy of `image` whose mark at `box` (drawn there exact) takes on the light of the float around it.

    The mark's opaque pixels move `strength` of the way to the colour statistics of the float's pixels in a
    band around the box (Reinhard's transfer in Lab), and no pixel moves more than `tolerance` (CIE76
    delta E) from the mark's own colour: a product that is still the product.

        >>> harmonise_mark(finished, kit.product_image(), layout.product_box, 0.5)
    """
    left, top, right, bottom = box
    if left < 0 or top < 0 or right > image.width or bottom > image.height or right <= left or bottom <= top:
        return image  # previz plans the box inside the float; a box elsewhere is left as it was drawn
    pixels = np.array(image.convert("RGBA"))
    band = max(4, (right - left) // 4)
    x0, y0, x1, y1 = max(0, left - band), max(0, top - band), min(image.width, right + band), min(image.height, bottom + band)
    placed = np.asarray(mark.resize((right - left, bottom - top), Image.LANCZOS))
    own = np.zeros(pixels.shape[:2], bool)
    own[top:bottom, left:right] = placed[..., 3] == 255  # only where the mark is opaque
    around = np.zeros_like(own)
    around[y0:y1, x0:x1] = pixels[y0:y1, x0:x1, 3] >= 128
    around[top:bottom, left:right] = False
    if not own.any() or not around.any():
        return image
    lab = lab_of(pixels[..., :3][own][:, None, :])[:, 0, :]  # pixels as a one-column image for OpenCV
    light = lab_of(pixels[..., :3][around][:, None, :])[:, 0, :]
    moved = moved_toward(lab, lab_statistics(lab), lab_statistics(light), strength)
    change = moved - lab
    distance = np.linalg.norm(change, axis=1, keepdims=True)
    moved = lab + change * np.minimum(1.0, tolerance / np.maximum(distance, 1e-6))  # at most `tolerance` apart
    pixels[..., :3][own] = rgb_of(moved[:, None, :])[:, 0, :]
    return Image.fromarray(pixels)


def cut_out(raw: Image.Image, mask: Image.Image | None, keep: Sequence[Box] = ()) -> Image.Image:
    """`raw` as RGBA with the background made transparent.

    How: the mask (an RGBA image's alpha, or an "L" image) becomes a GrabCut trimap: deep inside it is
    sure float, far outside sure background, the band around its edge is left for GrabCut to decide
    from the raw image's colours, so the cut follows what the model really drew. Without a mask, only
    the image's border is sure background and its centre sure float (GrabCut's classic rectangle). Specks and pin-holes are then removed, and the hard cut is
    feathered with a guided filter steered by the raw image, so the soft edge follows real edges.
    Boxes in `keep` (e.g. the logo box) stay opaque wherever the mask covers them.

        >>> cut_out(raw, previz.image).getchannel("A").getextrema()
        (0, 255)
    """
    rgb = np.asarray(raw.convert("RGB"))
    height, width = rgb.shape[:2]
    band = max(2, round(0.02 * min(width, height)))  # how far GrabCut may move the mask's edge
    trimap = _trimap(mask, width, height, band)
    prior = _prior(mask, width, height)
    for left, top, right, bottom in keep:
        region = trimap[max(0, top):bottom, max(0, left):right]
        region[prior[max(0, top):bottom, max(0, left):right] > 0] = cv2.GC_FGD

    if (trimap == cv2.GC_FGD).any() and (trimap == cv2.GC_BGD).any():
        cv2.setRNGSeed(GRABCUT_RNG_SEED)
        background_model, foreground_model = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
        cv2.grabCut(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), trimap, None, background_model, foreground_model,
                    GRABCUT_ITERATIONS, cv2.GC_INIT_WITH_MASK)
    hard = (trimap == cv2.GC_FGD) | (trimap == cv2.GC_PR_FGD)
    hard = _clean(hard, min_area=max(16, (width * height) // 2000))

    alpha = _feather(rgb, hard, radius=max(1, round(0.004 * min(width, height))))
    return Image.fromarray(np.dstack([rgb, alpha]))  # uint8 H x W x 4: RGBA


def _prior(mask: Image.Image | None, width: int, height: int) -> np.ndarray:
    """The mask as uint8 0..255 at the raw image's size; without one, everything inside the border."""
    if mask is None:
        prior = np.full((height, width), 255, np.uint8)
        prior[[0, -1], :] = prior[:, [0, -1]] = 0
        return prior
    alpha = mask.getchannel("A") if mask.mode in ("RGBA", "LA") else mask.convert("L")
    if alpha.size != (width, height):
        alpha = alpha.resize((width, height), Image.BILINEAR)
    return np.asarray(alpha)


def _trimap(mask: Image.Image | None, width: int, height: int, band: int) -> np.ndarray:
    """GrabCut's starting labels: sure / probable float, probable / sure background."""
    if mask is None:
        trimap = np.full((height, width), cv2.GC_PR_FGD, np.uint8)
        trimap[:band], trimap[-band:], trimap[:, :band], trimap[:, -band:] = (cv2.GC_BGD,) * 4
        cv2.ellipse(trimap, (width // 2, height // 2), (width // 8, height // 8), 0, 0, 360, int(cv2.GC_FGD), -1)
        return trimap
    prior = _prior(mask, width, height)
    inside = prior >= 128
    trimap = np.where(inside, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    trimap[_erode(inside, band)] = cv2.GC_FGD
    trimap[~_dilate(prior > 0, band)] = cv2.GC_BGD
    return trimap


def _erode(mask: np.ndarray, pixels: int) -> np.ndarray:
    return cv2.erode(mask.astype(np.uint8), _disc(pixels)).astype(bool)


def _dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), _disc(pixels)).astype(bool)


def _disc(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _clean(mask: np.ndarray, min_area: int) -> np.ndarray:
    """Drop islands and fill holes smaller than `min_area` pixels (GrabCut leaves both on busy images)."""
    mask = mask.copy()
    for value in (True, False):  # islands of float, then holes in it
        count, labels, stats, _ = cv2.connectedComponentsWithStats((mask == value).astype(np.uint8), connectivity=8)
        small = [label for label in range(1, count) if stats[label, cv2.CC_STAT_AREA] < min_area]
        if value is False:  # a "hole" touching the border is the background itself: keep it
            small = [label for label in small if not _touches_border(stats[label], mask.shape)]
        if small:
            mask[np.isin(labels, small)] = not value
    return mask


def _touches_border(stat: np.ndarray, shape: tuple[int, int]) -> bool:
    x, y, w, h = stat[:4]
    return x == 0 or y == 0 or x + w == shape[1] or y + h == shape[0]


def _feather(rgb: np.ndarray, hard: np.ndarray, radius: int, eps: float = 1e-3) -> np.ndarray:
    """Alpha from a hard mask, softened only near its edge with a guided filter (He et al. 2010).

    The filter makes alpha a local linear function of the image's brightness, so a soft edge lands on
    the real colour edge instead of a blur. Away from the edge alpha stays exactly 0 or 255.
    """
    guide = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255
    target = hard.astype(np.float32)
    size = (2 * radius + 1, 2 * radius + 1)

    def box(values: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(values, -1, size, borderType=cv2.BORDER_REFLECT)

    mean_guide, mean_target = box(guide), box(target)
    variance = box(guide * guide) - mean_guide * mean_guide
    covariance = box(guide * target) - mean_guide * mean_target
    a = covariance / (variance + eps)
    b = mean_target - a * mean_guide
    soft = np.clip(box(a) * guide + box(b), 0, 1)

    edge = _dilate(hard, radius + 1) & ~_erode(hard, radius + 1)
    alpha = np.where(edge, soft, target)
    return np.round(alpha * 255).astype(np.uint8)


# ----------------------------------------------------------------------------------------------------
# The brand marks: the name banner, then the exact logo


def draw_brand_marks(image: Image.Image, kit: BrandKit, layout: FloatLayout, banner_style: str = "ribbon") -> Image.Image:
    """A copy of `image` with the name banner, the product (when the layout has its box) and then the
    exact logo on top, at the layout's boxes.

    The logo and the product are each resized once with Lanczos to their box (their exact bounds) and
    composited at an integer position; the logo is drawn last, so nothing covers it.
    """
    result = image.convert("RGBA") if image.mode != "RGBA" else image.copy()
    left, top, right, bottom = layout.banner_box
    if right - left >= 8 and bottom - top >= 8:
        banner = _banner_image(kit, right - left, bottom - top, banner_style)
        _composite_clipped(result, banner, left, top)
    if layout.product_box is not None and kit.products:
        draw_mark(result, kit.product_image(), layout.product_box)
    draw_mark(result, kit.logo_image(), layout.logo_box)
    return result


def draw_mark(image: Image.Image, mark: Image.Image, box: Box) -> None:
    """Composite `mark` (the logo, a product) onto RGBA `image` in place, resized once with Lanczos to
    `box`: how every exact mark is drawn, so every check can expect the same pixels."""
    left, top, right, bottom = box
    _composite_clipped(image, mark.resize((right - left, bottom - top), Image.LANCZOS), left, top)


def _composite_clipped(base: Image.Image, layer: Image.Image, left: int, top: int) -> None:
    """alpha_composite that tolerates layers reaching past the image's edges."""
    x0, y0 = max(0, -left), max(0, -top)
    x1, y1 = min(layer.width, base.width - left), min(layer.height, base.height - top)
    if x1 > x0 and y1 > y0:
        base.alpha_composite(layer, (left + x0, top + y0), (x0, y0, x1, y1))


def _banner_image(kit: BrandKit, width: int, height: int, style: str) -> Image.Image:
    """The name banner (and tagline if there is room) as an RGBA image of exactly width x height."""
    band, text_colour, trim = _banner_colours(kit)
    ss = 4
    W, H = width * ss, height * ss
    big = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(big)
    edge = darker(band, 0.55) + (255,)
    ow = max(2, round(H * 0.025))
    if style == "ribbon":
        tail = min(H * 0.62, W * 0.09)
        band_box = (tail * 0.62, 0, W - tail * 0.62, H * 0.84)
        back = darker(trim, 0.12) + (255,)
        fold = darker(trim, 0.5) + (255,)
        for m in (1, -1):
            def X(x, m=m):
                return x if m == 1 else W - x
            d.polygon([(X(0), H * 0.2), (X(tail * 1.5), H * 0.2), (X(tail * 1.5), H), (X(0), H), (X(tail * 0.5), H * 0.6)],
                      fill=back, outline=edge, width=ow)
            d.polygon([(X(tail * 0.62), H * 0.84), (X(tail * 1.5), H * 0.84), (X(tail * 1.5), H)], fill=fold, outline=edge, width=ow)
        x0, y0, x1, y1 = band_box
        tile = shade_tile(band, (round(x1 - x0), round(y1 - y0)), "v", 0.18)
        big.paste(tile, (round(x0), round(y0)))
        d.rectangle((round(x0), round(y0), round(x0) + tile.width - 1, round(y0) + tile.height - 1), outline=edge, width=ow)
        stripe = max(2, round(H * 0.04))
        for y in (y0 + H * 0.05, y1 - H * 0.05 - stripe):
            d.rectangle((x0 + ow, y, x1 - ow, y + stripe), fill=trim + (255,))
        text_box = (x0 + H * 0.16, y0 + H * 0.11, x1 - H * 0.16, y1 - H * 0.11)
    else:  # plaque: a rounded sign with a double border
        radius = H * 0.22
        d.rounded_rectangle((0, 0, W - 1, H - 1), radius=radius, fill=darker(band, 0.25) + (255,), outline=edge, width=ow)
        inset = H * 0.08
        tile = shade_tile(band, (round(W - 2 * inset), round(H - 2 * inset)), "v", 0.16)
        mask = Image.new("L", tile.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, tile.width - 1, tile.height - 1), radius=radius * 0.7, fill=255)
        big.paste(tile, (round(inset), round(inset)), mask)
        d.rounded_rectangle((inset * 1.8, inset * 1.8, W - inset * 1.8, H - inset * 1.8), radius=radius * 0.5,
                            outline=trim + (255,), width=max(2, round(H * 0.03)))
        text_box = (inset * 2 + H * 0.12, inset * 2 + H * 0.06, W - inset * 2 - H * 0.12, H - inset * 2 - H * 0.06)
    banner = big.resize((width, height), Image.BOX)
    tx0, ty0, tx1, ty1 = (round(v / ss) for v in text_box)
    block = _text_block(kit, tx1 - tx0, ty1 - ty0, text_colour, darker(band, 0.3))
    if block is not None:
        banner.alpha_composite(block, (tx0 + (tx1 - tx0 - block.width) // 2, ty0 + (ty1 - ty0 - block.height) // 2))
    return banner


def _text_block(kit: BrandKit, width: int, height: int, colour: RGB, shadow: RGB) -> Image.Image | None:
    """The display name, on one or two lines, and the tagline below it when it can be read."""
    if width < 8 or height < 6:
        return None
    font = kit.font_path
    name = kit.display_name.strip()
    best_lines, best_size = choose_lines(name, width, round(height * 0.92), 2, font)
    tagline = kit.tagline.strip()
    tag_img = None
    if tagline and len(best_lines) == 1:
        _lines, name_size = choose_lines(name, width, round(height * 0.58), 1, font)
        _lines, tag_size = choose_lines(tagline, round(width * 0.94), round(height * 0.3), 1, font)
        if tag_size >= 11:  # legible: worth a slightly smaller name
            best_size = name_size
            tag_img = render_text(tagline, tag_size, colour, font)
    rendered = [render_text(line, best_size, colour, font) for line in best_lines]
    gap = max(1, round(best_size * 0.14))
    parts = rendered + ([tag_img] if tag_img else [])
    w = max(im.width for im in parts)
    h = sum(im.height for im in parts) + gap * (len(parts) - 1) + (gap if tag_img else 0)
    off = max(1, round(best_size * 0.05))
    block = Image.new("RGBA", (w + off, h + off), (0, 0, 0, 0))
    y = 0
    for i, im in enumerate(parts):
        if i == len(parts) - 1 and tag_img is not None:
            y += gap
        x = (w - im.width) // 2
        shade = Image.new("RGBA", im.size, shadow + (255,))
        shade.putalpha(im.getchannel("A"))
        block.alpha_composite(shade, (x + off, y + off))
        block.alpha_composite(im, (x, y))
        y += im.height + gap
    return block


# ----------------------------------------------------------------------------------------------------
# Colours


@dataclass(frozen=True)
class BrandColours:
    primary: RGB
    secondary: RGB
    accent: RGB
    background: RGB
    ink: RGB  # outlines: a deep shade of the primary

    @classmethod
    def of(cls, kit: BrandKit) -> "BrandColours":
        p = kit.palette
        primary = hex_to_rgb(p.primary)
        return cls(primary, hex_to_rgb(p.secondary), hex_to_rgb(p.accent), hex_to_rgb(p.background),
                   darker(mix(primary, (20, 20, 28), 0.5), 0.35))

    def on(self, base: RGB, *candidates: RGB) -> RGB:
        """The first candidate that stands out against `base`, else the most contrasting one."""
        for colour in candidates:
            if contrast(colour, base) >= 1.9:
                return colour
        return max(candidates, key=lambda colour: contrast(colour, base))


def _banner_colours(kit: BrandKit) -> tuple[RGB, RGB, RGB]:
    """(band, text, trim) for the name banner: the first palette pairing that reads well."""
    c = BrandColours.of(kit)
    pairs = [(c.secondary, c.primary), (c.background, c.primary), (c.secondary, c.accent),
             (c.background, c.accent), (c.primary, c.background), (c.primary, c.secondary),
             (c.accent, c.background), (c.accent, c.primary)]
    band, text = next(((b, t) for b, t in pairs if contrast(b, t) >= 4.5),
                      max(pairs, key=lambda pair: contrast(*pair)))
    trim = c.on(band, c.accent, c.primary, c.secondary)
    return band, text, trim


# ----------------------------------------------------------------------------------------------------
# Shading (the previz painter shades its shapes with it too)


def shade_tile(colour: RGB, size: tuple[int, int], shade: str, strength: float, bands: int = 8) -> Image.Image:
    """An opaque RGBA tile filled with `colour`, lit from the upper left."""
    w, h = size
    if shade == "v":
        light = strength * (1 - 2 * np.linspace(0, 1, h))[:, None]
    elif shade == "h":  # a cylinder seen from the front
        u = np.linspace(0, 1, w)
        light = (strength * np.clip(1.0 - 2.6 * np.abs(u - 0.36), -1, 1))[None, :]
    elif shade == "pleats":  # folded cloth
        u = np.linspace(0, 1, w)
        light = (strength * (0.55 * np.sin(u * bands * 2 * np.pi) + 0.45 * np.clip(1 - 2.2 * np.abs(u - 0.4), -1, 1)))[None, :]
    elif shade == "sphere":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        d = np.hypot((xx / max(w - 1, 1) - 0.36) / 0.9, (yy / max(h - 1, 1) - 0.3) / 0.9)
        light = strength * np.clip(1.0 - 2.0 * d, -1, 1)
    else:
        raise ValueError(shade)
    base = np.array(colour, np.float32)
    light = light[..., None].astype(np.float32)
    rgb = np.where(light > 0, base + (255 - base) * light, base * (1 + light))
    rgb = np.broadcast_to(rgb, (h, w, 3))
    tile = np.empty((h, w, 4), np.uint8)
    tile[..., :3] = np.clip(rgb + 0.5, 0, 255)
    tile[..., 3] = 255
    return Image.fromarray(tile)
