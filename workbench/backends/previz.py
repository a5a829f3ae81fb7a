"""The offline "previz" backend: a procedural, brand-accurate parade float drawn with Pillow.

No model and no network: the float is built from vector-ish shapes in the kit's palette, its motif
shapes as decorations, the exact logo on a medallion and the display name on a banner. It is the
campaign's rough before any AI pass, and what the demo and the tests run on.

    >>> backend = PrevizBackend()
    >>> [concept] = backend.generate(lotus_tea, prompt, seed=3, settings={"width": 768, "height": 768})
    >>> concept.settings["body"], concept.layout.logo_box
    ('tiers', (292, 232, 476, 416))

How a float is made, in order:

1. `choose_design(kit, seed)` picks the design (body silhouette, motif arrangement, trims, banner
   style...) from a random generator seeded by the kit's slug and the seed, never the global one.
2. `plan_layout(kit, width, height, seed)` says where the logo and the name banner go.
3. The float body is drawn at 3x the final size with opaque shapes only, then box-filtered down,
   which anti-aliases every edge and keeps the alpha clean: 0 outside, 255 inside, in between only
   on edges. Shading and highlights change colour, never alpha.
4. `draw_brand_marks(image, kit, layout)` puts the banner and then the logo on top, at final size:
   the logo is resized once (Lanczos) to its box and composited at an integer position, so it is
   pixel-exact and nothing covers it. It lives in `workbench.finishing`, which the AI backends'
   finishing step shares.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import asdict, dataclass
from typing import Any, Callable

import numpy as np
from PIL import Image, ImageDraw

from workbench.backends import Concept, FloatLayout
from workbench.colours import RGB, contrast, darker, lighter, luminance, mix
from workbench.finishing import BrandColours, draw_brand_marks, shade_tile
from workbench.kits import BrandKit
from workbench.prompts import Prompt

MODEL = "previz-1"
DEFAULT_SIZE = 768
SUPERSAMPLE = 3  # the body is drawn this many times larger, then box-filtered down
FRAME_ASPECT = 1.12  # width / height of the box the float is designed in

BODIES = ("barge", "tiers", "pavilion", "wagon", "mascot")
ARRANGEMENTS = ("ring", "rows", "clusters", "scatter")
TRIMS = ("bunting", "lanterns", "garland", "flags")
MEDALLIONS = ("rays", "scallop", "beads", "wreath")
BANNERS = ("ribbon", "plaque")
SKIRTS = ("scallop", "fringe", "pleats")
# Motif shapes solid enough to become the giant mascot body, best first.
MASSIVE = ("star", "heart", "flower", "cloud", "circle", "diamond", "lantern")

# Frame coordinates (u across, v down, both 0..1) shared by every body.
DECK_TOP, DECK_FACE, DECK_BOTTOM, SKIRT_BOTTOM = 0.655, 0.68, 0.82, 0.905
WHEEL_V, WHEEL_R = 0.93, 0.062  # wheel radius in frame widths
BANNER_UV = (0.085, 0.672, 0.915, 0.835)
LOGO_CENTRE = {"barge": (0.5, 0.33), "tiers": (0.5, 0.40), "pavilion": (0.5, 0.43), "wagon": (0.5, 0.37),
               "mascot": (0.5, 0.37)}
LOGO_AREA = 0.25  # the logo covers about (LOGO_AREA * frame width) squared
LOGO_MAX_W, LOGO_MAX_H = 0.42, 0.40  # in frame widths / frame heights
# The product stands on a plinth at a front corner of the deck, clear of the logo (at most u 0.29..0.71)
# and above the name banner (from v 0.672).
PRODUCT_U = {"left": 0.165, "right": 0.835}
PRODUCT_MAX_W, PRODUCT_MAX_H = 0.2, 0.27  # in frame widths / frame heights
PLINTH_H = 0.045  # frame heights between the product's foot and the deck top



# ----------------------------------------------------------------------------------------------------
# The backend


class PrevizBackend:
    """Procedural parade floats; one concept per seed, deterministic to the byte."""

    name = "previz"

    def generate(self, kit: BrandKit, prompt: Prompt, seed: int, settings: dict[str, Any]) -> list[Concept]:
        width = int(settings.get("width", DEFAULT_SIZE))
        height = int(settings.get("height", DEFAULT_SIZE))
        if width < 64 or height < 64:
            raise ValueError(f"previz needs at least 64x64 pixels, got {width}x{height}")
        design = choose_design(kit, seed, settings)
        image, layout = render_float(kit, design, width, height)
        effective = {"width": width, "height": height, **design.settings(), "supersample": SUPERSAMPLE}
        return [Concept(image=image, model=MODEL, settings=effective, layout=layout)]


@dataclass(frozen=True)
class FloatDesign:
    """The choices a seed makes; every field is JSON-able and recorded in the concept's settings."""

    body: str
    arrangement: str
    trim: str
    medallion: str
    banner: str
    skirt: str
    hero_motif: str
    wheels: int
    detail_seed: int  # seeds the small placements (rotations, jitter) after the big choices
    product_side: str | None = None  # "left" or "right" for a kit with a product

    def settings(self) -> dict[str, Any]:
        settings = asdict(self)
        if self.product_side is None:  # a float without a product records exactly what it did before
            del settings["product_side"]
        return settings


def choose_design(kit: BrandKit, seed: int, overrides: dict[str, Any] | None = None) -> FloatDesign:
    """The design a seed gives for a kit. `overrides` may pin any field by name (e.g. body='wagon')."""
    rng = _rng(kit.slug, seed, "design")
    # Consecutive seeds walk through the bodies, so seeds 1, 2, 3 always give three silhouettes, and
    # the kit's own offset keeps a parade of many brands from all starting on the same body.
    offset = int(hashlib.sha256(kit.slug.encode()).hexdigest()[:8], 16)
    massive = [shape for shape in kit.motif_shapes if shape in MASSIVE]
    design = {
        "body": BODIES[(offset + seed) % len(BODIES)],
        "arrangement": rng.choice(ARRANGEMENTS),
        "trim": rng.choice(TRIMS),
        "medallion": rng.choice(MEDALLIONS),
        "banner": rng.choice(BANNERS),
        "skirt": rng.choice(SKIRTS),
        "hero_motif": rng.choice(massive) if massive else "cloud",
        "wheels": rng.choice((3, 4, 4, 5)),
        "detail_seed": rng.getrandbits(31),
        "product_side": _product_side(kit, seed),
    }
    choices = {"body": BODIES, "arrangement": ARRANGEMENTS, "trim": TRIMS, "medallion": MEDALLIONS,
               "banner": BANNERS, "skirt": SKIRTS, "hero_motif": MASSIVE, "product_side": tuple(PRODUCT_U)}
    for key, value in (overrides or {}).items():
        if key not in design or key == "detail_seed" or (key == "product_side" and not kit.products):
            continue
        allowed = choices.get(key)
        if allowed is not None and value not in allowed:
            raise ValueError(f"previz setting {key!r} must be one of {', '.join(allowed)}, got {value!r}")
        if key == "wheels" and not (isinstance(value, int) and 2 <= value <= 6):
            raise ValueError(f"previz setting 'wheels' must be a whole number from 2 to 6, got {value!r}")
        design[key] = value
    return FloatDesign(**design)


def _product_side(kit: BrandKit, seed: int) -> str | None:
    """The front corner the kit's product stands on: its placement, or one chosen by seed (its own
    random stream, so the other choices of a seed stay what they were)."""
    if not kit.products:
        return None
    placement = kit.products[0].placement
    return placement if placement != "auto" else _rng(kit.slug, seed, "product").choice(tuple(PRODUCT_U))


