"""The part of the frame a platform leaves clear: what its caption band, buttons and tabs do not cover.

The campaign's `film.safe_zones` say, per aspect, how much of each side a platform covers; the screen
furniture that must be read (the banners, the campaign header) keeps inside what is left. The
procession itself may pass under the platform's buttons.

    >>> area = SafeArea.within(SafeZone(bottom=0.2, right=0.15), 1080, 1920)
    >>> area
    SafeArea(left=0, top=0, right=918, bottom=1536)
    >>> area.fit(400, 1500, 600, 200)  # a panel's top-left and size: moved up and in until it lies inside
    (318, 1336)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from workbench.campaign import SafeZone


@dataclass(frozen=True)
class SafeArea:
    """A rectangle of frame pixels, [left, right) x [top, bottom)."""

    left: int
    top: int
    right: int
    bottom: int

    @classmethod
    def within(cls, zone: SafeZone, width: int, height: int) -> SafeArea:
        """What a `width` x `height` frame leaves clear of `zone`; a covered pixel is never counted as clear."""
        return cls(math.ceil(zone.left * width), math.ceil(zone.top * height),
                   width - math.ceil(zone.right * width), height - math.ceil(zone.bottom * height))

    @classmethod
    def whole(cls, width: int, height: int) -> SafeArea:
        return cls(0, 0, width, height)

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def fit(self, left: int, top: int, width: int, height: int) -> tuple[int, int]:
        """The top-left of a `width` x `height` box at (left, top), moved the least way that puts it inside.

        A box larger than the area is aligned with the area's top or left edge.
        """
        return max(self.left, min(left, self.right - width)), max(self.top, min(top, self.bottom - height))

    def under(self, boxes: Iterable[tuple[int, int, int, int]]) -> SafeArea:
        """This area less the band down to the lowest of `boxes` standing in its top half (a top corner's label).

            >>> SafeArea(0, 154, 928, 1497).under([(700, 154, 928, 262)])
            SafeArea(left=0, top=262, right=928, bottom=1497)
        """
        middle = (self.top + self.bottom) / 2
        return replace(self, top=max([self.top, *(bottom for _left, top, _right, bottom in boxes if top < middle)]))

    def holds(self, box: tuple[int, int, int, int]) -> bool:
        """Whether a (left, top, right, bottom) box lies wholly inside."""
        left, top, right, bottom = box
        return self.left <= left and self.top <= top and right <= self.right and bottom <= self.bottom
