"""The camera: where the world (the street, the sky, the procession) lands in the frame at time t.

World coordinates are the pixels of a still, level camera framing the stage: the stages lay the
procession out in them. Every layer that places something in the world asks the camera, so a
push-in or a pan is a change to the camera alone. Banners, cards, labels and the header sit on the
screen instead.

The moving camera pushes in slowly over each brand's close hold (eased in and out) towards the front
float, drifting gently sideways, and backs out to the still framing while the procession moves on;
a group shot (`BrandSlot.shot`) stays on the still framing, the widest, with its floats in view.
It never frames anything outside the world: a pan is only ever as wide as the push-in's room.

    >>> camera = Camera.for_film(CameraSettings(push_in=0.06), stage, timeline)
    >>> camera.place(stage.place(0.0), t=timeline.slots[0].hold_end - 0.01)  # the front float, pushed in
    Placement(centre_x=960.0, base_y=892.28..., scale=1.0599..., opacity=1.0)
    >>> Camera().place(stage.place(0.0), t=3.2)  # the still camera: world and frame coincide
    Placement(centre_x=960.0, base_y=874.8, scale=1.0, opacity=1.0)
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import cv2
import numpy as np

from workbench.campaign import CameraSettings
from workbench.parade.stages import Placement, Stage
from workbench.parade.timeline import Timeline, ease_in_out

FOCUS_PULL_SECONDS = 0.4  # the backdrop softens this long after a hold starts, and sharpens as long before it ends


@dataclass(frozen=True)
class Hold:
    """One brand's close hold as the camera sees it: it pushes in from `start` to `end`, then backs out until
    `wide_again`."""

    start: float
    end: float
    wide_again: float  # the next hold's start, or the procession's end
    drift: float  # +1 or -1: which way the camera pans during this hold (alternating, so shots differ)


@dataclass(frozen=True)
class Framing:
    """Where the world lands in the frame at one instant: frame = anchor + (world - anchor - (drift, 0)) * zoom.

        >>> Framing(zoom=1.05, anchor=(960.0, 580.0), drift=12.0).point(960.0, 580.0)
        (947.4, 580.0)
    """

    zoom: float = 1.0
    anchor: tuple[float, float] = (0.0, 0.0)
    drift: float = 0.0  # world pixels the view has moved to the right

    @property
    def still(self) -> bool:
        return self.zoom == 1.0 and self.drift == 0.0

    def point(self, x: float, y: float) -> tuple[float, float]:
        anchor_x, anchor_y = self.anchor
        return anchor_x + (x - anchor_x - self.drift) * self.zoom, anchor_y + (y - anchor_y) * self.zoom

    def matrix(self) -> np.ndarray:
        """The 2x3 affine matrix from world to frame pixels (for cv2.warpAffine)."""
        anchor_x, anchor_y = self.anchor
        return np.array([[self.zoom, 0.0, anchor_x - (anchor_x + self.drift) * self.zoom],
                         [0.0, self.zoom, anchor_y - anchor_y * self.zoom]])


@dataclass(frozen=True)
class Camera:
    """Maps world to frame at time t. Built with no holds it stands still (the identity), as every film did before.

        >>> Camera().point(412.0, 96.5, t=3.2)
        (412.0, 96.5)
    """

    holds: tuple[Hold, ...] = ()
    anchor: tuple[float, float] = (0.0, 0.0)  # the world point the push-in closes on: the front float's middle
    push_in: float = 0.0  # zoom gained over a hold: 0.06 ends it 6% tighter
    pan: float = 0.0  # world pixels the view drifts sideways over a hold
    pan_room: float = 1.0  # world pixels from the anchor to the nearer side edge
    depth_of_field: bool = False

    @classmethod
    def for_film(cls, settings: CameraSettings, stage: Stage, timeline: Timeline) -> Camera:
        """The camera `settings` ask for, over `timeline`'s holds; the still camera when nothing is switched on."""
        if not (settings.push_in or settings.pan or settings.depth_of_field):
            return cls()
        front = stage.place(0.0)
        anchor = (front.centre_x, front.base_y - stage.float_size[1] * front.scale / 2)
        slots = timeline.slots
        ends = [following.hold_start for following in slots[1:]] + [timeline.procession_end]
        # Close holds push in on their float; a group shot stays wide on its run of floats.
        closes = [(slot, wide_again) for slot, wide_again in zip(slots, ends) if slot.shot == "close"]
        holds = tuple(Hold(slot.hold_start, slot.hold_end, max(slot.hold_end, wide_again), 1.0 if number % 2 == 0
                           else -1.0) for number, (slot, wide_again) in enumerate(closes))
        pan_room = max(1.0, min(anchor[0], stage.width - anchor[0]))
        return cls(holds, anchor, settings.push_in, settings.pan * stage.width, pan_room, settings.depth_of_field)

    @property
    def moves(self) -> bool:
        """Whether the framing ever leaves the still one (depth of field alone does not move the camera)."""
        return bool(self.holds) and (self.push_in > 0 or self.pan > 0)

    @property
    def alters_backdrop(self) -> bool:
        """Whether the backdrop is ever seen other than as painted: framed closer, or softened."""
        return self.moves or self.depth_of_field

    @property
    def closest(self) -> float:
        """The largest zoom the camera reaches (at the end of each hold): what sprites are made ready for."""
        return self._zoom(1.0) if self.moves else 1.0

    def framing(self, t: float) -> Framing:
        """How the camera frames the world at `t`."""
        hold = self._hold(t)
        if hold is None or not self.moves:
            return Framing()
        closeness = _closeness(hold, t)
        if closeness <= 0:
            return Framing()
        return Framing(self._zoom(closeness), self.anchor, hold.drift * self.pan * closeness)

    def place(self, placement: Placement, t: float) -> Placement:
        """Where something standing at `placement` in the world appears in the frame at `t`."""
        framing = self.framing(t)
        if framing.still:
            return placement
        centre_x, base_y = framing.point(placement.centre_x, placement.base_y)
        return Placement(centre_x, base_y, placement.scale * framing.zoom, placement.opacity)

    def point(self, x: float, y: float, t: float) -> tuple[float, float]:
        """The frame pixel at which world point (x, y) appears at `t`."""
        framing = self.framing(t)
        return (x, y) if framing.still else framing.point(x, y)

    def plate(self, world: np.ndarray, t: float, frame: np.ndarray) -> None:
        """The still backdrop of the world (painted in world pixels) as framed at `t`, into the RGB `frame`.

        `world` is RGB, or RGBX, which OpenCV warps in about half the time (the fourth channel is dropped).
        One bilinear warp of the whole plate: exact to the sub-pixel, so a slow push-in glides instead of stepping.
        """
        framing = self.framing(t)
        if not framing.still:
            height, width = frame.shape[:2]
            world = cv2.warpAffine(world, framing.matrix(), (width, height), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REPLICATE)  # never reached: the framing stays in the world
        if world.shape[2] == 4:
            cv2.cvtColor(world, cv2.COLOR_RGBA2RGB, dst=frame)
        else:
            np.copyto(frame, world)

    def softness(self, t: float) -> float:
        """How far the backdrop is softened at `t` (0 sharp, 1 fully): the focus pulls onto the float of each close
        hold."""
        hold = self._hold(t) if self.depth_of_field else None
        if hold is None or not hold.start <= t < hold.end:
            return 0.0
        pull = min(FOCUS_PULL_SECONDS, (hold.end - hold.start) / 3)
        return ease_in_out(min(t - hold.start, hold.end - t) / pull)

    def _hold(self, t: float) -> Hold | None:
        """The hold whose push-in or backing-out `t` falls in (None before the first hold)."""
        index = bisect.bisect_right(self.holds, t, key=lambda hold: hold.start) - 1
        return self.holds[index] if index >= 0 else None

    def _zoom(self, closeness: float) -> float:
        """The push-in's zoom at `closeness`, and enough more that the pan's drift stays inside the world.

        Zoomed by z about the anchor, the frame shows pan_room * (1 - 1/z) of world beyond each side
        of the still view's nearer half; the drift (pan * closeness) must fit in it.
        """
        return (1.0 + self.push_in * closeness) / (1.0 - self.pan * closeness / self.pan_room)


def _closeness(hold: Hold, t: float) -> float:
    """0 at the still framing, 1 pushed all the way in: eased in over the hold, eased back out after it."""
    if t < hold.end:
        return ease_in_out((t - hold.start) / (hold.end - hold.start))
    if t < hold.wide_again:
        return 1.0 - ease_in_out((t - hold.end) / (hold.wide_again - hold.end))
    return 0.0

