"""Paper lanterns drifting up through the sky over the procession."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from workbench.parade.art import ArtCache
from workbench.parade.camera import Camera
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.scenery import SCENERY_SEED
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import Stage


@dataclass(frozen=True, eq=False)
class Lanterns:
    """Paper lanterns with a warm glow, rising slowly through the open sky; a pure function of time.

        >>> Lanterns.release(stage, Camera()).draw(frame, t=3.2, art=ArtCache())
    """

    sprite: Sprite
    pieces: np.ndarray  # rows: x, start height, rise speed, sway, phase (fractions of the frame)
    sky: tuple[float, float]  # the band they rise through, fractions of the height: clear of the header
    camera: Camera
    span = ALWAYS

    @classmethod
    def release(cls, stage: Stage, camera: Camera, count: int = 9, seed: int = SCENERY_SEED + 3) -> Lanterns:
        size = max(6, round(0.028 * stage.short_side))
        glow = Image.new("RGBA", (4 * size, 4 * size), (255, 170, 60, 0))
        mask = Image.new("L", glow.size, 0)
        ImageDraw.Draw(mask).ellipse((size, size, 3 * size, 3 * size), fill=110)
        glow.putalpha(mask.filter(ImageFilter.GaussianBlur(size * 0.6)))
        body = ImageDraw.Draw(glow)
        body.rounded_rectangle((1.35 * size, 1.2 * size, 2.65 * size, 2.8 * size), radius=size // 2,
                               fill=(236, 72, 40, 255))
        body.rectangle((1.55 * size, 1.05 * size, 2.45 * size, 1.25 * size), fill=(70, 40, 30, 255))
        body.ellipse((1.75 * size, 1.6 * size, 2.25 * size, 2.4 * size), fill=(255, 214, 120, 255))
        rng = np.random.default_rng(seed)
        pieces = np.column_stack([rng.uniform(0.05, 0.95, count), rng.uniform(0, 1, count),
                                  rng.uniform(0.015, 0.03, count), rng.uniform(0.004, 0.012, count),
                                  rng.uniform(0, 2 * math.pi, count)])
        return cls(Sprite.from_image(glow), pieces, stage.open_sky, camera)

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        height, width = frame.shape[:2]
        top, bottom = self.sky
        for x, start, rise, sway, phase in self.pieces:
            u = (start - rise * t) % 1.0  # climbs, and starts again low in the sky
            y = top + u * (bottom - top)
            fade = min(1.0, (1 - u) / 0.25, u / 0.25)  # fades in low, out high
            centre_x, centre_y = self.camera.point((x + sway * math.sin(0.6 * t + phase)) * width, y * height, t)
            paste(frame, self.sprite, round(centre_x - self.sprite.width / 2),
                  round(centre_y - self.sprite.height / 2), max(0.0, fade))
