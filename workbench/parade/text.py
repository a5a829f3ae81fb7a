"""The film's type over its pictures: a glow that holds light type on any backdrop (the type itself is set by
`workbench.typography.set_lines`, as every picture's is).

    >>> card_text = with_shadow(set_lines("Thanks for watching · 感谢观看", 900, 170, max_lines=2))
"""

from __future__ import annotations

from PIL import Image, ImageFilter


def with_shadow(image: Image.Image) -> Image.Image:
    """The image over a soft dark glow, so light type holds against any backdrop."""
    margin = max(4, image.height // 6)
    canvas = Image.new("RGBA", (image.width + 2 * margin, image.height + 2 * margin), (10, 8, 30, 0))
    glow = Image.new("L", canvas.size, 0)
    glow.paste(image.getchannel("A").point(lambda a: a * 0.7), (margin, margin + margin // 4))
    canvas.putalpha(glow.filter(ImageFilter.GaussianBlur(margin / 2)))
    canvas.alpha_composite(image, (margin, margin))
    return canvas
