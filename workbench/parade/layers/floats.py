"""The floats rolling down the street, each bobbing gently on its wheels over its soft shadow.

With float motion switched on (`film.motion`), each float also rocks from side to side about its wheels
(`Sway`), sits on a tight contact shadow made from its own alpha, and catches a band of light passing
over it during its hold (`Glint`). All of it comes from the float's own alpha, so any RGBA float works.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from PIL import Image

from workbench.campaign import FloatMotion
from workbench.parade.art import ArtCache
from workbench.parade.camera import Camera
from workbench.parade.floats import FloatArt
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import Placement, Stage
from workbench.parade.timeline import Timeline, ease_in_out, first_frame_at

BOB_HEIGHT = 0.012  # of the float's height, up and down
BOB_SECONDS = 1.6  # one bob
BOB_PHASE_STEP = 1.9  # radians between neighbouring floats, so they do not bob in step
SIZES_KEPT = 8  # scaled sizes kept a float: a held float reuses its frame's size


@dataclass(frozen=True)
class Sway:
    """A float rocking from side to side about its wheels, `degrees` each way, never in step with its bob.

        >>> Sway(degrees=2.0).angle(t=3.2, index=1)
        -0.63...
    """

    degrees: float
    seconds: float = 2.7  # one rock there and back: slower than the bob, and not a multiple of it
    phase_step: float = 2.3  # radians between neighbouring floats

    def angle(self, t: float, index: int) -> float:
        return self.degrees * math.sin(2 * math.pi * t / self.seconds + self.phase_step * index)


@dataclass(frozen=True)
class Glint:
    """A soft diagonal band of light screened over a float's own alpha, `progress` (0 to 1) of the way across.

    Screening (colour + light * (alpha - colour)) brightens without clipping and leaves transparent
    pixels alone, so the light lies on the float only, whatever its shape.

        >>> lit = Glint().over(body, progress=0.5)  # the band across the float's middle
    """

    strength: float = 0.5  # of the way to white, at the band's middle
    width: float = 0.1  # the band's soft width, a fraction of the float's width
    slant: float = 0.45  # the band leans: it is this much further right per unit of height up

    def over(self, body: Sprite, progress: float) -> Sprite:
        height, width = body.height, body.width
        band = max(2.0, self.width * width)
        reach = 2 * band  # the band's light has faded to nothing this far either side of its middle
        lean = self.slant * height
        # The band's middle along the bottom edge: from wholly left of the float to wholly right of it.
        middle = -lean - reach + (width + lean + 2 * reach) * progress
        left, right = max(0, math.floor(middle - reach)), min(width, math.ceil(middle + lean + reach))
        if right <= left:
            return body
        light = _band_light(right - left, height, middle - left, band, lean, self.strength)
        columns = (slice(None), slice(left, right))
        headroom = cv2.subtract(cv2.subtract(255, body.transparency[columns]), body.colour[columns])
        colour = body.colour.copy()
        colour[columns] = cv2.add(body.colour[columns], cv2.multiply(headroom, light, scale=1 / 255))
        return Sprite(colour, body.transparency)


def _band_light(width: int, height: int, middle: float, band: float, lean: float, strength: float) -> np.ndarray:
    """width x height x 3 uint8 light: a Gaussian band (`band` wide) whose middle runs from (middle, bottom row)
    to (middle + lean, top row). One warp of a one-row profile (sheared, scaled) draws it: no per-pixel maths."""
    reach, samples = 2 * band, 256
    distance = np.linspace(-reach, reach, samples)  # from the band's middle, in pixels across
    profile = np.round(255 * strength * np.exp(-0.5 * (distance / (band / 2)) ** 2)).astype(np.uint8)[None, :]
    profile[0, [0, -1]] = 0  # dark ends, so the replicated border beyond them is dark too
    # Pixel (x, y) lies x - middle - lean * (1 - y / (height - 1)) from the band's middle: its sample in the profile.
    step = 2 * reach / (samples - 1)
    per_row = lean / max(1, height - 1)
    matrix = np.array([[1 / step, per_row / step, (reach - middle - lean) / step], [0.0, 0.0, 0.0]])
    light = cv2.warpAffine(profile, matrix, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_REPLICATE)
    return cv2.merge([light, light, light])


@dataclass(frozen=True, eq=False)
class Floats:
    """Every float at its place in the procession at time t, far to near; `only` draws one alone (a finishing pass).

        >>> Floats(stage, timeline, camera, images).draw(frame, t=3.2, art=ArtCache())
        >>> Floats(stage, timeline, camera, images, FloatMotion(sway=2, glint=True)).draw(frame, t=3.2, art=ArtCache())
        >>> Floats(stage, timeline, camera, images).frames_in_view(0, fps=30)
        range(30, 118)
    """

    stage: Stage
    timeline: Timeline
    camera: Camera
    images: tuple[Image.Image, ...]  # in parade order: float i is brand slot i's
    motion: FloatMotion = field(default_factory=FloatMotion)
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
        (A moving camera never frames more than the still one, so it is the world that decides; see `_seen`.)
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
        """Float `index`'s placement in the frame when the procession is at `position`; None when it is out of frame.

        Whether it is out of frame is asked of its place in the world: the camera only ever frames part
        of the still view, so a float the still view cannot show is never seen, and one it can show is
        drawn (clipped, if the push-in has taken it past the frame's edge). That keeps "in view" a matter
        of the procession alone: each float enters once and leaves once.
        """
        placement = self.stage.place(index - position)
        if placement.opacity <= 0 or not self.stage.may_show(placement):
            return None
        return self.camera.place(placement, t)

    def _draw_float(self, frame: np.ndarray, index: int, placement: Placement, t: float, art: ArtCache) -> None:
        levels, sizes = art.once(("float", index), lambda: (self._float_art(index), ArtCache(keep=SIZES_KEPT)))
        scale, opacity = placement.scale, placement.opacity
        sized = sizes.once(levels.size_at(scale), lambda: levels.at(scale))
        centre_x, base_y = placement.centre_x, placement.base_y
        bob = BOB_HEIGHT * sized.body.height * math.sin(2 * math.pi * t / BOB_SECONDS + BOB_PHASE_STEP * index)
        paste(frame, sized.shadow, round(centre_x - sized.shadow.width / 2), round(base_y - sized.shadow.height / 2),
              opacity)
        if sized.contact is not None:
            contact = sized.contact
            paste(frame, contact, round(centre_x - contact.width / 2), round(base_y - contact.height / 2), opacity)
        body, pivot_x, pivot_y = sized.body, sized.body.width / 2, sized.body.height
        if self.motion.sway:
            body, pivot_x, pivot_y = levels.posed(scale, Sway(self.motion.sway).angle(t, index))
        glint = self._glint_progress(index, t)
        if glint is not None:
            body = Glint().over(body, glint)
        paste(frame, body, round(centre_x - pivot_x), round(base_y - pivot_y + bob), opacity)

    def _float_art(self, index: int) -> FloatArt:
        """Float `index` made ready at the largest size the camera shows it."""
        return FloatArt.build(self.images[index], self.stage, largest=self.stage.max_scale * self.camera.closest,
                              contact_shadow=self.motion.contact_shadow)

    def _glint_progress(self, index: int, t: float) -> float | None:
        """How far the glint has crossed float `index` at `t`: during its own hold only, else None."""
        slot = self.timeline.slots[index]
        if not (self.motion.glint and slot.hold_start <= t < slot.hold_end):
            return None
        return ease_in_out((t - slot.hold_start) / (slot.hold_end - slot.hold_start))
