"""The visible AI-content label (GB 45438-2025) on the film: the labels module's pill, in the campaign's
corner, over the spans the campaign asks for (by default the opening seconds and the end card)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.campaign import LabelSettings
from workbench.parade.art import ArtCache
from workbench.parade.safe_area import SafeArea
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import Stage
from workbench.parade.timeline import Timeline
from workbench.provenance.visible import place_label

FADE_SECONDS = 0.4  # the opening label fades out after its time is up, rather than blinking off


@dataclass(frozen=True, eq=False)
class DisclosureLabel:
    """The label over one span of the film, fading out over its last FADE_SECONDS when `fades`.

        >>> for label in DisclosureLabel.for_film("AI生成", campaign.labels, stage, timeline):
        ...     label.draw(frame, t=0.5, art=ArtCache())
    """

    sprite: Sprite
    left: int
    top: int
    span: tuple[float, float]
    fades: bool = False

    @classmethod
    def for_film(cls, text: str, labels: LabelSettings, stage: Stage, timeline: Timeline,
                 safe: SafeArea | None = None) -> tuple[DisclosureLabel, ...]:
        """The label's layers: the whole film, or the opening seconds and the end card (from its dissolve on).
        In a platform's `safe` area, the label moves in from its corner so the platform's buttons never cover it."""
        if not labels.visible:
            return ()
        film = labels.film
        placed = place_label(text, (stage.width, stage.height), film.corner, film.height)
        sprite = Sprite.from_image(placed.image)
        left, top = placed.left, placed.top
        if safe is not None:
            left, top = safe.fit(left, top, sprite.width, sprite.height)
        if film.shown == "whole":
            return (cls(sprite, left, top, (0.0, timeline.duration)),)
        opening = cls(sprite, left, top, (0.0, film.opening_seconds + FADE_SECONDS), fades=True)
        end_start = min(timeline.procession_end - timeline.dissolve_seconds, timeline.duration)
        ending = cls(sprite, left, top, (max(0.0, end_start), timeline.duration))
        return opening, ending

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in frame pixels, as the manifest records boxes."""
        return self.left, self.top, self.left + self.sprite.width, self.top + self.sprite.height

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        start, end = self.span
        opacity = min(1.0, (end - t) / FADE_SECONDS) if self.fades else 1.0
        paste(frame, self.sprite, self.left, self.top, opacity)
