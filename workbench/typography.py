"""Fonts and text rendering to RGBA, Chinese included.

Image generators draw lettering badly, so every name and tagline in our images is set here, with a
font that really has the glyphs. A font is only used for a text when its character map covers every
character of that text; otherwise the next candidate is tried, and if none covers it we say so
instead of drawing missing-glyph boxes.

    >>> label = render_text("莲心茶坊 Lotus Tea", size=64, fill=(255, 255, 255))
    >>> label.mode
    'RGBA'

Breaking a name or title into lines, and the size it is set at, is decided in one place, `choose_lines`,
for every picture that sets type (the floats' name banners, the film's cards and lower thirds):

    >>> choose_lines("Thanks for watching · 感谢观看", max_width=900, max_height=170, max_lines=2)
    (['Thanks for watching', '感谢观看'], 68)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Searched in order; the first existing file that covers the text wins. Noto Sans CJK is installed by
# the project's setup (Debian's fonts-noto-cjk); the others are the usual places on other systems.
CANDIDATE_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/local/share/fonts/NotoSansSC-Bold.otf",
    "/Library/Fonts/NotoSansSC-Bold.otf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyhbd.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)
EXTRA_FONTS_ENV = "WORKBENCH_FONTS"  # os.pathsep-separated font files tried before the candidates


class FontError(RuntimeError):
    """No available font can draw the text."""


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (a .ttc holds several; we want the Simplified Chinese one)."""

    path: str
    index: int = 0

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        return _load_font(self.path, self.index, size)

    def covers(self, text: str) -> bool:
        cmap = _character_map(self.path, self.index)
        return all(ord(ch) in cmap for ch in text if not ch.isspace())


def candidate_faces(preferred: Path | str | None = None) -> list[FontFace]:
    """Font faces in the order they are tried: the kit's font, $WORKBENCH_FONTS, then system fonts."""
    paths: list[str] = []
    if preferred:
        paths.append(str(preferred))
    paths += [p for p in os.environ.get(EXTRA_FONTS_ENV, "").split(os.pathsep) if p]
    paths += list(CANDIDATE_FONTS)
    return [_best_face(p) for p in dict.fromkeys(paths) if Path(p).is_file()]


def face_for(text: str, preferred: Path | str | None = None) -> FontFace:
    """The first face that has a glyph for every character of `text`."""
    faces = candidate_faces(preferred)
    for face in faces:
        if face.covers(text):
            return face
    tried = ", ".join(f.path for f in faces) or "none found"
    raise FontError(
        f"no installed font can draw {text!r} (tried: {tried}). Install a CJK font, e.g. "
        f"'apt-get install fonts-noto-cjk', or list a font file in ${EXTRA_FONTS_ENV}."
    )


def render_text(
    text: str,
    size: int,
    fill: tuple[int, int, int] | tuple[int, int, int, int],
    font: Path | str | None = None,
    stroke_width: int = 0,
    stroke_fill: tuple[int, ...] | None = None,
) -> Image.Image:
    """Set one line of text into a tightly cropped straight-alpha RGBA image."""
    return _draw(text, face_for(text, font).load(size), fill, stroke_width, stroke_fill)


def _draw(text, loaded: ImageFont.FreeTypeFont, fill, stroke_width: int, stroke_fill) -> Image.Image:
    left, top, right, bottom = loaded.getbbox(text, stroke_width=stroke_width)
    image = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    ImageDraw.Draw(image).text(
        (-left, -top), text, font=loaded, fill=fill, stroke_width=stroke_width, stroke_fill=stroke_fill
    )
    # Crop to the ink, so callers centre what the eye sees rather than the font's advance box.
    ink = image.getchannel("A").getbbox()
    return image.crop(ink) if ink else image


def fit_text(
    text: str,
    max_width: int,
    max_height: int,
    fill: tuple[int, ...],
    font: Path | str | None = None,
    stroke_width: int = 0,
    stroke_fill: tuple[int, ...] | None = None,
) -> Image.Image:
    """The largest rendering of `text` that fits in max_width x max_height (never below 8 px)."""
    face = face_for(text, font)
    return _draw(text, face.load(_fitting_size(face, text, max_width, max_height, stroke_width)), fill,
                 stroke_width, stroke_fill)


LEADING = 0.28  # of the type size, between the lines `set_lines` stacks
PHRASE_BREAK = re.compile(r"\s[·|—]\s")  # "Thanks for watching · 感谢观看": a break between whole phrases
UNSPACED_BREAK_LENGTH = 8  # an unspaced name (Chinese, Japanese) this long may break between characters


def is_han(character: str) -> bool:
    """A Chinese character (CJK unified ideographs and extension A)."""
    return "\u4e00" <= character <= "\u9fff" or "\u3400" <= character <= "\u4dbf"