def _rng(slug: str, seed: int, purpose: str) -> random.Random:
    digest = hashlib.sha256(f"{MODEL}|{slug}|{seed}|{purpose}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


# ----------------------------------------------------------------------------------------------------
# Layout: where the logo and the banner go (shared with the finishing step of the AI backends)


@dataclass(frozen=True)
class _Frame:
    """The box the float is designed in, in final pixels; u, v run 0..1 across and down it."""

    x: float
    y: float
    w: float
    h: float

    def at(self, u: float, v: float) -> tuple[float, float]:
        return self.x + u * self.w, self.y + v * self.h


def _frame(width: int, height: int) -> _Frame:
    fw = min(0.96 * width, FRAME_ASPECT * 0.88 * height)
    fh = fw / FRAME_ASPECT
    return _Frame((width - fw) / 2, (height - fh) * 0.55, fw, fh)


def plan_layout(kit: BrandKit, width: int, height: int, seed: int, body: str | None = None) -> FloatLayout:
    """Where the exact logo, the name banner and the product go on a float of this size, for this seed's design."""
    design = choose_design(kit, seed)
    return _layout_for_body(kit, body or design.body, width, height, design.product_side)


def _layout_for_body(kit: BrandKit, body: str, width: int, height: int, product_side: str | None = None) -> FloatLayout:
    frame = _frame(width, height)
    logo_w, logo_h = kit.logo_image().size
    aspect = logo_w / logo_h
    side = LOGO_AREA * frame.w
    box_w, box_h = side * math.sqrt(aspect), side / math.sqrt(aspect)
    shrink = min(1.0, LOGO_MAX_W * frame.w / box_w, LOGO_MAX_H * frame.h / box_h)
    box_w, box_h = max(1, round(box_w * shrink)), max(1, round(box_h * shrink))
    cx, cy = frame.at(*LOGO_CENTRE[body])
    left, top = round(cx - box_w / 2), round(cy - box_h / 2)
    (b0, b1), (b2, b3) = frame.at(*BANNER_UV[:2]), frame.at(*BANNER_UV[2:])
    product_box = _product_box(kit, frame, product_side) if product_side else None
    return FloatLayout((left, top, left + box_w, top + box_h), (round(b0), round(b1), round(b2), round(b3)),
                       product_box)


def _product_box(kit: BrandKit, frame: _Frame, side: str) -> tuple[int, int, int, int]:
    """The product at its photo's aspect, as large as fits its corner, standing on the plinth."""
    product_w, product_h = kit.product_image().size
    scale = min(PRODUCT_MAX_W * frame.w / product_w, PRODUCT_MAX_H * frame.h / product_h)
    box_w, box_h = max(1, round(product_w * scale)), max(1, round(product_h * scale))
    cx, foot = frame.at(PRODUCT_U[side], DECK_TOP - PLINTH_H)
    left, bottom = round(cx - box_w / 2), round(foot)
    return left, bottom - box_h, left + box_w, bottom


# ----------------------------------------------------------------------------------------------------
# Painting at supersampled size: opaque shapes, shading by colour only


def _geom_draw(draw: ImageDraw.ImageDraw, kind: str, geom, dx: float = 0, dy: float = 0, **style) -> None:
    if kind == "poly":
        draw.polygon([(x - dx, y - dy) for x, y in geom], **style)
    elif kind == "ellipse":
        x0, y0, x1, y1 = geom
        draw.ellipse((x0 - dx, y0 - dy, x1 - dx, y1 - dy), **style)
    elif kind == "rrect":
        (x0, y0, x1, y1), radius = geom
        draw.rounded_rectangle((x0 - dx, y0 - dy, x1 - dx, y1 - dy), radius=radius, **style)
    else:
        raise ValueError(kind)


def _geom_bbox(kind: str, geom) -> tuple[float, float, float, float]:
    if kind == "poly":
        xs, ys = [p[0] for p in geom], [p[1] for p in geom]
        return min(xs), min(ys), max(xs), max(ys)
    return geom if kind == "ellipse" else geom[0]


class _Painter:
    """A supersampled RGBA canvas with frame coordinates and a few shading tools."""

    def __init__(self, width: int, height: int, ss: int = SUPERSAMPLE):
        self.ss = ss
        self.frame = _frame(width, height)
        self.image = Image.new("RGBA", (width * ss, height * ss), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)
        self.outline_width = max(2, round(0.0034 * self.frame.w * ss))
        self.ink: RGB = (0, 0, 0)  # outline colour, set per kit

    # coordinates ---------------------------------------------------------------------------------
    def point(self, u: float, v: float) -> tuple[float, float]:
        x, y = self.frame.at(u, v)
        return x * self.ss, y * self.ss

    def points(self, uvs) -> list[tuple[float, float]]:
        return [self.point(u, v) for u, v in uvs]

    def length(self, frame_widths: float) -> float:
        """A length in frame widths, in canvas pixels."""
        return frame_widths * self.frame.w * self.ss

    def box(self, u0: float, v0: float, u1: float, v1: float) -> tuple[float, float, float, float]:
        return (*self.point(u0, v0), *self.point(u1, v1))

    # painting --------------------------------------------------------------------------------------
    def fill(self, kind: str, geom, colour: RGB, shade: str | None = None, strength: float = 0.22,
             outline: RGB | None = None, width: int | None = None, bands: int = 8) -> None:
        """An opaque shape, optionally shaded (v, h, pleats, sphere) and outlined."""
        if shade is None:
            _geom_draw(self.draw, kind, geom, fill=colour + (255,))
        else:
            x0, y0, x1, y1 = _geom_bbox(kind, geom)
            x0, y0 = max(0, int(x0)), max(0, int(y0))
            x1, y1 = min(self.image.width, int(math.ceil(x1)) + 1), min(self.image.height, int(math.ceil(y1)) + 1)
            if x1 <= x0 or y1 <= y0:
                return
            mask = Image.new("L", (x1 - x0, y1 - y0), 0)
            _geom_draw(ImageDraw.Draw(mask), kind, geom, x0, y0, fill=255)
            self.image.paste(shade_tile(colour, mask.size, shade, strength, bands), (x0, y0), mask)
        if outline is not None:
            _geom_draw(self.draw, kind, geom, outline=outline + (255,), width=width or self.outline_width)

    def line(self, points, colour: RGB, width: float, caps: bool = True) -> None:
        width = max(1, round(width))
        self.draw.line(points, fill=colour + (255,), width=width, joint="curve")
        if caps:
            r = width / 2
            for x, y in (points[0], points[-1]):
                self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour + (255,))

    def shadow(self, kind: str, geom, amount: float = 0.28) -> None:
        """Darken what is already painted inside the shape; never touches alpha or empty pixels."""
        x0, y0, x1, y1 = _geom_bbox(kind, geom)
        x0, y0 = max(0, int(x0)), max(0, int(y0))
        x1, y1 = min(self.image.width, int(math.ceil(x1)) + 1), min(self.image.height, int(math.ceil(y1)) + 1)
        if x1 <= x0 or y1 <= y0:
            return
        crop = self.image.crop((x0, y0, x1, y1))
        lut = [int(v * (1 - amount)) for v in range(256)] * 3 + list(range(256))
        mask = Image.new("L", crop.size, 0)
        _geom_draw(ImageDraw.Draw(mask), kind, geom, x0, y0, fill=255)
        self.image.paste(crop.point(lut), (x0, y0), mask)

    def finish(self, width: int, height: int) -> Image.Image:
        # Pillow premultiplies alpha when resizing RGBA, so edge colours do not bleed in from black.
        return self.image.resize((width, height), Image.BOX)


# ----------------------------------------------------------------------------------------------------
# Curves


def _bezier(p0, p1, p2, p3, n: int = 24) -> list[tuple[float, float]]:
    out = []
    for i in range(n + 1):
        t = i / n
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
        out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _sag(p0, p1, sag: float, n: int = 24) -> list[tuple[float, float]]:
    """A hanging string from p0 to p1 dipping `sag` pixels at the middle."""
    out = []
    for i in range(n + 1):
        t = i / n
        out.append((p0[0] + (p1[0] - p0[0]) * t, p0[1] + (p1[1] - p0[1]) * t + sag * 4 * t * (1 - t)))
    return out


def _arc(cx, cy, rx, ry, a0, a1, n: int = 24) -> list[tuple[float, float]]:
    return [(cx + rx * math.cos(a0 + (a1 - a0) * i / n), cy + ry * math.sin(a0 + (a1 - a0) * i / n))
            for i in range(n + 1)]


def _drum_side(x0, y0, x1, y1, ey) -> list[tuple[float, float]]:
    """The front of a cylinder: straight sides from y0, a rounded bottom (half-ellipse) reaching y1."""
    return [(x0, y0)] + _arc((x0 + x1) / 2, y1 - ey * 0.8, (x1 - x0) / 2, ey * 0.8, math.pi, 0, 24) + [(x1, y0)]


def _place(points, cx, cy, size, rot=0.0) -> list[tuple[float, float]]:
    """Unit-shape points (about -0.5..0.5) scaled by `size`, rotated, moved to (cx, cy)."""
    cos, sin = math.cos(rot), math.sin(rot)
    return [(cx + (x * cos - y * sin) * size, cy + (x * sin + y * cos) * size) for x, y in points]


# ----------------------------------------------------------------------------------------------------
# Motif shapes: each draws one small opaque ornament centred at (cx, cy), `size` across


def _star_points(n=5, inner=0.45):
    return [(0.5 * (1 if i % 2 == 0 else inner) * math.cos(-math.pi / 2 + i * math.pi / n),
             0.5 * (1 if i % 2 == 0 else inner) * math.sin(-math.pi / 2 + i * math.pi / n)) for i in range(2 * n)]


_STAR = _star_points()
_HEART = [(16 * math.sin(t) ** 3 / 34,
           -(13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)) / 34 + 0.03)
          for t in (i * 2 * math.pi / 48 for i in range(48))]
