"""Regenerate the product photos of the sample brand kits (a stand-in for a client's packshot).

Run from the repository root:

    .venv/bin/python brand_kits/_make_products.py

Drawn with Pillow at 4x on a transparent canvas and downsized with Lanczos, so the product has a real
alpha channel and clean edges, as a cut-out packshot would.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

KITS = Path(__file__).resolve().parent
SS = 4


def mooncake_box(width: int = 240, height: int = 300) -> Image.Image:
    """金兔饼家's gift box: a crimson box with a gold lid band, a full moon and two mooncakes on top."""
    crimson, gold, brown, cream = (179, 32, 42), (242, 193, 78), (59, 42, 26), (255, 244, 224)
    image = Image.new("RGBA", (width * SS, height * SS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(x0, y0, x1, y1):
        return [v * SS for v in (x0, y0, x1, y1)]

    # two mooncakes stacked on the lid
    for cx, cy in ((88, 62), (152, 62)):
        draw.ellipse(box(cx - 34, cy - 30, cx + 34, cy + 30), fill=(205, 140, 60), outline=brown, width=3 * SS)
        draw.ellipse(box(cx - 22, cy - 19, cx + 22, cy + 19), outline=(150, 90, 35), width=3 * SS)
        draw.ellipse(box(cx - 8, cy - 7, cx + 8, cy + 7), fill=(150, 90, 35))
    # the box, its lid band and ribbon
    draw.rounded_rectangle(box(14, 92, 226, 292), radius=10 * SS, fill=crimson, outline=brown, width=3 * SS)
    draw.rectangle(box(17, 110, 223, 138), fill=gold)
    draw.rectangle(box(104, 95, 136, 289), fill=gold)
    # the full moon with a rabbit's silhouette
    draw.ellipse(box(56, 160, 184, 284), fill=cream, outline=gold, width=4 * SS)
    draw.ellipse(box(96, 208, 150, 252), fill=crimson)
    draw.ellipse(box(136, 196, 158, 218), fill=crimson)
    draw.polygon([(v * SS) for v in (140, 200, 134, 168, 146, 196)], fill=crimson)
    draw.polygon([(v * SS) for v in (150, 198, 152, 166, 158, 196)], fill=crimson)
    return image.resize((width, height), Image.LANCZOS)


if __name__ == "__main__":
    mooncake_box().save(KITS / "golden-rabbit-bakery" / "product.png", optimize=True)
