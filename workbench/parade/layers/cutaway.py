"""A crowd cutaway between two sections of the parade: the spectators seen close, cheering.

It is the film's own crowd (the `Crowd` layer's drawing, made at the size the cutaway shows it, so it
stays crisp) filling the lower part of the frame, with the film's backdrop behind it out of focus. The crowd
jumps in a wave that runs along it, and the view drifts slowly sideways, as a camera tracking along the kerb.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from workbench.colours import RGB
from workbench.parade.art import ArtCache
from workbench.parade.camera import Camera
from workbench.parade.layers.crowd import Crowd
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import Stage
from workbench.parade.timeline import Timeline

CROWD_ZOOM = 3.6  # how much larger the crowd is seen than along the procession: close, filling the lower part
BACKDROP_ZOOM = 1.4  # the street behind, enlarged about the horizon (nearer, and out of focus)
BACKDROP_BLUR = 0.012  # of the frame's height: the street's softness behind the crowd in focus
JUMP_HEIGHT = 0.045  # of the strip's height, the highest the crowd jumps
JUMPS_PER_SECOND = 2.2
WAVE_LENGTH = 0.45  # of the frame's width: the distance from one jumping group to the next
DRIFT = 0.04  # frame widths a second the view tracks along the crowd
DRIFT_ROOM = 0.1  # frame widths of crowd beyond the frame's right side, for the drift (it stops there)


@dataclass(frozen=True, eq=False)
class Cutaway:
    """The crowd close up and cheering, filling the frame over the street out of focus.

        >>> Cutaway(stage, timeline, colours, stage.paint_street(colours), start=17.69).draw(frame, 17.9, ArtCache())
    """

    stage: Stage
    timeline: Timeline
    colours: tuple[RGB, ...]
    street: np.ndarray  # the picture behind the procession (RGB): the drawn street or the film's plate
    start: float  # when the cutaway begins: the view's drift along the crowd counts from here
    span = ALWAYS

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        backdrop, strip, columns, rows = art.once(("cutaway",), self._make)
        np.copyto(frame, backdrop)
        width, strip_height = self.stage.width, strip.shape[0]
        jump_room = math.ceil(JUMP_HEIGHT * strip_height)
        phase = 2 * math.pi * (JUMPS_PER_SECOND * t - columns[0] / (WAVE_LENGTH * width))
        lift = (jump_room * np.abs(np.sin(phase))).astype(np.float32)  # pixels each column is off the ground
        # Each frame pixel takes the strip's pixel below it (the crowd jumps up) and further along (the view drifts):
        # one warp of the strip's four channels together (OpenCV's quickest), outside it transparent.
        drift = min(DRIFT * width * max(0.0, t - self.start), DRIFT_ROOM * width)
        jumped = cv2.remap(strip, columns + np.float32(drift), rows + lift, cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
        transparency = cv2.subtract(255, cv2.extractChannel(jumped, 3))
        jumping = Sprite(cv2.cvtColor(jumped, cv2.COLOR_RGBA2RGB), cv2.merge([transparency] * 3))
        paste(frame, jumping, 0, frame.shape[0] - strip_height + jump_room)  # its foot below the frame, jumping or not

    def _make(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The soft street, the crowd's strip at the cutaway's size (premultiplied RGBA), and the frame's pixel
        grid on the strip."""
        width, height = self.stage.width, self.stage.height
        backdrop = _out_of_focus(self.street, self.stage.horizon, round(BACKDROP_BLUR * height))
        # The film's crowd, drawn by its own layer for a frame this much taller (the same people, larger) and
        # a little wider, so the drift never reaches the strip's end, where its two ends meet.
        close = replace(self.stage, width=math.ceil(width * (1 + DRIFT_ROOM)) + 1, height=round(height * CROWD_ZOOM))
        crowd = Crowd(stage=close, timeline=self.timeline, colours=self.colours, camera=Camera())
        strip_height = math.ceil(self.stage.crowd_height * close.height) + 2  # the crowd's, rounded up
        strip = np.zeros((strip_height, close.width, 4), np.uint8)
        # At the first hold the procession, and so the crowd's slide, is at 0: the strip starts at the band's left.
        crowd.draw(strip, self.timeline.slots[0].hold_mid, ArtCache())  # a scratch cache: the film's crowd has its own
        rows, columns = np.mgrid[0:strip.shape[0], 0:width].astype(np.float32)
        return backdrop, strip, columns, rows


def _out_of_focus(street: np.ndarray, horizon: float, blur: int) -> np.ndarray:
    """The street enlarged about the middle of its horizon and blurred: what stands behind a crowd seen close."""
    height, width = street.shape[:2]
    crop_width, crop_height = round(width / BACKDROP_ZOOM), round(height / BACKDROP_ZOOM)
    left = (width - crop_width) // 2
    top = min(max(0, round(horizon * height - crop_height / 2)), height - crop_height)
    enlarged = cv2.resize(street[top:top + crop_height, left:left + crop_width], (width, height),
                          interpolation=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(enlarged, (0, 0), max(1, blur))
