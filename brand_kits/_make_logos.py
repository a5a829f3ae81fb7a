"""Regenerate the PNG logos of the sample brand kits.

Run from the repository root:

    .venv/bin/python brand_kits/_make_logos.py

Each logo is drawn with Pillow on a transparent canvas at 4x the final size
and downsized with a Lanczos filter, which gives clean anti-aliased edges and
a real alpha channel.  Coordinates below are written in final-size pixels
(the long side is 512 px); the ``Canvas`` helper scales them up.

The SVG logos of the other kits are hand-written files and are not touched here.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

KITS = Path(__file__).resolve().parent
SS = 4  # supersampling factor

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
]


def bold_font(px: int) -> ImageFont.ImageFont:
    for cand in FONT_CANDIDATES:
        if Path(cand).exists():
            return ImageFont.truetype(cand, px)
    return ImageFont.load_default(size=px)


class Canvas:
    """A transparent RGBA canvas drawn at SS x resolution, in final-size coordinates."""

    def __init__(self, width: int, height: int):
        self.w, self.h = width, height
        self.img = Image.new("RGBA", (width * SS, height * SS), (0, 0, 0, 0))
        self.d = ImageDraw.Draw(self.img)

    @staticmethod
    def _s(v: float) -> int:
        return int(round(v * SS))

    def pts(self, points):
        return [(x * SS, y * SS) for x, y in points]

    def polygon(self, points, fill, outline=None, width=0):
        self.d.polygon(self.pts(points), fill=fill)
        if outline and width:
            self.line(list(points) + [points[0]], outline, width)

    def line(self, points, fill, width):
        self.d.line(self.pts(points), fill=fill, width=self._s(width), joint="curve")
        r = width / 2  # round caps
        for x, y in (points[0], points[-1]):
            self.ellipse(x, y, r, r, fill)

    def ellipse(self, cx, cy, rx, ry, fill, outline=None, width=0):
        box = [self._s(cx - rx), self._s(cy - ry), self._s(cx + rx), self._s(cy + ry)]
        self.d.ellipse(box, fill=fill, outline=outline, width=self._s(width))

    def rrect(self, x0, y0, x1, y1, r, fill, outline=None, width=0):
        box = [self._s(x0), self._s(y0), self._s(x1), self._s(y1)]
        self.d.rounded_rectangle(box, radius=self._s(r), fill=fill, outline=outline, width=self._s(width))

    def text(self, xy, txt, px, fill, anchor="mm"):
        self.d.text((xy[0] * SS, xy[1] * SS), txt, font=bold_font(px * SS), fill=fill, anchor=anchor)

    def paste_layer(self, layer: "Canvas"):
        self.img.alpha_composite(layer.img)

    def save(self, path: Path, pad: int = 8):
        """Trim to the drawn content (plus ``pad`` px), then downsize so the long side is 512 px."""
        x0, y0, x1, y1 = self.img.getchannel("A").getbbox()
        p = pad * SS
        img = self.img.crop((max(x0 - p, 0), max(y0 - p, 0), min(x1 + p, self.img.width), min(y1 + p, self.img.height)))
        scale = 512 / max(img.size)
        out = img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)
        out.save(path, optimize=True)
        print(f"wrote {path.relative_to(KITS.parent)} {out.size}")


def hexagon(cx, cy, r, rot=90):
    return [(cx + r * math.cos(math.radians(rot + 60 * i)), cy + r * math.sin(math.radians(rot + 60 * i))) for i in range(6)]


def star(cx, cy, r_out, r_in, n=5, rot=-90):
    pts = []
    for i in range(2 * n):
        r = r_out if i % 2 == 0 else r_in
        a = math.radians(rot + 180 * i / n)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def wave(x0, x1, y, amp, periods, phase=0.0, steps=120):
    return [
        (x0 + (x1 - x0) * t / steps, y + amp * math.sin(phase + 2 * math.pi * periods * t / steps))
        for t in range(steps + 1)
    ]


def shear(img: Image.Image, k: float) -> Image.Image:
    """Italicise a layer: x' = x + k*(h - y) (positive k leans right)."""
    w, h = img.size
    return img.transform((w, h), Image.AFFINE, (1, k, -k * h, 0, 1, 0), resample=Image.BICUBIC)


# --------------------------------------------------------------------------- logos

def xinghe_electronics(path: Path):
    """星河电子 Star River Electronics: a river of light crossing a night-indigo tile, with a star and circuit nodes."""
    indigo, cyan, yellow, white = "#1B2A6B", "#4CC9F0", "#FFD23F", "#FFFFFF"
    c = Canvas(512, 512)
    c.rrect(10, 10, 502, 502, 104, fill=indigo, outline=cyan, width=14)
    # three flowing bands of the "star river"
    for i, (col, w) in enumerate([(cyan, 34), (white, 18), (cyan, 34)]):
        y = 300 + i * 58
        c.line(wave(60, 452, y, 26, 1.25, phase=0.6), col, w)
    # circuit traces leading to the star
    c.line([(96, 230), (96, 150), (176, 150)], cyan, 14)
    c.ellipse(176, 150, 18, 18, fill=indigo, outline=cyan, width=10)
    c.line([(150, 228), (150, 196), (230, 196)], cyan, 14)
    c.ellipse(230, 196, 14, 14, fill=cyan)
    # the big star
    c.polygon(star(350, 168, 112, 46), fill=yellow)
    c.ellipse(350, 176, 16, 16, fill=indigo)
    c.polygon(star(96, 96, 26, 10, n=4, rot=0), fill=white)
    c.save(path)