_BOLT = [(-0.04, -0.5), (0.3, -0.5), (0.1, -0.1), (0.3, -0.1), (-0.2, 0.5), (-0.04, 0.04), (-0.24, 0.04)]
_DIAMOND = [(0, -0.5), (0.36, 0), (0, 0.5), (-0.36, 0)]
_PETAL = [(0.5 * t, 0.16 * math.sin(math.pi * t) ** 0.8 * (1 if k == 0 else -1))
          for k in (0, 1) for t in ((i / 12) if k == 0 else (1 - i / 12) for i in range(13))]
_LEAF = [(t - 0.5, 0.22 * math.sin(math.pi * t) * (1 if k == 0 else -1))
         for k in (0, 1) for t in ((i / 16) if k == 0 else (1 - i / 16) for i in range(17))]


@dataclass
class _MotifPen:
    """What every motif shape draws with: the colours (RGBA, as ImageDraw takes them) and the outline."""

    painter: _Painter
    fill_rgb: RGB  # the main colour as RGB, for the painter's shaded fills and lines
    fill: tuple[int, int, int, int]
    alt: tuple[int, int, int, int]  # a contrasting detail colour (flower centre, caps)
    highlight: tuple[int, int, int, int]
    lowlight: tuple[int, int, int, int]
    ink: tuple[int, int, int, int] | None  # None: no outline
    outline_width: int
    shade: str | None  # e.g. "sphere": the main fills lit like a sculpted piece, for the giant versions

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return self.painter.draw

    def poly(self, points, colour, edge: bool = True) -> None:
        self._solid("poly", points, colour, 0.3, edge)

    def disc(self, x, y, radius, colour, edge: bool = True) -> None:
        self._solid("ellipse", (x - radius, y - radius, x + radius, y + radius), colour, 0.35, edge)

    def _solid(self, kind: str, geom, colour, strength: float, edge: bool) -> None:
        """A filled shape; the main colour is lit by `shade` (a giant version), details stay flat."""
        outlined = edge and self.ink is not None
        if self.shade and colour == self.fill:
            self.painter.fill(kind, geom, self.fill_rgb, self.shade, strength,
                              outline=self.painter.ink if outlined else None, width=self.outline_width)
        else:
            _geom_draw(self.draw, kind, geom, fill=colour, outline=self.ink if edge else None,
                       width=self.outline_width if outlined else 1)


def _motif(painter: _Painter, shape: str, cx: float, cy: float, size: float, fill: RGB, alt: RGB,
           rot: float = 0.0, outline: bool = True, shade: str | None = None) -> None:
    """One ornament. `fill` is its colour, `alt` a contrasting detail colour (flower centre, caps).

    `shade` (e.g. "sphere") lights the main fills like a sculpted piece, for the giant versions.
    """
    draw_shape = MOTIF_PAINTERS.get(shape)
    if draw_shape is None:
        raise ValueError(f"unknown motif shape {shape!r}")
    # Thin outlines on the giant versions, or they look drawn with a marker.
    outline_width = max(1, round(size * (0.035 if size < painter.length(0.2) else 0.012))) if outline else 0
    pen = _MotifPen(painter, fill, fill + (255,), alt + (255,), lighter(fill, 0.38) + (255,), darker(fill, 0.28) + (255,),
                    painter.ink + (255,) if outline else None, outline_width, shade)
    draw_shape(pen, cx, cy, size, rot)