def choose_lines(text: str, max_width: int, max_height: int, max_lines: int,
                 font: Path | str | None = None, line_height: int | None = None) -> tuple[list[str], int]:
    """`text` broken into at most `max_lines` lines where the type comes out largest, and that size; with
    `line_height`, no line is set taller than that (a list's names, one size whatever their length).

    Lines break at spaces, balanced by their set width; a text with separators prefers to break at them
    (phrases stay whole); an unspaced name of 8 or more characters (CJK) may break between characters.
    Each extra line must make the type clearly bigger (15% a line). One line is fitted exactly to the
    box; several are sized to fit it with `LEADING` between them.
    """
    phrases = [part.strip() for part in PHRASE_BREAK.split(text) if part.strip()]
    units, joiner = _break_units(text)
    candidates = [_balanced_lines(units, count, joiner) for count in range(1, max_lines + 1)]
    if 1 < len(phrases) <= max_lines:
        candidates.append(phrases)

    tallest = max_height if line_height is None else min(max_height, line_height)

    def size_and_score(lines: list[str]) -> tuple[float, float]:
        widest = max(map(_line_width, lines))
        size = min(40 * max_width / widest, max_height / (1.25 * len(lines)), tallest)
        return size, size / 1.15 ** (len(lines) - 1) * (1.3 if lines is phrases else 1.0)

    best = max((lines for lines in candidates if lines), key=lambda lines: size_and_score(lines)[1])
    if len(best) == 1:
        return best, _fitting_size(face_for(best[0], font), best[0], max_width, tallest)
    size = round(size_and_score(best)[0])
    widest = max(render_text(line, size, (0, 0, 0), font).width for line in best)
    if widest > max_width:  # the brand's font runs wider than the one measured
        size = round(size * max_width / widest)
    return best, size


def set_lines(
    text: str, max_width: int, max_height: int, max_lines: int, fill: tuple[int, ...] = (255, 250, 240),
    font: Path | str | None = None, centred: bool = True, line_height: int | None = None,
) -> Image.Image:
    """`text` set on the lines `choose_lines` picks, centred (or ranged left), as one RGBA image."""
    lines, size = choose_lines(text, max_width, max_height, max_lines, font, line_height)
    if len(lines) == 1:
        return fit_text(lines[0], max_width, max_height if line_height is None else min(max_height, line_height),
                        fill, font)
    rendered = [render_text(line, size, fill, font) for line in lines]
    leading = round(LEADING * size)
    height = sum(line.height for line in rendered) + leading * (len(rendered) - 1)
    canvas = Image.new("RGBA", (max(line.width for line in rendered), height))
    y = 0
    for line in rendered:
        canvas.alpha_composite(line, ((canvas.width - line.width) // 2 if centred else 0, y))
        y += line.height + leading
    return canvas


def _break_units(text: str) -> tuple[list[str], str]:
    """What lines may break between, and what joins them back: words, or an unspaced long name's characters."""
    words = text.split()
    if len(words) == 1 and len(text) >= UNSPACED_BREAK_LENGTH and not text.isascii():
        return list(text), ""
    return words, " "


@lru_cache(maxsize=256)
def _line_width(line: str) -> int:
    return render_text(line, 40, (0, 0, 0)).width


def _balanced_lines(units: list[str], count: int, joiner: str = " ") -> list[str]:
    """Break `units` into `count` lines whose widest line is as narrow as possible."""
    if count > len(units):
        return []
    if count == 1:
        return [joiner.join(units)]
    best: list[str] = []
    for cut in range(1, len(units) - count + 2):
        lines = [joiner.join(units[:cut]), *_balanced_lines(units[cut:], count - 1, joiner)]
        if not best or max(map(_line_width, lines)) < max(map(_line_width, best)):
            best = lines
    return best


def _fitting_size(face: FontFace, text: str, max_width: int, max_height: int, stroke_width: int = 0) -> int:
    """The largest size, stepping down from `max_height` by 8%, at which `text` fits (never below 8 px)."""
    size = max(8, max_height)
    while size > 8:
        left, top, right, bottom = face.load(size).getbbox(text, stroke_width=stroke_width)
        if right - left <= max_width and bottom - top <= max_height:
            break
        size = max(8, int(size * 0.92))
    return size


def _best_face(path: str) -> FontFace:
    """For a collection, prefer the Simplified Chinese face; Latin glyphs are in every face."""
    if not path.lower().endswith(".ttc"):
        return FontFace(path)
    index = 0
    while True:
        try:
            family, _style = _load_font(path, index, 12).getname()
        except OSError:
            return FontFace(path, 0)
        if family.endswith(" SC"):
            return FontFace(path, index)
        index += 1


@lru_cache(maxsize=64)
def _load_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


@lru_cache(maxsize=16)
def _character_map(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())