def kestrel_stride(path: Path):
    """Kestrel Stride sneakers: a slanted black slab with volt speed chevrons and an italic wordmark."""
    black, volt, orange = "#111111", "#C6FF00", "#FF5A1F"
    W, H = 512, 256
    c = Canvas(W, H)
    c.polygon([(56, 8), (504, 8), (456, 248), (8, 248)], fill=black)
    # three forward chevrons
    for i, col in enumerate([volt, volt, orange]):
        x = 60 + i * 54
        c.polygon([(x, 56), (x + 34, 56), (x + 84, 128), (x + 34, 200), (x, 200), (x + 50, 128)], fill=col)
    # wordmark in its own layer, italicised by shearing
    t = Canvas(W, H)
    t.text((334, 112), "KESTREL", 46, fill=volt)
    t.text((334, 164), "STRIDE", 34, fill="#FFFFFF")
    t.rrect(240, 192, 428, 202, 5, fill=orange)
    t.img = shear(t.img, 0.2)
    c.paste_layer(t)
    c.save(path)


def tallybird(path: Path):
    """Tallybird fintech: a teal hexagon, amber rising bars and a geometric bird perched on top."""
    teal, mint, amber, white = "#0F4C5C", "#E0F2EF", "#F5A623", "#FFFFFF"
    c = Canvas(512, 512)
    c.polygon(hexagon(256, 256, 250, rot=30), fill=mint)
    c.polygon(hexagon(256, 256, 224, rot=30), fill=teal)
    # rising bars
    base = 402
    for x, h in [(142, 70), (204, 120), (266, 170)]:
        c.rrect(x, base - h, x + 46, base, 8, fill=amber)
    c.rrect(124, base + 10, 388, base + 24, 7, fill=mint)
    # bird perched on the tallest bar (polygons: tail, body, wing, head, beak)
    c.polygon([(262, 226), (212, 250), (236, 214)], fill=mint)                 # tail
    c.polygon([(236, 214), (262, 230), (340, 222), (360, 160), (300, 150)], fill=white)  # body
    c.polygon([(262, 196), (300, 150), (330, 200)], fill=mint)                 # wing
    c.ellipse(352, 140, 36, 36, fill=white)                                    # head
    c.polygon([(382, 128), (420, 146), (384, 156)], fill=amber)                # beak
    c.ellipse(360, 134, 8, 8, fill=teal)                                       # eye
    c.line([(300, 226), (300, 232)], amber, 8)                                 # legs
    c.line([(322, 224), (322, 232)], amber, 8)
    c.save(path)


def bumble_blocks(path: Path):
    """Bumble Blocks toys: a pyramid of three toy bricks, the top one striped like a bumblebee."""
    yellow, blue, red, ink = "#FFC93C", "#2D6CDF", "#F0483E", "#1E2A4A"
    W, H = 512, 448
    c = Canvas(W, H)

    def brick(x, y, w, h, col, studs):
        sx = [x + w * (i + 0.5) / studs for i in range(studs)]
        for cx in sx:
            c.rrect(cx - 28, y - 28, cx + 28, y + 8, 10, fill=col, outline=ink, width=10)
            c.rrect(cx - 16, y - 20, cx + 4, y - 12, 4, fill="#FFFFFF")
        c.rrect(x, y, x + w, y + h, 18, fill=col, outline=ink, width=12)

    # bee wings behind the top brick
    c.ellipse(150, 120, 62, 40, fill="#DDEBFF", outline=ink, width=10)
    c.ellipse(362, 120, 62, 40, fill="#DDEBFF", outline=ink, width=10)
    brick(24, 300, 224, 130, blue, 3)
    brick(264, 300, 224, 130, red, 3)
    brick(134, 146, 244, 140, yellow, 3)
    # two bumblebee bands across the top brick
    for x in (201, 285):
        c.d.rectangle([x * SS, 152 * SS, (x + 30) * SS, 280 * SS], fill=ink)
    # highlight bars on the lower bricks
    c.rrect(50, 326, 120, 342, 8, fill="#FFFFFF")
    c.rrect(290, 326, 360, 342, 8, fill="#FFFFFF")
    c.save(path)


def tern_motors(path: Path):
    """Tern Motors EV maker: a blue ring, swept silver tern wings and a green lightning bolt."""
    blue, silver, green, dark = "#0A84FF", "#C9D1D9", "#00E5A0", "#0D1117"
    c = Canvas(512, 512)
    c.ellipse(256, 256, 248, 248, fill=dark)
    c.ellipse(256, 256, 226, 226, fill=None, outline=blue, width=30)
    # swept wings (two mirrored crescents)
    for side in (-1, 1):
        pts = []
        for t in range(0, 41):
            a = t / 40
            pts.append((256 + side * (30 + 168 * a), 230 - 110 * math.sin(math.pi * a * 0.5) + 40 * a * a))
        for t in range(40, -1, -1):
            a = t / 40
            pts.append((256 + side * (30 + 168 * a), 230 - 110 * math.sin(math.pi * a * 0.5) + 40 * a * a + 46 * (1 - a) + 8))
        c.polygon(pts, fill=silver)
    # lightning bolt body
    c.polygon([(286, 150), (196, 292), (252, 292), (226, 410), (320, 250), (262, 250), (296, 150)], fill=green)
    c.save(path)


PNG_LOGOS = {
    "xinghe-electronics": xinghe_electronics,
    "kestrel-stride": kestrel_stride,
    "tallybird": tallybird,
    "bumble-blocks": bumble_blocks,
    "tern-motors": tern_motors,
}


def main() -> None:
    for slug, fn in PNG_LOGOS.items():
        folder = KITS / slug
        folder.mkdir(exist_ok=True)
        fn(folder / "logo.png")


if __name__ == "__main__":
    main()
