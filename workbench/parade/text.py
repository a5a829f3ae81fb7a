"""Setting the film's type: a title or end line broken into balanced lines, and a glow that holds it on any backdrop.

    >>> lines = set_lines("Thanks for watching · 感谢观看", max_width=1600, max_height=170, max_lines=2)
    >>> card_text = with_shadow(lines)
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageFilter

from workbench.colours import RGB
from workbench.typography import fit_text, render_text


def set_lines(
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


def with_shadow(image: Image.Image) -> Image.Image:
    """The image over a soft dark glow, so light type holds against any backdrop."""
    margin = max(4, image.height // 6)
    canvas = Image.new("RGBA", (image.width + 2 * margin, image.height + 2 * margin), (10, 8, 30, 0))
    glow = Image.new("L", canvas.size, 0)
    glow.paste(image.getchannel("A").point(lambda a: a * 0.7), (margin, margin + margin // 4))
    canvas.putalpha(glow.filter(ImageFilter.GaussianBlur(margin / 2)))
    canvas.alpha_composite(image, (margin, margin))
    return canvas
