"""The floats rolling down the street, each bobbing gently on its wheels over its soft shadow."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from workbench.parade.art import ArtCache
from workbench.parade.camera import Camera
from workbench.parade.floats import FloatArt
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.sprites import paste
from workbench.parade.stages import Placement, Stage
from workbench.parade.timeline import Timeline, first_frame_at

BOB_HEIGHT = 0.012  # of the float's height, up and down
BOB_SECONDS = 1.6  # one bob
BOB_PHASE_STEP = 1.9  # radians between neighbouring floats, so they do not bob in step
SIZES_KEPT = 8  # scaled sizes kept a float: a held float reuses its frame's size


@dataclass(frozen=True, eq=False)
class Floats:
    """Every float at its place in the procession at time t, far to near; `only` draws one alone (a finishing pass).

        >>> Floats(stage, timeline, camera, images).draw(frame, t=3.2, art=ArtCache())
        >>> Floats(stage, timeline, camera, images).frames_in_view(0, fps=30)
        range(30, 118)
    """

    stage: Stage
    timeline: Timeline
    camera: Camera
    images: tuple[Image.Image, ...]  # in parade order: float i is brand slot i's
    only: int | None = None
    span = ALWAYS

    def alone(self, index: int) -> Floats:
        """This layer drawing float `index` only."""
        return replace(self, only=index)

    def in_view(self, t: float) -> list[tuple[int, Placement]]:
        """The floats in frame at `t` with their frame placements, in drawing order: far to near, then by index."""
        position = self.timeline.position(t)
        in_view = []
        for index in range(len(self.images)):
            placement = self._seen(index, position, t)
            if placement is not None:
                in_view.append((placement.scale, index, placement))
        return [(index, placement) for _scale, index, placement in sorted(in_view, key=lambda item: item[:2])]

    def frames_in_view(self, index: int, fps: int) -> range:
        """The frames of the procession, at `fps`, in which float `index` is in frame (what its pass covers).

        The procession only moves forward and each float comes into view once and leaves once, so the
        ends are found by bisection from its hold, when it stands at the front, with the very test `draw` uses.
        """
        first, stop = (first_frame_at(self.timeline.procession_start, fps),
                       first_frame_at(self.timeline.procession_end, fps))

        def seen(frame_number: int) -> bool:
            t = frame_number / fps
            return self._seen(index, self.timeline.position(t), t) is not None

        front = min(max(first_frame_at(self.timeline.slots[index].hold_start, fps), first), stop - 1)
        if stop <= first or not seen(front):
            return range(0)
        unseen_before, seen_from = first - 1, front  # the first frame in view lies in (unseen_before, seen_from]
        while seen_from - unseen_before > 1:
            middle = (unseen_before + seen_from) // 2
            unseen_before, seen_from = (unseen_before, middle) if seen(middle) else (middle, seen_from)
        seen_until, unseen_from = front, stop  # the last frame in view lies in [seen_until, unseen_from)
        while unseen_from - seen_until > 1:
            middle = (seen_until + unseen_from) // 2
            seen_until, unseen_from = (middle, unseen_from) if seen(middle) else (seen_until, middle)
        return range(seen_from, seen_until + 1)

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        in_view = self.in_view(t)
        if in_view:
            # Floats that have passed or are still far off are forgotten, so memory stays that of the few
            # in view however long the parade (asked for again, say when a segment is re-checked, they are remade).
            nearest, farthest = min(i for i, _p in in_view) - 1, max(i for i, _p in in_view) + 1
            art.forget(lambda key: key[0] == "float" and not nearest <= key[1] <= farthest)
        for index, placement in in_view:
            if self.only is None or index == self.only:
                self._draw_float(frame, index, placement, t, art)

    def _seen(self, index: int, position: float, t: float) -> Placement | None:
        """Float `index`'s placement in the frame when the procession is at `position`; None when it is out of frame."""
        placement = self.camera.place(self.stage.place(index - position), t)
        return placement if placement.opacity > 0 and self.stage.may_show(placement) else None

    def _draw_float(self, frame: np.ndarray, index: int, placement: Placement, t: float, art: ArtCache) -> None:
        levels, sizes = art.once(("float", index), lambda: (FloatArt.build(self.images[index], self.stage),
                                                            ArtCache(keep=SIZES_KEPT)))
        body, shadow = sizes.once(levels.size_at(placement.scale), lambda: levels.at(placement.scale))
        bob = BOB_HEIGHT * body.height * math.sin(2 * math.pi * t / BOB_SECONDS + BOB_PHASE_STEP * index)
        centre_x, base_y = placement.centre_x, placement.base_y
        paste(frame, shadow, round(centre_x - shadow.width / 2), round(base_y - shadow.height / 2), placement.opacity)
        paste(frame, body, round(centre_x - body.width / 2), round(base_y - body.height + bob), placement.opacity)
