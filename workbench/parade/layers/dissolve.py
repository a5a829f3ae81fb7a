"""The cross-dissolve between a card and the procession, at the cut where one gives way to the other."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from workbench.parade.art import ArtCache
from workbench.parade.layers.scene import Scene


@dataclass(frozen=True, eq=False)
class CardDissolve:
    """The card fades out of the procession after the cut (the title) or into it before the cut (the end).

        >>> CardDissolve(title_card, cut=timeline.procession_start, seconds=0.4, card_first=True).draw(frame, 1.1, art)
    """

    card: Scene
    cut: float  # the card's edge: where the procession starts (title) or ends (end card)
    seconds: float
    card_first: bool  # the card comes before the cut (the title card) or after it (the end card)

    @property
    def span(self) -> tuple[float, float]:
        return (self.cut, self.cut + self.seconds) if self.card_first else (self.cut - self.seconds, self.cut)

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        shown = (t - self.cut if self.card_first else self.cut - t) / self.seconds  # the procession's share
        card = np.empty_like(frame)
        self.card.draw(card, t, art)
        cv2.addWeighted(frame, shown, card, 1 - shown, 0, dst=frame)
