"""The spectators along the bottom of the frame, seen from behind, sliding a little as the procession advances."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from workbench.colours import RGB, mix
from workbench.parade.art import ArtCache
from workbench.parade.camera import Camera
from workbench.parade.floats import resampled
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.scenery import SCENERY_SEED
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import Stage
from workbench.parade.timeline import Timeline


@dataclass(frozen=True, eq=False)
class Crowd:
    """Spectators in a strip that tiles sideways; a few wave flags and hold balloons in the festival colours.

    The strip slides a little as the procession advances, the near layer moving against the street,
    which gives the shot depth.

        >>> Crowd(stage, timeline, colours, Camera()).draw(frame, t=3.2, art=ArtCache())
    """

    stage: Stage
    timeline: Timeline
    colours: tuple[RGB, ...]
    camera: Camera
    seed: int = SCENERY_SEED + 2
    span = ALWAYS

    @property
    def drift(self) -> float:
        """Pixels the strip slides per float of procession (parallax)."""
        return self.stage.crowd_drift * self.stage.width

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        strip = art.once(("crowd",), self._gather)
        shift = round(self.timeline.position(t) * self.drift) % strip.width
        framing = self.camera.framing(t)
        left, top = framing.point(shift, frame.shape[0] - strip.height)
        if framing.still:
            paste(frame, strip, round(left), round(top))
            paste(frame, strip, round(left) - strip.width, round(top))
            return
        # Seen closer, the strip is larger; it tiles every (zoomed) strip width, and three copies always
        # cover the frame, as the camera never frames past the world's sides.
        zoomed = resampled(strip, round(strip.width * framing.zoom), round(strip.height * framing.zoom))
        for copy in (-1, 0, 1):
            paste(frame, zoomed, round(left) + copy * zoomed.width, round(top))

    def _gather(self) -> Sprite:
        """The strip, as wide as the frame, its two ends meeting."""
        width, height = self.stage.width, max(8, round(self.stage.crowd_height * self.stage.height))
        colours = self.colours
        scale = 2  # drawn large, then reduced: smooth edges
        image = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        rng = np.random.default_rng(self.seed)
        unit = height * scale
        for row, (size, shade, top) in enumerate(((0.34, 0.62, 0.22), (0.42, 0.74, 0.42))):  # back row, front row
            x = -rng.uniform(0, 0.3) * unit
            while x < width * scale:
                head = size * unit * rng.uniform(0.85, 1.1) / 2
                clothes = mix(colours[int(rng.integers(len(colours)))], (34, 30, 52), shade)
                hair = mix((40, 30, 28), (90, 70, 60), rng.uniform(0, 1))
                y = top * unit + rng.uniform(-0.05, 0.05) * unit
                for wrap in (x, x - width * scale):  # drawn twice across the seam so the strip tiles
                    draw.rounded_rectangle((wrap - 2.1 * head, y + 1.5 * head, wrap + 2.1 * head, unit + head),
                                           radius=round(1.2 * head), fill=(*clothes, 255))
                    draw.ellipse((wrap - head, y, wrap + head, y + 2 * head), fill=(*hair, 255))
                    if row == 1 and rng.random() < 0.22:  # a raised flag or a balloon
                        colour = colours[int(rng.integers(len(colours)))]
                        stick_top = y - 1.6 * head
                        draw.line((wrap + 1.4 * head, y + 1.8 * head, wrap + 1.6 * head, stick_top),
                                  fill=(60, 50, 50, 255), width=max(1, round(head / 6)))
                        if rng.random() < 0.5:
                            draw.polygon([(wrap + 1.6 * head, stick_top), (wrap + 3.0 * head, stick_top + 0.45 * head),
                                          (wrap + 1.6 * head, stick_top + 0.9 * head)], fill=(*colour, 255))
                        else:
                            draw.ellipse((wrap + 1.0 * head, stick_top - 1.3 * head, wrap + 2.2 * head, stick_top),
                                         fill=(*colour, 255))
                x += head * rng.uniform(2.6, 3.6)
        strip = image.resize((width, height), Image.LANCZOS)
        return Sprite.from_image(strip)
