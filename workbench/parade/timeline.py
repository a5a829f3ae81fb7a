"""When things happen in a parade film: a title card, one slot per brand, an end card. Pure arithmetic.

Each brand's slot is centred on a *hold*, when its float stands at the front and its banner is up.
Between holds the procession moves on by one float, eased so it slows into each hold; the
procession position is `i` exactly during brand `i`'s hold.

    >>> timeline = plan_timeline(film, [("lotus-tea", "lotus-tea-s1-3f2a9c1d")])
    >>> slot = timeline.slots[0]
    >>> timeline.position(slot.hold_mid)
    0.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from workbench.campaign import FilmSettings

HOLD_FRACTION = 0.5  # of each brand's slot, spent standing still at the front
ENTRY_DISTANCE = 0.5  # floats' worth of travel before the first hold and after the last
CARD_DISSOLVE_SECONDS = 0.4  # longest cross-dissolve between a card and the procession


def first_frame_at(seconds: float, fps: int) -> int:
    """The first frame shown at or after `seconds` (frame i shows time i / fps)."""
    return math.ceil(seconds * fps - 1e-6)


def ease_in_out(u: float) -> float:
    """Smoothstep: starts and ends at rest."""
    u = min(1.0, max(0.0, u))
    return u * u * (3.0 - 2.0 * u)


def ease_out(u: float) -> float:
    """Arrives at rest, leaves at speed."""
    u = min(1.0, max(0.0, u))
    return 1.0 - (1.0 - u) ** 2


def ease_in(u: float) -> float:
    """Starts at rest, ends at speed."""
    u = min(1.0, max(0.0, u))
    return u * u


@dataclass(frozen=True)
class Segment:
    """A card: `kind` is "title" or "end"."""

    kind: Literal["title", "end"]
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class BrandSlot:
    """One brand's share of the procession; its float is at the front from hold_start to hold_end."""

    index: int
    brand: str
    concept_id: str
    start: float
    end: float
    hold_start: float
    hold_end: float

    @property
    def hold_mid(self) -> float:
        return (self.hold_start + self.hold_end) / 2


@dataclass(frozen=True)
class Timeline:
    """The whole film's timing. `position(t)` says where the procession is."""

    title: Segment
    slots: tuple[BrandSlot, ...]
    end: Segment

    @property
    def duration(self) -> float:
        return self.end.end

    @property
    def procession_start(self) -> float:
        return self.title.end

    @property
    def procession_end(self) -> float:
        return self.end.start

    @property
    def dissolve_seconds(self) -> float:
        """Cross-dissolve length, short enough never to reach a hold."""
        lead_in = self.slots[0].hold_start - self.procession_start
        lead_out = self.procession_end - self.slots[-1].hold_end
        return min(CARD_DISSOLVE_SECONDS, lead_in, lead_out)

    def position(self, t: float) -> float:
        """Procession position at time t: brand i's float is at the front when this is i."""
        first, last = self.slots[0], self.slots[-1]
        if t < first.hold_start:
            u = (t - self.procession_start) / (first.hold_start - self.procession_start)
            return -ENTRY_DISTANCE * (1.0 - ease_out(u))
        if t >= last.hold_end:
            u = (t - last.hold_end) / (self.procession_end - last.hold_end)
            return last.index + ENTRY_DISTANCE * ease_in(u)
        for slot, following in zip(self.slots, self.slots[1:]):
            if t < slot.hold_end:
                return float(slot.index)
            if t < following.hold_start:
                u = (t - slot.hold_end) / (following.hold_start - slot.hold_end)
                return slot.index + ease_in_out(u)
        return float(last.index)

    def segments(self) -> list[Segment | BrandSlot]:
        """Cards and slots in playing order, zero-length cards left out."""
        cards_and_slots = [self.title, *self.slots, self.end]
        return [s for s in cards_and_slots if s.end > s.start]


def plan_timeline(film: FilmSettings, shown: list[tuple[str, str]]) -> Timeline:
    """Lay out the film for `shown` = [(brand slug, concept id), ...] in parade order.

    With `film.duration` set the film is exactly that long; cards shrink when the brands need the time.
    """
    if not shown:
        raise ValueError("a parade needs at least one brand")
    count = len(shown)
    title_seconds, brand_seconds, end_seconds = film.timing(count)

    travel = brand_seconds * (1.0 - HOLD_FRACTION) / 2
    slots = []
    for index, (brand, concept_id) in enumerate(shown):
        start = title_seconds + index * brand_seconds
        end = start + brand_seconds
        slots.append(BrandSlot(index, brand, concept_id, start, end, start + travel, end - travel))
    procession_end = title_seconds + count * brand_seconds
    return Timeline(
        title=Segment("title", 0.0, title_seconds),
        slots=tuple(slots),
        end=Segment("end", procession_end, procession_end + end_seconds),
    )
