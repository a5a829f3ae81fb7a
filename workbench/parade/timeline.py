"""When things happen in a parade film: a title card, one slot per brand, an end card, and between the
parade's sections the breaks: chapter cards and crowd cutaways. Pure arithmetic (the music's beats, when
the film lands on them, come in as times: see `workbench.parade.music`).

Each brand's slot is centred on a *hold*, when its float stands at the front and its banner is up.
Between holds the procession moves on by one float, eased so it slows into each hold; the
procession position is `i` exactly during brand `i`'s hold.

    >>> timeline = plan_timeline(film, [("lotus-tea", "lotus-tea-s1-3f2a9c1d")])
    >>> slot = timeline.slots[0]
    >>> timeline.position(slot.hold_mid)
    0.0

With `film.shots: varied` most brands get a close hold and every few brands a wide group shot
(`BrandSlot.shot == "group"`: several floats framed at once, a shorter hold each; the camera frames
`timeline.group_around(index)`), and a crowd cutaway separates the sections. `film.groups` make the
sections, each after a chapter card with the group's title. `film.beat_sync` moves every hold start
and every cut onto a beat, keeping the order and the film's length.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, Literal

from workbench.campaign import FilmSettings

HOLD_FRACTION = 0.5  # of each brand's slot, spent standing still at the front (single shots)
ENTRY_DISTANCE = 0.5  # floats' worth of travel before the first hold and after the last
CARD_DISSOLVE_SECONDS = 0.4  # longest cross-dissolve between a card and the procession
MIN_SLOT_SECONDS = 0.5  # single shots: a film with a `duration` gives each brand at least this

# Varied shots: the film's pace, held to what a viewer needs rather than to an equal share.
MIN_HOLD_SECONDS = 0.75  # the shortest hold: long enough to read a brand's name
MIN_MOVE_SECONDS = 0.5  # the quickest the procession moves on by one float without looking like a jump
MAX_MOVE_SECONDS = 1.2  # long slots hold longer instead of crawling from float to float
GROUP_SHARE = 0.6  # of a close hold's time, for each brand of a group shot
CLOSE_RUN = 4  # close holds in a row before each group shot, within a section
GROUP_RUN = 3  # floats framed together by a group shot
SECTION_BRANDS = 10  # without groups, a varied film breaks into sections of about this many brands
CUTAWAY_SECONDS = 1.2  # the crowd cheering between two sections

# Beat sync: a cut moves to a beat at most this many beats away, and never squeezes the time between
# two cuts below this share of what it was planned to be.
BEAT_REACH = 1.0
KEEP_SHARE = 0.5

Shot = Literal["close", "group"]
SegmentKind = Literal["title", "end", "chapter", "cutaway"]


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
    """A stretch of the film that is not the procession: the title or end card, a chapter card (`text`,
    its group's title) or a crowd cutaway (chapter cards and cutaways are the sections' breaks).

        >>> Segment("chapter", 9.6, 11.2, text="茶饮 · Tea")
    """

    kind: SegmentKind
    start: float
    end: float
    text: str = ""

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class BrandSlot:
    """One brand's share of the procession; its float is at the front from hold_start to hold_end.

    `shot` is how the camera frames the hold: "close" on the one float, or "group", a wide shot of the
    run of neighbouring group slots (`Timeline.group_around`), each brand holding the front in turn.
    """

    index: int
    brand: str
    concept_id: str
    start: float
    end: float
    hold_start: float
    hold_end: float
    shot: Shot = "close"

    kind: ClassVar[str] = "brand"  # as a segment of the film (see Timeline.segments)

    @property
    def hold_mid(self) -> float:
        return (self.hold_start + self.hold_end) / 2


@dataclass(frozen=True)
class Timeline:
    """The whole film's timing. `position(t)` says where the procession is; `breaks` are the chapter
    cards and cutaways that interrupt it, in playing order (the procession moves on unseen behind them)."""

    title: Segment
    slots: tuple[BrandSlot, ...]
    end: Segment
    breaks: tuple[Segment, ...] = ()

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
        """Cross-dissolve length between the title or end card and what follows or precedes it, short
        enough never to reach a hold (nor past a chapter card that opens the procession)."""
        lead_in = self.slots[0].hold_start - self.procession_start
        lead_out = self.procession_end - self.slots[-1].hold_end
        opening = [segment for segment in self.breaks if segment.start <= self.procession_start]
        if opening:
            lead_in = min(lead_in, opening[0].seconds / 2)
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
        """Cards, breaks and slots in playing order, zero-length cards left out."""
        middle = sorted([*self.slots, *self.breaks], key=lambda part: part.start)
        return [part for part in [self.title, *middle, self.end] if part.end > part.start]

    def procession_spans(self) -> list[tuple[float, float]]:
        """The seconds [start, end) in which the procession is seen: between the cards, less the breaks."""
        spans, start = [], self.procession_start
        for segment in self.breaks:
            if segment.start > start:
                spans.append((start, segment.start))
            start = max(start, segment.end)
        if self.procession_end > start:
            spans.append((start, self.procession_end))
        return spans

    def group_around(self, index: int) -> tuple[BrandSlot, ...]:
        """The slots one shot frames with slot `index`: its run of neighbouring group slots, or itself alone."""
        slot = self.slots[index]
        if slot.shot != "group":
            return (slot,)
        first = last = index
        while first > 0 and self.slots[first - 1].shot == "group":
            first -= 1
        while last + 1 < len(self.slots) and self.slots[last + 1].shot == "group":
            last += 1
        return self.slots[first:last + 1]

    def transition_seconds(self, segment: Segment) -> tuple[float, float]:
        """(in, out): how long the procession takes to give way to a break, and the break to what follows.

        Each fits in half the break and in the procession's travel beside it (never reaching a hold). A
        break that follows another, or the title card, has no way in of its own: the one before fades out over it.
        """
        half = segment.seconds / 2
        held_before = [slot.hold_end for slot in self.slots if slot.hold_end <= segment.start]
        follows_a_card = (segment.start == self.procession_start
                          or any(other.end == segment.start for other in self.breaks))
        into = (0.0 if follows_a_card or not held_before
                else min(CARD_DISSOLVE_SECONDS, segment.start - held_before[-1], half))
        next_breaks = [other.seconds / 2 for other in self.breaks if other.start == segment.end]
        next_holds = [slot.hold_start - segment.end for slot in self.slots if slot.hold_start >= segment.end]
        room_after = (next_breaks or next_holds or [0.0])[0]
        return into, min(CARD_DISSOLVE_SECONDS, room_after, half)


@dataclass(frozen=True)
class Section:
    """A run of brands that follow one another; `title` (a group's) puts a chapter card before them."""

    title: str | None
    brands: tuple[tuple[str, str], ...]  # (brand slug, concept id)


def plan_timeline(film: FilmSettings, shown: list[tuple[str, str]], beats: Sequence[float] | None = None) -> Timeline:
    """Lay out the film for `shown` = [(brand slug, concept id), ...]: in that order, or by `film.groups`.

    With `film.duration` set the film is exactly that long; cards and breaks shrink when the brands need
    the time. With `film.beat_sync`, holds and cuts land on `beats` (seconds), by default the beats of
    `film.audio` as the film plays it.
    """
    if not shown:
        raise ValueError("a parade needs at least one brand")
    sections = sections_for(film, shown)
    timeline = _laid_out(film, sections)
    if film.beat_sync:
        if beats is None:
            from workbench.parade.music import film_beats

            beats = film_beats(film.audio, timeline.duration)
        timeline = on_the_beat(timeline, beats)
    return timeline


def sections_for(film: FilmSettings, shown: list[tuple[str, str]]) -> list[Section]:
    """The parade's sections: each group's brands (in the group's order) after its chapter card, then the
    brands in no group; without groups, varied films break every SECTION_BRANDS or so, single ones never."""
    if film.groups:
        by_brand = dict(shown)
        grouped = {brand for group in film.groups for brand in group.brands}
        sections = [Section(group.title, tuple((brand, by_brand[brand]) for brand in group.brands if brand in by_brand))
                    for group in film.groups]
        sections.append(Section(None, tuple(pair for pair in shown if pair[0] not in grouped)))
        return [section for section in sections if section.brands]
    if film.shots == "single":
        return [Section(None, tuple(shown))]
    count = math.ceil(len(shown) / SECTION_BRANDS)  # sections of near-equal size, never a lone straggler
    bounds = [round(part * len(shown) / count) for part in range(count + 1)]
    return [Section(None, tuple(shown[start:stop])) for start, stop in zip(bounds, bounds[1:])]


def shots_for(film: FilmSettings, section_size: int) -> list[Shot]:
    """Each brand's shot in a section: CLOSE_RUN close holds, then a group shot of GROUP_RUN, and again;
    a group shot cut short by the section's end to a single float is a close hold."""
    if film.shots == "single":
        return ["close"] * section_size
    cycle = CLOSE_RUN + GROUP_RUN
    shots: list[Shot] = ["group" if place % cycle >= CLOSE_RUN else "close" for place in range(section_size)]
    if section_size % cycle == CLOSE_RUN + 1:
        shots[-1] = "close"
    return shots


def _laid_out(film: FilmSettings, sections: list[Section]) -> Timeline:
    """Slots and breaks end to end after the title card; with a `duration`, sized to fill it exactly."""
    varied = film.shots == "varied"
    pieces: list[Segment | tuple[str, str, Shot]] = []  # breaks (placed later) and slots, in playing order
    for number, section in enumerate(sections):
        if number > 0 and varied:
            pieces.append(Segment("cutaway", 0.0, CUTAWAY_SECONDS))
        if section.title is not None:
            pieces.append(Segment("chapter", 0.0, film.chapter_seconds, text=section.title))
        pieces += [(brand, concept_id, shot) for (brand, concept_id), shot
                   in zip(section.brands, shots_for(film, len(section.brands)))]
    slots = [piece for piece in pieces if not isinstance(piece, Segment)]
    weights = [GROUP_SHARE if shot == "group" else 1.0 for _brand, _concept_id, shot in slots]
    least = MIN_HOLD_SECONDS + MIN_MOVE_SECONDS if varied else MIN_SLOT_SECONDS
    title, end = film.title_seconds, film.end_seconds
    shrink = 1.0  # of the cards and breaks, when the brands need their time
    if film.duration is None:
        slot_seconds = (_shared_out(film.seconds_per_brand * math.fsum(weights), weights, least) if varied
                        else [film.seconds_per_brand] * len(slots))
    else:
        needed = least * len(slots)
        room = max(0.0, film.duration - needed)
        fixed = title + end + math.fsum(piece.seconds for piece in pieces if isinstance(piece, Segment))
        if fixed > room:
            shrink = room / fixed
            title, end, fixed = title * shrink, end * shrink, room
        if film.duration < needed:
            warnings.warn(f"film.duration: {film.duration:g} s is too short for {len(slots)} brands at {least:g} s"
                          " each; every brand gets the same shorter share", stacklevel=3)
        brand_seconds = film.duration - fixed
        slot_seconds = _shared_out(brand_seconds, weights, min(least, brand_seconds / len(slots)))

    # Each piece starts where the ones before it add up to (fsum: equal slots start at exact multiples),
    # and a break ends exactly where the next piece starts.
    lengths = iter(slot_seconds)
    durations = [piece.seconds * shrink if isinstance(piece, Segment) else next(lengths) for piece in pieces]
    starts = [title + math.fsum(durations[:place]) for place in range(len(pieces) + 1)]
    placed_slots, placed_breaks = [], []
    for place, piece in enumerate(pieces):
        start = starts[place]
        if isinstance(piece, Segment):
            if starts[place + 1] > start:  # a break shrunk to nothing (a squeezed film) is left out
                placed_breaks.append(replace(piece, start=start, end=starts[place + 1]))
            continue
        brand, concept_id, shot = piece
        length = durations[place]
        move = _move_seconds(length) if varied else length * (1.0 - HOLD_FRACTION)
        finish = start + length
        placed_slots.append(BrandSlot(len(placed_slots), brand, concept_id, start, finish, start + move / 2,
                                      finish - move / 2, shot))
    procession_end = starts[-1]
    return Timeline(Segment("title", 0.0, title), tuple(placed_slots),
                    Segment("end", procession_end, procession_end + end), tuple(placed_breaks))


def _shared_out(total: float, weights: list[float], least: float) -> list[float]:
    """`total` seconds in proportion to `weights`, none under `least` (those are raised to it, the others
    share what is left)."""
    floored: set[int] = set()
    while len(floored) < len(weights):
        free = math.fsum(weight for index, weight in enumerate(weights) if index not in floored)
        unit = (total - least * len(floored)) / free
        short = {index for index, weight in enumerate(weights) if index not in floored and weight * unit < least}
        if not short:
            return [least if index in floored else weight * unit for index, weight in enumerate(weights)]
        floored |= short
    return [total / len(weights)] * len(weights)


def _move_seconds(slot_seconds: float) -> float:
    """Varied shots: how long the procession takes to move on by one float, out of a slot this long.

    The move keeps to a steady pace (MIN to MAX_MOVE_SECONDS) and the hold gets the rest, at least
    MIN_HOLD_SECONDS; a slot too short for both (a film squeezed into its duration) splits evenly.
    """
    if slot_seconds < MIN_HOLD_SECONDS + MIN_MOVE_SECONDS:
        return slot_seconds * (1.0 - HOLD_FRACTION)
    steady = min(max(slot_seconds * (1.0 - HOLD_FRACTION), MIN_MOVE_SECONDS), MAX_MOVE_SECONDS)
    return min(steady, slot_seconds - MIN_HOLD_SECONDS)


# On the beat ----------------------------------------------------------------------------------------


def cut_times(timeline: Timeline) -> list[float]:
    """The moments a viewer feels as cuts, which beat sync puts on beats: the procession appearing after
    the title card, each hold's start, each cut to a chapter card or cutaway, and the cut to the end card."""
    inner = [timeline.procession_start, *(slot.hold_start for slot in timeline.slots),
             *(segment.start for segment in timeline.breaks), timeline.procession_end]
    return sorted({t for t in inner if 0.0 < t < timeline.duration})


def on_the_beat(timeline: Timeline, beats: Sequence[float]) -> Timeline:
    """The timeline with every cut moved onto a beat, in the same order, the film as long as before.

    Each cut goes to a beat near it (within BEAT_REACH beats), chosen together so the cuts keep their
    order and no stretch between two cuts shrinks below KEEP_SHARE of its planned length; a cut with no
    such beat stays where it was. Everything between two cuts is stretched or squeezed evenly with them.
    """
    cuts = cut_times(timeline)
    beats = sorted(b for b in beats if 0.0 < b < timeline.duration)
    if not cuts or len(beats) < 2:
        return timeline
    moved = _snapped(cuts, beats, timeline.duration)

    def warp(t: float) -> float:
        """Piecewise linear through (0, 0), each cut to its beat, and (duration, duration)."""
        planned, landed = [0.0, *cuts, timeline.duration], [0.0, *moved, timeline.duration]
        after = min(max(bisect.bisect_right(planned, t), 1), len(planned) - 1)
        share = (t - planned[after - 1]) / (planned[after] - planned[after - 1])
        return landed[after - 1] + share * (landed[after] - landed[after - 1])

    def warped(part):
        changes = {"start": warp(part.start), "end": warp(part.end)}
        if isinstance(part, BrandSlot):
            changes.update(hold_start=warp(part.hold_start), hold_end=warp(part.hold_end))
        return replace(part, **changes)

    return Timeline(warped(timeline.title), tuple(map(warped, timeline.slots)), warped(timeline.end),
                    tuple(map(warped, timeline.breaks)))


def _snapped(cuts: list[float], beats: list[float], duration: float) -> list[float]:
    """Where each cut lands: the beats (or, failing one, the cut's own time) that move the cuts least in
    all, keeping order and KEEP_SHARE of each stretch between neighbours (a shortest path over candidates)."""
    beat_length = sorted(b - a for a, b in zip(beats, beats[1:]))[(len(beats) - 1) // 2]  # the median
    reach = BEAT_REACH * beat_length
    stay_cost = 2 * reach  # more than any move to a beat: a cut stays put only when no beat fits

    def candidates(cut: float) -> list[tuple[float, float]]:
        near = beats[bisect.bisect_left(beats, cut - reach):bisect.bisect_right(beats, cut + reach)]
        return [(beat, abs(beat - cut)) for beat in near] + [(cut, stay_cost)]

    # A row of landings for each cut: (time, the least total cost of landing there, which landing of the cut
    # before it that way came through). The film's start is the row before the first cut.
    rows = [[(0.0, 0.0, -1)]]
    planned_before = 0.0
    for cut in cuts:
        least_gap = KEEP_SHARE * (cut - planned_before)
        row = []
        for time, cost in candidates(cut):
            ways = [(total, way) for way, (before, total, _came) in enumerate(rows[-1])
                    if time > before and time - before >= least_gap - 1e-9]
            if ways:  # staying put is always a way (it keeps every stretch whole), so no row is empty
                total, way = min(ways)
                row.append((time, total + cost, way))
        rows.append(row)
        planned_before = cut
    least_end = KEEP_SHARE * (duration - cuts[-1])
    _total, way = min((total, way) for way, (time, total, _came) in enumerate(rows[-1])
                      if duration - time >= least_end - 1e-9)
    landed = []
    for row in reversed(rows[1:]):
        time, _total, way = row[way]
        landed.append(time)
    return landed[::-1]
