"""The visible AI-content label: a dark pill with light type in a corner, legible on any backdrop.

GB 45438-2025 asks for text at least 5% of the shorter side. "Text height" is measured here as
the cap height of the label's Latin letters (the ink of "AI"), the smallest part of the text: the
Chinese characters and the whole line stand taller still.

    >>> pill = label_image("AI生成", short_side=1080, height=0.05)
    >>> stamped = stamp_image(contact_sheet, "AI生成", ImageLabel(corner="bottom-right"))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw

from workbench.campaign import Corner, ImageLabel
from workbench.colours import RGB, contrast
from workbench.typography import face_for, render_text

TEXT_COLOUR: RGB = (255, 255, 255)
PILL_COLOUR: RGB = (16, 14, 30)
PILL_OPACITY = 0.8  # over pure white this still gives the white type a contrast above 7:1
MIN_CONTRAST = 4.5  # WCAG AA for text
MARGIN = 0.03  # of the shorter side, between the pill and the frame's edges


@dataclass(frozen=True)
class PlacedLabel:
    """The label's pill image and where its top-left goes in a frame of the given size."""

    image: Image.Image
    left: int
    top: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, width, height) in frame pixels, as manifests record boxes."""
        return self.left, self.top, self.image.width, self.image.height


def worst_contrast(pill: RGB = PILL_COLOUR, opacity: float = PILL_OPACITY, text: RGB = TEXT_COLOUR) -> float:
    """The type's contrast against the pill composited over the least favourable backdrop (white or black)."""
    over = [tuple(round(opacity * channel + (1 - opacity) * backdrop) for channel in pill)
            for backdrop in (255, 0)]
    return min(contrast(text, colour) for colour in over)


def label_image(text: str, short_side: int, height: float) -> Image.Image:
    """The pill with `text`, its type's cap height at least `height` x `short_side` pixels."""
    target = max(1, round(height * short_side))
    type_image = render_text(text, _size_for_cap_height(text, target), (*TEXT_COLOUR, 255))
    pad_x, pad_y = round(0.55 * target), round(0.35 * target)
    pill = Image.new("RGBA", (type_image.width + 2 * pad_x, type_image.height + 2 * pad_y), (0, 0, 0, 0))
    ImageDraw.Draw(pill).rounded_rectangle(
        (0, 0, pill.width - 1, pill.height - 1), radius=pill.height // 2,
        fill=(*PILL_COLOUR, round(255 * PILL_OPACITY)),
    )
    pill.alpha_composite(type_image, (pad_x, pad_y))
    return pill


@lru_cache(maxsize=64)
def _size_for_cap_height(text: str, cap_height: int) -> int:
    """The smallest font size whose "AI" ink is at least `cap_height` pixels tall, in the face `text` is set in."""
    face = face_for(text)
    size = max(4, round(cap_height / 0.7))  # caps are about 0.7 em; then step to the exact size
    while _cap_height(face, size) < cap_height:
        size += 1
    while size > 4 and _cap_height(face, size - 1) >= cap_height:
        size -= 1
    return size


def _cap_height(face, size: int) -> int:
    left, top, right, bottom = face.load(size).getbbox("AI")
    return bottom - top


def place_label(text: str, frame_size: tuple[int, int], corner: Corner, height: float) -> PlacedLabel:
    """The pill for a frame of `frame_size`, at `corner`, `MARGIN` of the shorter side in from the edges."""
    width, frame_height = frame_size
    short_side = min(width, frame_height)
    pill = label_image(text, short_side, height)
    margin = round(MARGIN * short_side)
    vertical, horizontal = corner.split("-")
    left = margin if horizontal == "left" else width - pill.width - margin
    top = margin if vertical == "top" else frame_height - pill.height - margin
    return PlacedLabel(pill, max(0, left), max(0, top))


def stamp_image(image: Image.Image, text: str, label: ImageLabel) -> Image.Image:
    """A copy of `image` (any mode) with the label in its corner, as RGB or RGBA like the input."""
    placed = place_label(text, image.size, label.corner, label.height)
    stamped = image.convert("RGBA")
    stamped.alpha_composite(placed.image, (placed.left, placed.top))
    return stamped if image.mode == "RGBA" else stamped.convert("RGB")
