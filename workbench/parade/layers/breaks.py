"""The breaks between the parade's sections, as layers: each chapter card and crowd cutaway a scene over
its span, with the transitions that bring it in (a ribbon wipe from the procession) and take it out
(a cross-dissolve into what follows).

    >>> layers = section_breaks(timeline, stage, colours, plate, card, particles=True)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from workbench.colours import RGB
from workbench.parade.layers.chapter import ChapterCard
from workbench.parade.layers.confetti import Confetti
from workbench.parade.layers.cutaway import Cutaway
from workbench.parade.layers.dissolve import CardDissolve
from workbench.parade.layers.scene import Layer, Scene
from workbench.parade.layers.wipe import Wipe
from workbench.parade.safe_area import SafeArea
from workbench.parade.scenery import SCENERY_SEED
from workbench.parade.stages import Stage
from workbench.parade.timeline import Timeline

BREAK_SEED = SCENERY_SEED + 10  # the breaks' confetti, each break its own scatter


def section_breaks(
    timeline: Timeline, stage: Stage, colours: tuple[RGB, ...], plate: np.ndarray,
    card: Callable[[Layer, int], tuple[Layer, ...]], particles: bool, safe: SafeArea | None = None,
) -> tuple[Layer, ...]:
    """The breaks' scenes, then their transitions (drawn over whatever is under them at the time).

    `card(type_layer, confetti_seed)` makes a card's layers as the title card's are made; `plate` is the
    still picture behind the procession (RGB), which a cutaway shows out of focus behind the crowd; `safe`
is where a chapter card's type may go (a platform's safe area; the whole frame when None).
    """
    scenes: list[Layer] = []
    transitions: list[Layer] = []
    chapters = 0
    for number, segment in enumerate(timeline.breaks):
        if segment.kind == "chapter":
            chapters += 1
            layers = card(ChapterCard(segment.text, chapters, stage, colours, safe), BREAK_SEED + number)
        else:
            confetti = (Confetti.scatter(colours, seed=BREAK_SEED + number),) if particles else ()
            layers = (Cutaway(stage, timeline, colours, plate, segment.start), *confetti)
        scene = Scene((segment.start, segment.end), layers)
        scenes.append(scene)
        into, out = timeline.transition_seconds(segment)
        if into > 0:
            transitions.append(Wipe(scene, cut=segment.start, seconds=into, colours=colours))
        if out > 0:
            transitions.append(CardDissolve(scene, cut=segment.end, seconds=out, card_first=True))
    return (*scenes, *transitions)
