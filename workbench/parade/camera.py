"""The camera: where the world (the street, the sky, the procession) lands in the frame at time t.

World coordinates are the pixels of a still, level camera framing the stage: the stages lay the
procession out in them. Every layer that places something in the world asks the camera, so a
push-in or a pan is a change to the camera alone. Banners, cards and labels sit on the screen instead.

    >>> camera = Camera()
    >>> camera.place(stage.place(0.0), t=3.2)  # the front float, where the frame shows it
    Placement(centre_x=960.0, base_y=874.8, scale=1.0, opacity=1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.parade.stages import Placement


@dataclass(frozen=True)
class Camera:
    """A camera that stands still: world and frame coincide (the identity mapping).

        >>> Camera().point(412.0, 96.5, t=3.2)
        (412.0, 96.5)
    """

    def place(self, placement: Placement, t: float) -> Placement:
        """Where something standing at `placement` in the world appears in the frame at `t`."""
        return placement

    def point(self, x: float, y: float, t: float) -> tuple[float, float]:
        """The frame pixel at which world point (x, y) appears at `t`."""
        return x, y

    def plate(self, world: np.ndarray, t: float) -> np.ndarray:
        """The still backdrop of the world (painted in world pixels) as framed at `t`."""
        return world
