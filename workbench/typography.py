"""Fonts and text rendering to RGBA, Chinese included.

Image generators draw lettering badly, so every name and tagline in our images is set here, with a
font that really has the glyphs. A font is only used for a text when its character map covers every
character of that text; otherwise the next candidate is tried, and if none covers it we say so
instead of drawing missing-glyph boxes.

    >>> label = render_text("莲心茶坊 Lotus Tea", size=64, fill=(255, 255, 255))
    >>> label.mode
    'RGBA'
"""

from __future__ import annotations

import os
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
    size = max(8, max_height)
    while size > 8:
        left, top, right, bottom = face.load(size).getbbox(text, stroke_width=stroke_width)
        if right - left <= max_width and bottom - top <= max_height:
            break
        size = max(8, int(size * 0.92))
    return _draw(text, face.load(size), fill, stroke_width, stroke_fill)


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