def _star(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    points = _place(_STAR, cx, cy, size, rot)
    pen.poly(points, pen.fill, False)
    for i in range(0, 10, 2):  # bevel: the left half of each arm catches the light
        pen.draw.polygon([(cx, cy), points[i - 1], points[i]], fill=pen.highlight)
    if pen.ink:
        pen.draw.polygon(points, outline=pen.ink, width=pen.outline_width)


def _circle(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    radius = size / 2
    pen.disc(cx, cy, radius, pen.fill)
    if pen.shade:
        pen.disc(cx - radius * 0.45, cy - radius * 0.5, radius * 0.08, pen.highlight, False)
    else:
        pen.disc(cx - radius * 0.08, cy - radius * 0.1, radius * 0.62, pen.highlight, False)
        pen.disc(cx - radius * 0.3, cy - radius * 0.32, radius * 0.17, (255, 255, 255, 255), False)


def _heart(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    pen.poly(_place(_HEART, cx, cy, size, rot), pen.fill)
    hx, hy = _place([(-0.2, -0.2)], cx, cy, size, rot)[0]
    pen.draw.ellipse((hx - size * 0.09, hy - size * 0.07, hx + size * 0.09, hy + size * 0.07), fill=pen.highlight)


def _diamond(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    points = _place(_DIAMOND, cx, cy, size, rot)
    centre = _place([(0, -0.06)], cx, cy, size, rot)[0]
    facets = (pen.highlight, pen.fill, pen.lowlight, pen.fill)
    for i in range(4):
        pen.draw.polygon([centre, points[i - 1], points[i]], fill=facets[i])
    if pen.ink:
        pen.draw.polygon(points, outline=pen.ink, width=pen.outline_width)


def _flower(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    for k in range(5):
        pen.poly(_place(_PETAL, cx, cy, size, rot + k * 2 * math.pi / 5 - math.pi / 2), pen.fill)
    for k in range(5):
        inner = _place([(x * 0.62, y * 0.5) for x, y in _PETAL], cx, cy, size, rot + k * 2 * math.pi / 5 - math.pi / 2)
        pen.draw.polygon(inner, fill=pen.highlight)
    pen.disc(cx, cy, size * 0.13, pen.alt)


def _leaf(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    pen.poly(_place(_LEAF, cx, cy, size, rot), pen.fill)
    pen.draw.polygon(_place([(x * 0.8, y * 0.6 - 0.03) for x, y in _LEAF[:17]], cx, cy, size, rot), fill=pen.highlight)
    pen.draw.line(_place([(-0.5, 0.0), (0.42, 0.0)], cx, cy, size, rot), fill=pen.lowlight, width=max(1, round(size * 0.05)))


def _bolt(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    pen.poly(_place(_BOLT, cx, cy, size, rot), pen.fill)
    pen.draw.polygon(_place([(x * 0.5 - 0.04, y * 0.5 - 0.06) for x, y in _BOLT], cx, cy, size, rot),
                     fill=pen.highlight)


def _wave(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    crest = [(u - 0.5, 0.16 * math.sin(u * 2.4 * math.pi) - 0.06) for u in (i / 24 for i in range(25))]
    band = crest + [(x, y + 0.24) for x, y in reversed(crest)]
    pen.poly(_place(band, cx, cy, size, rot), pen.fill)
    pen.draw.polygon(_place(crest + [(x, y + 0.08) for x, y in reversed(crest)], cx, cy, size, rot), fill=pen.highlight)


def _swirl(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    turns = 2.3
    spiral = [(0.46 * (1 - t / (turns * 2 * math.pi)) * math.cos(t),
               0.46 * (1 - t / (turns * 2 * math.pi)) * math.sin(t))
              for t in (i * turns * 2 * math.pi / 60 for i in range(55))]
    placed = _place(spiral, cx, cy, size, rot)
    if pen.ink:
        pen.painter.line(placed, pen.painter.ink, size * 0.15)
    pen.painter.line(placed, pen.fill_rgb, size * 0.15 - 2 * pen.outline_width)
    pen.painter.line(placed[:30], pen.highlight[:3], max(1, size * 0.04))


def _lantern(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    draw, width = pen.draw, size * 0.72
    draw.line([(cx, cy - size * 0.5), (cx, cy - size * 0.36)], fill=pen.alt, width=max(1, round(size * 0.04)))
    draw.rectangle((cx - width * 0.2, cy - size * 0.4, cx + width * 0.2, cy - size * 0.3), fill=pen.alt)
    draw.rectangle((cx - width * 0.2, cy + size * 0.22, cx + width * 0.2, cy + size * 0.32), fill=pen.alt)
    draw.ellipse((cx - width / 2, cy - size * 0.34, cx + width / 2, cy + size * 0.26), fill=pen.fill, outline=pen.ink,
                 width=pen.outline_width if pen.ink else 1)
    for k in (0.45, 0.2):  # the paper's ribs
        draw.ellipse((cx - width * k, cy - size * 0.34, cx + width * k, cy + size * 0.26), outline=pen.lowlight,
                     width=max(1, round(size * 0.03)))
    draw.ellipse((cx - width * 0.38, cy - size * 0.22, cx - width * 0.12, cy + size * 0.06), fill=pen.highlight)
    for k in (-0.06, 0, 0.06):  # tassel
        draw.line([(cx + size * k * 0.5, cy + size * 0.32), (cx + size * k, cy + size * 0.5)], fill=pen.alt,
                  width=max(1, round(size * 0.035)))


def _cloud(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    draw, s, grow = pen.draw, size, pen.outline_width
    puffs = [(-0.22, 0.04, 0.2), (0.0, -0.08, 0.27), (0.23, 0.05, 0.19)]
    if pen.ink:  # the outline: the same shapes in ink, grown by the outline width, drawn first
        for x, y, r in puffs:
            draw.ellipse((cx + (x - r) * s - grow, cy + (y - r) * s - grow, cx + (x + r) * s + grow,
                          cy + (y + r) * s + grow),
                         fill=pen.ink)
        draw.rounded_rectangle((cx - 0.42 * s - grow, cy + 0.0 * s - grow, cx + 0.42 * s + grow, cy + 0.24 * s + grow),
                               radius=0.12 * s + grow, fill=pen.ink)
    for x, y, r in puffs:
        draw.ellipse((cx + (x - r) * s, cy + (y - r) * s, cx + (x + r) * s, cy + (y + r) * s), fill=pen.fill)
    draw.rounded_rectangle((cx - 0.42 * s, cy, cx + 0.42 * s, cy + 0.24 * s), radius=0.12 * s, fill=pen.fill)
    draw.ellipse((cx - 0.14 * s, cy - 0.27 * s, cx + 0.1 * s, cy - 0.1 * s), fill=pen.highlight)
    draw.ellipse((cx - 0.36 * s, cy - 0.08 * s, cx - 0.18 * s, cy + 0.04 * s), fill=pen.highlight)


def _ribbon(pen: _MotifPen, cx: float, cy: float, size: float, rot: float) -> None:
    loop = [(0, 0), (-0.44, -0.3), (-0.5, -0.06), (-0.42, 0.16)]
    tail = [(-0.04, 0.04), (-0.3, 0.5), (-0.19, 0.4), (-0.1, 0.5), (0.04, 0.06)]
    for mirror in (1, -1):
        pen.poly(_place([(x * mirror, y) for x, y in tail], cx, cy, size, rot), pen.lowlight)
    for mirror in (1, -1):
        pen.poly(_place([(x * mirror, y) for x, y in loop], cx, cy, size, rot), pen.fill)
        pen.draw.polygon(_place([(x * mirror * 0.55 - 0.04 * mirror, y * 0.5) for x, y in loop], cx, cy, size, rot),
                         fill=pen.lowlight)
    pen.disc(cx, cy, size * 0.1, pen.highlight)


MOTIF_PAINTERS: dict[str, Callable[[_MotifPen, float, float, float, float], None]] = {
    "star": _star, "circle": _circle, "heart": _heart, "diamond": _diamond, "flower": _flower, "leaf": _leaf,
    "bolt": _bolt, "wave": _wave, "swirl": _swirl, "lantern": _lantern, "cloud": _cloud, "ribbon": _ribbon,
}



# ----------------------------------------------------------------------------------------------------
# The float


@dataclass
class _Slots:
    """Where a body offers room for decorations, in frame coordinates."""

    rows: list[tuple[float, float, float, float]]  # (u0, u1, v, size): a line of ornaments
    spots: list[tuple[float, float, float]]  # (u, v, size): single ornaments / scatter area samples
    strings: list[tuple[tuple[float, float], tuple[float, float], float]]  # (start, end, sag): bunting
    tops: list[tuple[float, float, float]]  # (u, v, size): finials standing on the body
    area: tuple[float, float, float, float]  # (u0, v0, u1, v1) for scatter


def render_float(kit: BrandKit, design: FloatDesign, width: int, height: int) -> tuple[Image.Image, FloatLayout]:
    """Draw the float for a design: body supersampled and downsized, then the brand marks on top."""
    layout = _layout_for_body(kit, design.body, width, height, design.product_side)
    painter = _Painter(width, height)
    colours = BrandColours.of(kit)
    painter.ink = colours.ink
    rng = random.Random(design.detail_seed)
    medallion = _medallion_geometry(kit, painter, layout)

    _draw_wheels(painter, colours, design)
    _draw_skirt(painter, colours, design)
    _draw_deck(painter, colours)
    slots = BODY_PAINTERS[design.body](painter, colours, design, kit, medallion)
    _decorate(painter, colours, design, kit, slots, medallion, rng)
    if layout.product_box is not None:
        _draw_plinth(painter, colours, layout.product_box)
    _draw_medallion(painter, colours, design, kit, medallion)

    body = painter.finish(width, height)
    return draw_brand_marks(body, kit, layout, design.banner), layout


# -- chassis ---------------------------------------------------------------------------------------


def _draw_wheels(painter: _Painter, colours: BrandColours, design: FloatDesign) -> None:
    tyre = mix(colours.ink, (34, 34, 38), 0.6)
    hub = colours.on(tyre, colours.secondary, colours.accent, colours.background)
    n = design.wheels
    for i in range(n):
        u = 0.13 + 0.74 * i / (n - 1)
        x, y = painter.point(u, WHEEL_V)
        r = painter.length(WHEEL_R)
        painter.fill("ellipse", (x - r, y - r, x + r, y + r), tyre, "sphere", 0.25)
        painter.fill("ellipse", (x - r * 0.62, y - r * 0.62, x + r * 0.62, y + r * 0.62), hub, "sphere", 0.3,
                     outline=darker(hub, 0.45), width=max(2, round(r * 0.08)))
        for k in range(6):
            angle = k * math.pi / 3 + 0.3
            painter.line([(x, y), (x + r * 0.58 * math.cos(angle), y + r * 0.58 * math.sin(angle))], darker(hub, 0.35),
                         r * 0.09, caps=False)
        painter.fill("ellipse", (x - r * 0.2, y - r * 0.2, x + r * 0.2, y + r * 0.2), colours.accent,
                     outline=darker(colours.accent, 0.4),
                     width=max(1, round(r * 0.05)))


def _draw_skirt(painter: _Painter, colours: BrandColours, design: FloatDesign) -> None:
    u0, u1 = 0.045, 0.955
    top = painter.point(u0, DECK_BOTTOM - 0.01)[1]
    bottom = painter.point(u0, SKIRT_BOTTOM)[1]
    x0, x1 = painter.point(u0, 0)[0], painter.point(u1, 0)[0]
    cloth = colours.secondary if contrast(colours.secondary, colours.primary) > 1.3 else lighter(colours.primary, 0.35)
    n = 18
    step = (x1 - x0) / n
    edge: list[tuple[float, float]] = []
    if design.skirt == "scallop":  # a row of hanging half-rounds
        for i in range(n):
            edge += _arc(x0 + step * (i + 0.5), bottom - step * 0.25, step / 2, step * 0.32, math.pi, 0, 10)[::-1]
    else:
        edge = [(x0, bottom), (x1, bottom)]
    painter.fill("poly", [(x0, top), (x1, top)] + edge[::-1], cloth, "pleats", 0.16, outline=colours.ink, bands=n)
    if design.skirt == "fringe":
        tassel = colours.on(cloth, colours.accent, colours.primary)
        for i in range(n * 2 + 1):
            x = x0 + (x1 - x0) * i / (n * 2)
            w = step * 0.16
            painter.fill("poly", [(x - w, bottom - step * 0.08), (x + w, bottom - step * 0.08), (x, bottom + step * 0.42)], tassel)
        painter.line([(x0, bottom - step * 0.06), (x1, bottom - step * 0.06)], tassel, step * 0.14, caps=False)
    elif design.skirt == "pleats":
        band = colours.on(cloth, colours.accent, colours.primary)
        painter.fill("poly", [(x0, bottom - step * 0.35), (x1, bottom - step * 0.35), (x1, bottom), (x0, bottom)],
                     band, "v", 0.2,
                     outline=colours.ink)
    # the deck's shadow falls on the top of the skirt
    painter.shadow("poly", [(x0, top), (x1, top), (x1, top + painter.length(0.03)), (x0, top + painter.length(0.03))],
                   0.3)


def _draw_deck(painter: _Painter, colours: BrandColours) -> None:
    top_face = painter.points([(0.05, DECK_TOP), (0.95, DECK_TOP), (0.975, DECK_FACE), (0.025, DECK_FACE)])
    painter.fill("poly", top_face, lighter(colours.primary, 0.25), outline=colours.ink)
    face = painter.box(0.025, DECK_FACE, 0.975, DECK_BOTTOM)
    painter.fill("rrect", (face, painter.length(0.008)), darker(colours.primary, 0.08), "v", 0.25, outline=colours.ink)
    rope = colours.on(colours.primary, colours.accent, colours.secondary, colours.background)
    for v in (DECK_FACE + 0.008, DECK_BOTTOM - 0.008):
        painter.line(painter.points([(0.03, v), (0.97, v)]), rope, painter.length(0.007), caps=False)
    for u in (0.045, 0.955):  # corner posts
        x, y = painter.point(u, (DECK_FACE + DECK_BOTTOM) / 2)
        r = painter.length(0.018)
        painter.fill("ellipse", (x - r, y - r, x + r, y + r), rope, "sphere", 0.35, outline=colours.ink)


def _draw_plinth(painter: _Painter, colours: BrandColours, product_box: tuple[int, int, int, int]) -> None:
    """A showcase plinth from the deck top up to the product's foot (the product itself is put on exactly,
    with the other brand marks)."""
    ss = painter.ss
    left, _top, right, foot = (value * ss for value in product_box)
    pad = (right - left) * 0.12
    deck = painter.point(0.5, DECK_TOP + 0.004)[1]
    stone = colours.on(colours.primary, colours.background, colours.secondary, colours.accent)
    painter.fill("rrect", ((left - pad, foot, right + pad, deck), painter.length(0.006)), stone, "v", 0.3,
                 outline=colours.ink)
    lip = painter.length(0.012)
    painter.fill("rrect", ((left - pad * 1.35, foot - lip * 0.4, right + pad * 1.35, foot + lip), lip * 0.5),
                 lighter(stone, 0.2), "v", 0.2, outline=colours.ink)


# -- medallion (the logo's backing) ---------------------------------------------------------------------


@dataclass
class _Medallion:
    shape: str  # "circle" or "plaque"
    cx: float  # canvas pixels
    cy: float
    radius: float  # circle: plate radius
    box: tuple[float, float, float, float]  # plaque: plate box
    rim: float  # rim width

    def clear_of(self, x: float, y: float, size: float) -> bool:
        """Whether an ornament `size` across centred at (x, y) stays off the medallion."""
        if self.shape == "circle":
            return math.hypot(x - self.cx, y - self.cy) > self.radius + self.rim * 1.6 + size * 0.45
        x0, y0, x1, y1 = self.box
        margin = self.rim * 1.6 + size * 0.45
        return not (x0 - margin < x < x1 + margin and y0 - margin < y < y1 + margin)


def _logo_reach(kit: BrandKit) -> float:
    """How far the logo's visible pixels reach from its centre, as a fraction of its half-diagonal."""
    alpha = np.asarray(kit.logo_image().getchannel("A"))
    ys, xs = np.nonzero(alpha > 24)
    h, w = alpha.shape
    if xs.size == 0:
        return 1.0
    reach = np.hypot(xs + 0.5 - w / 2, ys + 0.5 - h / 2).max()
    return float(reach / math.hypot(w / 2, h / 2))


def _medallion_geometry(kit: BrandKit, painter: _Painter, layout: FloatLayout) -> _Medallion:
    ss = painter.ss
    left, top, right, bottom = (v * ss for v in layout.logo_box)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half_diag = math.hypot(right - left, bottom - top) / 2
    reach = _logo_reach(kit) * half_diag
    w, h = right - left, bottom - top
    margin = painter.length(0.018)
    rim = painter.length(0.024)
    if reach <= 0.52 * max(w, h):  # a round badge: a round plate just outside it
        return _Medallion("circle", cx, cy, reach + margin, (cx, cy, cx, cy), rim)
    return _Medallion("plaque", cx, cy, 0.0, (left - margin, top - margin, right + margin, bottom + margin), rim)


def _draw_medallion(painter: _Painter, colours: BrandColours, design: FloatDesign, kit: BrandKit,
                    medallion: _Medallion) -> None:
    plate = colours.background if contrast(colours.background, colours.primary) > 1.6 else colours.secondary
    rim = colours.on(colours.primary, colours.secondary, colours.accent, colours.background)
    if rim == plate:
        rim = colours.on(plate, colours.accent, colours.primary)
    detail = colours.on(rim, colours.accent, colours.primary, colours.background)
    rng = random.Random(design.detail_seed ^ 0x5EED)
    cx, cy = medallion.cx, medallion.cy
    if medallion.shape == "circle":
        outer_radius = medallion.radius + medallion.rim
        if design.medallion == "rays":
            n = 20
            for k in range(n):
                a0, a1 = (k - 0.5) * 2 * math.pi / n, (k + 0.5) * 2 * math.pi / n
                reach = outer_radius * (1.32 if k % 2 == 0 else 1.2)
                painter.fill("poly", [(cx + outer_radius * 0.8 * math.cos(a0), cy + outer_radius * 0.8 * math.sin(a0)),
                                      (cx + reach * math.cos((a0 + a1) / 2), cy + reach * math.sin((a0 + a1) / 2)),
                                      (cx + outer_radius * 0.8 * math.cos(a1), cy + outer_radius * 0.8 * math.sin(a1))],
                             detail if k % 2 == 0 else rim, outline=colours.ink)
        elif design.medallion == "scallop":
            n = 22
            for k in range(n):
                angle = k * 2 * math.pi / n
                x, y, r = cx + outer_radius * math.cos(angle), cy + outer_radius * math.sin(angle), outer_radius * 0.16
                painter.fill("ellipse", (x - r, y - r, x + r, y + r), detail, outline=colours.ink)
        elif design.medallion == "wreath" and design.arrangement != "ring":
            leaf_colour = colours.on(colours.primary, colours.secondary, colours.accent)
            shape = "leaf" if "leaf" in kit.motif_shapes else ("flower" if "flower" in kit.motif_shapes else "leaf")
            n = 16
            for k in range(n):
                angle = k * 2 * math.pi / n + rng.uniform(-0.05, 0.05)
                x, y = cx + outer_radius * 1.05 * math.cos(angle), cy + outer_radius * 1.05 * math.sin(angle)
                _motif(painter, shape, x, y, outer_radius * 0.36, leaf_colour, colours.accent, angle + math.pi / 2)
        # contact shadow on the body behind, then the rim and plate
        off = painter.length(0.012)
        painter.shadow("ellipse", (cx - outer_radius + off, cy - outer_radius + off * 1.4, cx + outer_radius + off,
                                   cy + outer_radius + off * 1.4), 0.35)
        painter.fill("ellipse", (cx - outer_radius, cy - outer_radius, cx + outer_radius, cy + outer_radius), rim,
                     "sphere", 0.3, outline=colours.ink)
        if design.medallion == "beads":
            n = 28
            for k in range(n):
                angle = k * 2 * math.pi / n
                bead_ring = outer_radius - medallion.rim / 2  # beads run along the middle of the rim
                x, y, r = cx + bead_ring * math.cos(angle), cy + bead_ring * math.sin(angle), medallion.rim * 0.28
                painter.fill("ellipse", (x - r, y - r, x + r, y + r), lighter(detail, 0.2))
        r = medallion.radius
        painter.fill("ellipse", (cx - r, cy - r, cx + r, cy + r), plate, "sphere", 0.12, outline=darker(rim, 0.35))
    else:
        x0, y0, x1, y1 = medallion.box
        rim_width = medallion.rim
        outer = (x0 - rim_width, y0 - rim_width, x1 + rim_width, y1 + rim_width)
        if design.medallion in ("rays", "scallop"):
            for x, y in ((outer[0], outer[1]), (outer[2], outer[1]), (outer[0], outer[3]), (outer[2], outer[3])):
                _motif(painter, design.hero_motif, x, y, rim_width * 3.2, detail, rim)
        off = painter.length(0.012)
        painter.shadow("rrect", ((outer[0] + off, outer[1] + off * 1.4, outer[2] + off, outer[3] + off * 1.4),
                                 rim_width * 1.6), 0.35)
        painter.fill("rrect", (outer, rim_width * 1.6), rim, "v", 0.3, outline=colours.ink)
        if design.medallion in ("beads", "wreath"):
            n = max(6, int((outer[2] - outer[0]) / (rim_width * 1.6)))
            for k in range(n + 1):
                x = outer[0] + rim_width * 1.5 + (outer[2] - outer[0] - 3 * rim_width) * k / n
                for y in (outer[1] + rim_width / 2, outer[3] - rim_width / 2):
                    painter.fill("ellipse", (x - rim_width * 0.26, y - rim_width * 0.26, x + rim_width * 0.26,
                                             y + rim_width * 0.26), lighter(detail, 0.2))
        painter.fill("rrect", ((x0, y0, x1, y1), rim_width), plate, "v", 0.1, outline=darker(rim, 0.35))


# -- bodies: each draws its silhouette and says where decorations fit ------------------------------------


def _barge(painter: _Painter, colours: BrandColours, design: FloatDesign, kit: BrandKit,
           medallion: _Medallion) -> _Slots:
    mast = darker(colours.on(colours.primary, colours.secondary, colours.accent), 0.35)
    # mast and striped sail behind the hull
    painter.line(painter.points([(0.5, 0.64), (0.5, 0.03)]), mast, painter.length(0.014))
    sail_colours = (colours.on(colours.primary, colours.background, colours.secondary), colours.on(colours.primary, colours.secondary, colours.accent))
    top, bottom = 0.09, 0.5
    left_edge = _bezier(painter.point(0.3, top), painter.point(0.25, 0.22), painter.point(0.19, 0.36),
                        painter.point(0.17, bottom), 16)
    right_edge = _bezier(painter.point(0.7, top), painter.point(0.75, 0.22), painter.point(0.81, 0.36),
                         painter.point(0.83, bottom), 16)
    sail = left_edge + right_edge[::-1]
    painter.fill("poly", sail, sail_colours[0], "pleats", 0.12, bands=3)
    stripes = 7
    for k in range(1, stripes, 2):
        a, b = k / stripes, (k + 1) / stripes
        strip = []
        for i in range(17):
            l, r = left_edge[i], right_edge[i]
            strip.append((l[0] + (r[0] - l[0]) * a, l[1] + (r[1] - l[1]) * a))
        for i in range(16, -1, -1):
            l, r = left_edge[i], right_edge[i]
            strip.append((l[0] + (r[0] - l[0]) * b, l[1] + (r[1] - l[1]) * b))
        painter.fill("poly", strip, sail_colours[1], "v", 0.15)
    painter.draw.polygon(sail, outline=colours.ink + (255,), width=painter.outline_width)
    painter.line(painter.points([(0.27, top), (0.73, top)]), mast, painter.length(0.012))
    pennant = [painter.point(0.5, 0.035)] + [painter.point(0.5 + 0.1 * t, 0.05 + 0.012 * math.sin(t * 6) + 0.012 * t)
                                             for t in (i / 10 for i in range(11))]
    pennant += [painter.point(0.5, 0.075)]
    painter.fill("poly", pennant, colours.accent, "v", 0.2, outline=colours.ink)
    # hull: a long boat with a high curled bow (right) and stern (left)
    gun = 0.47
    upper = (_bezier(painter.point(0.07, 0.33), painter.point(0.1, 0.42), painter.point(0.16, gun), painter.point(0.26, gun), 12)
             + _bezier(painter.point(0.26, gun), painter.point(0.45, gun + 0.015), painter.point(0.62, gun + 0.015),
                       painter.point(0.78, gun), 12)
             + _bezier(painter.point(0.78, gun), painter.point(0.88, gun), painter.point(0.92, 0.36),
                       painter.point(0.95, 0.25), 12))
    lower = (_bezier(painter.point(0.97, 0.27), painter.point(0.95, 0.5), painter.point(0.9, DECK_TOP + 0.01),
                     painter.point(0.8, DECK_TOP + 0.01), 14)
             + [painter.point(0.2, DECK_TOP + 0.01)]
             + _bezier(painter.point(0.2, DECK_TOP + 0.01), painter.point(0.1, DECK_TOP + 0.01), painter.point(0.05, 0.45), painter.point(0.05, 0.34), 14))
    hull = upper + lower
    painter.fill("poly", hull, colours.primary, "v", 0.28, outline=colours.ink)
    trim = colours.on(colours.primary, colours.secondary, colours.accent, colours.background)
    rail = _bezier(painter.point(0.13, gun + 0.02), painter.point(0.4, gun + 0.045), painter.point(0.6, gun + 0.045),
                   painter.point(0.86, gun + 0.02), 20)
    painter.line(rail, colours.ink, painter.length(0.022))
    painter.line(rail, trim, painter.length(0.016))
    stripe = _bezier(painter.point(0.14, 0.6), painter.point(0.4, 0.625), painter.point(0.6, 0.625),
                     painter.point(0.86, 0.6), 20)
    painter.line(stripe, colours.on(colours.primary, colours.accent, colours.secondary), painter.length(0.01))
    # curls on the prow and the stern
    for (u, v), turn in (((0.95, 0.25), 1), ((0.065, 0.335), -1)):
        x, y = painter.point(u, v)
        r = painter.length(0.03)
        spiral = [(x + turn * r * (1 - t / 9) * math.cos(t * turn + math.pi),
                   y + r * (1 - t / 9) * math.sin(t * turn + math.pi))
                  for t in (i * 0.25 for i in range(30))]
        painter.line(spiral, colours.ink, painter.length(0.02))
        painter.line(spiral, trim, painter.length(0.013))
    return _Slots(
        rows=[(0.16, 0.84, 0.545, 0.055)],
        spots=[(0.93, 0.17, 0.1), (0.08, 0.24, 0.075)],
        strings=[((0.5, 0.035), (0.95, 0.24), 0.05), ((0.5, 0.035), (0.065, 0.31), 0.05)],
        tops=[(0.5, 0.02, 0.07)],
        area=(0.12, 0.5, 0.88, 0.64),
    )


def _tiers(painter: _Painter, colours: BrandColours, design: FloatDesign, kit: BrandKit,
           medallion: _Medallion) -> _Slots:
    tiers = [(0.11, 0.89, 0.47, DECK_TOP + 0.005), (0.2, 0.8, 0.3, 0.47), (0.3, 0.7, 0.15, 0.3)]
    tier_colours = [colours.primary, colours.on(colours.primary, colours.background, colours.secondary),
                    colours.primary]
    drape = colours.on(colours.primary, colours.secondary, colours.accent)
    ry = 0.028
    for i, ((u0, u1, v0, v1), colour) in enumerate(zip(tiers, tier_colours)):
        x0, y0 = painter.point(u0, v0)
        x1, y1 = painter.point(u1, v1)
        ey = painter.length(ry)
        if i > 0:  # shadow of this tier on the top of the one below
            painter.shadow("ellipse", (x0 - painter.length(0.01), y1 - ey * 1.2, x1 + painter.length(0.03),
                                       y1 + ey * 1.3), 0.3)
        painter.fill("poly", _drum_side(x0, y0, x1, y1, ey), colour, "h", 0.32, outline=colours.ink)
        painter.fill("ellipse", (x0, y0 - ey, x1, y0 + ey), lighter(colour, 0.22), "v", 0.12, outline=colours.ink)
        # swag drapery along the top edge
        n = max(3, int((u1 - u0) / 0.09))
        step = (x1 - x0) / n
        for k in range(n):
            a, b = x0 + k * step, x0 + (k + 1) * step
            swag = _sag((a, y0 + ey * 0.2), (b, y0 + ey * 0.2), step * 0.34, 12)
            painter.line(swag, colours.ink, painter.length(0.016))
            painter.line(swag, drape, painter.length(0.011))
        for k in range(n + 1):
            x = x0 + k * step
            r = painter.length(0.011)
            painter.fill("ellipse", (x - r, y0 + ey * 0.2 - r, x + r, y0 + ey * 0.2 + r), colours.accent, "sphere",
                         0.35, outline=colours.ink)
    return _Slots(
        rows=[(0.14, 0.86, 0.6, 0.05), (0.23, 0.77, 0.42, 0.045)],
        spots=[(0.16, 0.55, 0.07), (0.84, 0.55, 0.07), (0.25, 0.38, 0.055), (0.75, 0.38, 0.055)],
        strings=[((0.3, 0.16), (0.05, DECK_TOP - 0.01), 0.04), ((0.7, 0.16), (0.95, DECK_TOP - 0.01), 0.04)],
        tops=[(0.5, 0.075, 0.15)],
        area=(0.14, 0.32, 0.86, 0.64),
    )


def _pavilion(painter: _Painter, colours: BrandColours, design: FloatDesign, kit: BrandKit,
              medallion: _Medallion) -> _Slots:
    stone = colours.on(colours.primary, colours.background, colours.secondary)
    # plinth steps
    painter.fill("rrect", (painter.box(0.1, 0.6, 0.9, DECK_TOP + 0.005), painter.length(0.006)), darker(stone, 0.06),
                 "v", 0.2, outline=colours.ink)
    painter.fill("rrect", (painter.box(0.14, 0.565, 0.86, 0.605), painter.length(0.006)), stone, "v", 0.2,
                 outline=colours.ink)
    # dark interior behind the columns
    painter.fill("poly", painter.points([(0.16, 0.3), (0.84, 0.3), (0.84, 0.57), (0.16, 0.57)]),
                 darker(colours.primary, 0.45), "v", 0.15)
    # columns
    for u in (0.18, 0.34, 0.66, 0.82):
        painter.fill("rrect", (painter.box(u - 0.024, 0.3, u + 0.024, 0.565), painter.length(0.006)), stone, "h", 0.35,
                     outline=colours.ink)
        painter.fill("rrect", (painter.box(u - 0.034, 0.535, u + 0.034, 0.567), painter.length(0.004)), darker(stone, 0.08), "v", 0.2, outline=colours.ink)
        painter.fill("rrect", (painter.box(u - 0.034, 0.3, u + 0.034, 0.33), painter.length(0.004)), darker(stone, 0.08), "v", 0.2, outline=colours.ink)
    # entablature
    painter.fill("rrect", (painter.box(0.1, 0.25, 0.9, 0.31), painter.length(0.008)), colours.primary, "v", 0.3,
                 outline=colours.ink)
    band = colours.on(colours.primary, colours.secondary, colours.accent)
    painter.line(painter.points([(0.11, 0.285), (0.89, 0.285)]), band, painter.length(0.008), caps=False)
    painter.shadow("poly", painter.points([(0.16, 0.31), (0.84, 0.31), (0.84, 0.34), (0.16, 0.34)]), 0.3)
    # onion dome
    base_l, base_r = painter.point(0.2, 0.255), painter.point(0.8, 0.255)
    tip = painter.point(0.5, 0.02)
    left = _bezier(base_l, painter.point(0.16, 0.12), painter.point(0.42, 0.1), tip, 20)
    right = _bezier(tip, painter.point(0.58, 0.1), painter.point(0.84, 0.12), base_r, 20)
    dome = left + right[1:]
    dome_colour = colours.on(colours.primary, colours.secondary, colours.accent)
    painter.fill("poly", dome, dome_colour, "sphere", 0.35, outline=colours.ink)
    for k in (0.3, 0.5, 0.7):  # ribs
        rib = _bezier(painter.point(0.2 + 0.6 * k, 0.255), painter.point(0.2 + 0.6 * k + (k - 0.5) * 0.25, 0.14),
                      painter.point(0.5 + (k - 0.5) * 0.2, 0.07), tip, 16)
        painter.line(rib, darker(dome_colour, 0.25), painter.length(0.006))
    return _Slots(
        rows=[(0.12, 0.88, 0.22, 0.04), (0.16, 0.84, 0.585, 0.03)],
        spots=[(0.26, 0.4, 0.06), (0.74, 0.4, 0.06), (0.26, 0.5, 0.05), (0.74, 0.5, 0.05)],
        strings=[((0.18, 0.33), (0.34, 0.33), 0.05), ((0.66, 0.33), (0.82, 0.33), 0.05),
                 ((0.5, 0.02), (0.06, DECK_TOP - 0.01), 0.03), ((0.5, 0.02), (0.94, DECK_TOP - 0.01), 0.03)],
        tops=[(0.5, 0.0, 0.08), (0.1, 0.23, 0.06), (0.9, 0.23, 0.06)],
        area=(0.12, 0.35, 0.88, 0.55),
    )


def _wagon(painter: _Painter, colours: BrandColours, design: FloatDesign, kit: BrandKit,
           medallion: _Medallion) -> _Slots:
    # crest behind the medallion, rising above the roof
    crest = colours.on(colours.primary, colours.secondary, colours.accent)
    painter.fill("poly", [painter.point(0.34, 0.3)] + _bezier(painter.point(0.34, 0.3), painter.point(0.34, 0.05),
                                                              painter.point(0.66, 0.05), painter.point(0.66, 0.3), 24),
                 crest, "sphere", 0.25, outline=colours.ink)
    # cabin
    painter.fill("rrect", (painter.box(0.07, 0.34, 0.93, DECK_TOP + 0.005), painter.length(0.012)), colours.primary,
                 "v", 0.26, outline=colours.ink)
    # arches, skipping the middle where the medallion hangs
    interior = darker(colours.primary, 0.5)
    frame = colours.on(colours.primary, colours.secondary, colours.background, colours.accent)
    for u in (0.13, 0.22, 0.31, 0.69, 0.78, 0.87):
        for grow, colour in ((0.012, frame), (0.0, interior)):
            x0, y0 = painter.point(u - 0.032 - grow, 0.44 - grow * FRAME_ASPECT)
            x1, y1 = painter.point(u + 0.032 + grow, 0.62)
            r = (x1 - x0) / 2
            arch = _arc((x0 + x1) / 2, y0 + r, r, r, math.pi, 2 * math.pi, 16) + [(x1, y1), (x0, y1)]
            painter.fill("poly", arch, colour, "v", 0.25 if grow else 0.35, outline=colours.ink)
    # barrel roof with a scalloped valance
    rx0, ry0 = painter.point(0.045, 0.25)
    rx1, ry1 = painter.point(0.955, 0.345)
    roof_shape = ([(rx0, ry1)] + _bezier((rx0, ry1), (rx0, ry0 + (ry1 - ry0) * 0.1), (rx0 + (rx1 - rx0) * 0.1, ry0),
                                         ((rx0 + rx1) / 2, ry0), 12)
                  + _bezier(((rx0 + rx1) / 2, ry0), (rx1 - (rx1 - rx0) * 0.1, ry0), (rx1, ry0 + (ry1 - ry0) * 0.1),
                            (rx1, ry1), 12))
    roof_colour = colours.on(colours.primary, colours.secondary, colours.accent)
    painter.fill("poly", roof_shape, roof_colour, "pleats", 0.2, outline=colours.ink, bands=9)
    val = colours.on(roof_colour, colours.accent, colours.primary)
    n = 16
    step = (rx1 - rx0) / n
    for k in range(n):
        cx = rx0 + step * (k + 0.5)
        painter.fill("ellipse", (cx - step / 2, ry1 - step * 0.45, cx + step / 2, ry1 + step * 0.45), val, "v", 0.25,
                     outline=colours.ink)
    painter.fill("poly", [(rx0, ry1 - step * 0.05), (rx1, ry1 - step * 0.05), (rx1, ry1 - step * 0.3), (rx0, ry1 - step * 0.3)], roof_colour)
    painter.shadow("poly", painter.points([(0.07, 0.345), (0.93, 0.345), (0.93, 0.39), (0.07, 0.39)]), 0.25)
    return _Slots(
        rows=[(0.1, 0.9, 0.395, 0.04)],
        spots=[(0.22, 0.525, 0.05), (0.78, 0.525, 0.05)],
        strings=[((0.06, 0.34), (0.34, 0.3), 0.04), ((0.66, 0.3), (0.94, 0.34), 0.04)],
        tops=[(0.1, 0.215, 0.08), (0.9, 0.215, 0.08), (0.5, 0.07, 0.08)],
        area=(0.09, 0.4, 0.91, 0.63),
    )


def _mascot(painter: _Painter, colours: BrandColours, design: FloatDesign, kit: BrandKit,
            medallion: _Medallion) -> _Slots:
    # a drum plinth and a giant hero motif standing on it, the medallion at its heart
    drum = colours.on(colours.primary, colours.secondary, colours.background)
    x0, y0 = painter.point(0.27, 0.57)
    x1, y1 = painter.point(0.73, DECK_TOP + 0.005)
    ey = painter.length(0.025)
    painter.fill("poly", _drum_side(x0, y0, x1, y1, ey), drum, "h", 0.3, outline=colours.ink)
    painter.fill("ellipse", (x0, y0 - ey, x1, y0 + ey), lighter(drum, 0.2), outline=colours.ink)
    hero = design.hero_motif
    cx, cy = painter.point(0.5, 0.33)
    size = painter.length(0.64) if hero not in ("cloud", "lantern") else painter.length(0.7)
    if hero == "cloud":
        cy += painter.length(0.04)
    body = colours.primary
    _motif(painter, hero, cx, cy, size, body, colours.on(body, colours.secondary, colours.accent), 0.0, shade="sphere")
    return _Slots(
        rows=[(0.3, 0.7, 0.61, 0.04)],
        spots=[(0.14, 0.5, 0.08), (0.86, 0.5, 0.08), (0.2, 0.2, 0.07), (0.8, 0.2, 0.07), (0.12, 0.35, 0.06), (0.88, 0.35, 0.06)],
        strings=[((0.5, 0.06), (0.05, DECK_TOP - 0.01), 0.06), ((0.5, 0.06), (0.95, DECK_TOP - 0.01), 0.06)],
        tops=[(0.14, 0.6, 0.08), (0.86, 0.6, 0.08)],
        area=(0.1, 0.12, 0.9, 0.62),
    )


BODY_PAINTERS: dict[str, Callable[..., _Slots]] = {
    "barge": _barge, "tiers": _tiers, "pavilion": _pavilion, "wagon": _wagon, "mascot": _mascot,
}


# -- decorations -----------------------------------------------------------------------------------------


def _decorate(painter: _Painter, colours: BrandColours, design: FloatDesign, kit: BrandKit, slots: _Slots,
              medallion: _Medallion,
              rng: random.Random) -> None:
    shapes = list(kit.motif_shapes)
    ornament_colours = [colours.accent, colours.on(colours.primary, colours.secondary, colours.background)]
    alt = colours.on(colours.accent, colours.secondary, colours.background, colours.primary)
    stalk = darker(colours.on(colours.primary, colours.secondary, colours.background), 0.3)
    deck_y = painter.point(0, DECK_TOP)[1]

    def ornament(u, v, size, k, rot=None):
        x, y = painter.point(u, v)
        s = painter.length(size)
        if not medallion.clear_of(x, y, s):
            return
        _mount(painter, x, y, deck_y, stalk)
        shape = shapes[k % len(shapes)]
        colour = ornament_colours[(k // len(shapes)) % 2]
        _motif(painter, shape, x, y, s, colour, alt, rng.uniform(-0.25, 0.25) if rot is None else rot)

    for a, b, sag in slots.strings:  # bunting / lanterns / garland
        _string(painter, colours, design, kit, painter.point(*a), painter.point(*b), painter.length(sag), rng)

    if design.arrangement == "rows":
        for u0, u1, v, size in slots.rows:
            n = max(2, int((u1 - u0) / (size * 1.35)))
            for i in range(n + 1):
                ornament(u0 + (u1 - u0) * i / n, v, size, i, 0.0)
    elif design.arrangement == "scatter":
        u0, v0, u1, v1 = slots.area
        placed: list[tuple[float, float, float]] = []
        for _ in range(120):
            size = rng.uniform(0.035, 0.06)
            u, v = rng.uniform(u0, u1), rng.uniform(v0, v1)
            x, y = painter.point(u, v)
            if not medallion.clear_of(x, y, painter.length(size)) or painter.image.getpixel((int(x), int(y)))[3] == 0:
                continue  # scattered ornaments sit on the body, clear of the medallion
            if all(math.hypot(u - pu, (v - pv) / FRAME_ASPECT) > (size + ps) * 0.62 for pu, pv, ps in placed):
                placed.append((u, v, size))
            if len(placed) >= 12:
                break
        for k, (u, v, size) in enumerate(placed):
            ornament(u, v, size, k)
    elif design.arrangement == "clusters":
        for k, (u, v, size) in enumerate(slots.spots):
            ornament(u, v, size * 1.2, k)
        for side in (0, 1):  # bouquets at the deck corners
            u = 0.065 if side == 0 else 0.935
            for j, (du, dv, s) in enumerate(((0.0, -0.13, 0.05), (0.0, -0.05, 0.075), (0.05, -0.035, 0.055))):
                ornament(u + (du if side == 0 else -du), DECK_TOP + dv, s, j + side, 0.0)
    else:  # ring: a wreath of ornaments tucked behind the medallion's rim
        if medallion.shape == "circle":
            ring_radius = medallion.radius + medallion.rim
            n = 16
            points = [(medallion.cx + ring_radius * math.cos(a), medallion.cy + ring_radius * math.sin(a), a)
                      for a in (-math.pi / 2 + k * 2 * math.pi / n for k in range(n))]
        else:
            x0, y0, x1, y1 = medallion.box
            rim_width = medallion.rim
            x0, y0, x1, y1 = x0 - rim_width * 0.6, y0 - rim_width * 0.6, x1 + rim_width * 0.6, y1 + rim_width * 0.6
            per_side_x = max(2, round((x1 - x0) / painter.length(0.06)))
            per_side_y = max(2, round((y1 - y0) / painter.length(0.06)))
            points = [(x0 + (x1 - x0) * i / per_side_x, y, 0.0) for i in range(per_side_x + 1) for y in (y0, y1)]
            points += [(x, y0 + (y1 - y0) * j / per_side_y, 0.0) for j in range(1, per_side_y) for x in (x0, x1)]
        for k, (x, y, a) in enumerate(points):
            if y < deck_y - painter.length(0.02):
                _motif(painter, shapes[k % len(shapes)], x, y, painter.length(0.055), ornament_colours[k % 2], alt,
                       a + math.pi / 2)

    finial = colours.accent if luminance(colours.accent) > 0.06 else colours.on(colours.primary, colours.secondary,
                                                                                colours.background)
    for u, v, size in slots.tops:  # finials: the hero motif
        x, y = painter.point(u, v)
        _mount(painter, x, y, deck_y, stalk)
        _motif(painter, design.hero_motif, x, y, painter.length(size), finial, colours.on(finial, alt, colours.primary), 0.0)

    if design.trim == "flags":
        for u in (0.04, 0.96):
            _flag(painter, colours, kit, u, 1 if u < 0.5 else -1)


def _mount(painter: _Painter, x: float, y: float, floor: float, colour: RGB) -> None:
    """A stalk from (x, y) down to the first solid part of the float below, when (x, y) is in the air."""
    x, y, floor = int(x), int(y), int(floor)
    if y >= floor or painter.image.getpixel((x, y))[3]:
        return
    column = np.asarray(painter.image.crop((x, y, x + 1, floor)).getchannel("A"))[:, 0] > 0
    solid = max(2, int(painter.length(0.012)))  # skip thin strings: land on something at least this thick
    runs = np.convolve(column, np.ones(solid, int), "valid") == solid
    end = y + (int(np.argmax(runs)) if runs.any() else floor - y)
    painter.line([(x, y), (x, end)], painter.ink, painter.length(0.0075), caps=False)
    painter.line([(x, y), (x, end)], colour, painter.length(0.0045), caps=False)


def _string(painter: _Painter, colours: BrandColours, design: FloatDesign, kit: BrandKit, a, b, sag: float,
            rng: random.Random) -> None:
    """A hanging string between a and b: bunting flags, lanterns or a garland of motifs."""
    cord = darker(colours.on(colours.primary, colours.secondary, colours.background), 0.3)
    curve = _sag(a, b, sag, 28)
    painter.line(curve, cord, max(2, painter.length(0.004)))
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    trim = design.trim
    trim_colours = [colours.accent, colours.on(colours.accent, colours.secondary, colours.background),
                    colours.on(colours.accent, colours.background, colours.primary)]
    if trim in ("bunting", "flags"):
        n = max(3, int(length / painter.length(0.045)))
        h = painter.length(0.04)
        for i in range(1, n):
            t0, t1 = (i - 0.42) / n, (i + 0.42) / n
            p0, p1 = _point_on(curve, t0), _point_on(curve, t1)
            mid = _point_on(curve, i / n)
            painter.fill("poly", [p0, p1, (mid[0], mid[1] + h)], trim_colours[i % len(trim_colours)],
                         outline=colours.ink, width=max(1, painter.outline_width // 2))
    elif trim == "lanterns":
        n = max(2, int(length / painter.length(0.09)))
        for i in range(1, n):
            x, y = _point_on(curve, i / n)
            s = painter.length(0.05)
            _motif(painter, "lantern", x, y + s * 0.45, s,
                   colours.accent if colours.accent != colours.primary else colours.secondary,
                   colours.on(colours.accent, colours.secondary, colours.background))
    else:  # garland of small motifs
        n = max(3, int(length / painter.length(0.05)))
        shapes = list(kit.motif_shapes)
        for i in range(1, n):
            x, y = _point_on(curve, i / n)
            _motif(painter, shapes[i % len(shapes)], x, y, painter.length(0.032), trim_colours[i % 2],
                   colours.secondary, rng.uniform(-0.4, 0.4))


def _point_on(curve, t: float) -> tuple[float, float]:
    t = min(max(t, 0.0), 1.0) * (len(curve) - 1)
    i = min(int(t), len(curve) - 2)
    fraction = t - i
    (x0, y0), (x1, y1) = curve[i], curve[i + 1]
    return x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction


def _flag(painter: _Painter, colours: BrandColours, kit: BrandKit, u: float, direction: int) -> None:
    pole = darker(colours.on(colours.primary, colours.secondary, colours.background), 0.3)
    x, y0 = painter.point(u, DECK_TOP)
    _, y1 = painter.point(u, 0.26)
    painter.line([(x, y0), (x, y1)], pole, painter.length(0.008))
    r = painter.length(0.01)
    painter.fill("ellipse", (x - r, y1 - r, x + r, y1 + r), colours.accent, "sphere", 0.3)
    fw, fh = painter.length(0.11), painter.length(0.07)
    top = [(x + direction * fw * t,
            y1 + r + painter.length(0.01) * math.sin(t * 2 * math.pi)) for t in (i / 12 for i in range(13))]
    flag = top + [(px, py + fh) for px, py in reversed(top)]
    painter.fill("poly", flag, colours.accent, "v", 0.2, outline=colours.ink)
    fx, fy = x + direction * fw * 0.5, y1 + r + fh / 2
    _motif(painter, kit.motif_shapes[0], fx, fy, fh * 0.6, colours.on(colours.accent, colours.background,
                                                                      colours.secondary), colours.primary)
