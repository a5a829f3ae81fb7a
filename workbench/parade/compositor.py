"""Frames of the parade film, composed in NumPy/OpenCV uint8 with premultiplied alpha.

A film is a stack of layers (see `layers`): the title card, the procession and the end card, each a
scene over its span, and the AI label. What does not move is made once per film: the street, each
float at its size, each brand's banner, the cards. A frame is then a copy of the street plus the few
sprites in view.

    >>> stage = stage_for("16:9", (1920, 1080))
    >>> parade = Parade.build(campaign, stage, timeline, [(kit, float_image), ...])
    >>> parade.frame(timeline.slots[0].hold_mid).shape
    (1080, 1920, 3)
    >>> clip = parade.clip()  # a moviepy VideoClip
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from workbench.campaign import Campaign
from workbench.kits import BrandKit
from workbench.parade.art import ArtCache
from workbench.parade.floats import float_cutout
from workbench.parade.layers import FilmLayers, Layer, LowerThird, draw_layers, layers_for
from workbench.parade.stages import Stage, stage_for
from workbench.parade.timeline import Timeline

__all__ = ["Parade", "float_cutout", "stage_for"]


@dataclass(eq=False)
class Parade:
    """One film's layers and the art they made, which this render owns: `frame(t)` draws the layers at t.

    A float's scaled art and a brand's banner are made the first time they are needed and kept in
    `art`, so building is quick and the work lands while the encoder is busy with earlier frames.
    """

    campaign: Campaign
    stage: Stage
    timeline: Timeline
    layers: FilmLayers
    art: ArtCache = field(default_factory=ArtCache)

    @classmethod
    def build(
        cls, campaign: Campaign, stage: Stage, timeline: Timeline, floats: list[tuple[BrandKit, Image.Image]],
    ) -> Parade:
        return cls(campaign, stage, timeline, layers_for(campaign, stage, timeline, floats))

    @property
    def float_images(self) -> tuple[Image.Image, ...]:
        return self.layers.floats.images

    def banner(self, index: int) -> LowerThird:
        """Brand `index`'s lower third, where it sits during the hold (the manifest's logo and text boxes)."""
        return self.layers.banners[index].lower_third(self.art)

    def frame(self, t: float) -> np.ndarray:
        """The RGB frame at `t` seconds."""
        frame = np.empty((self.stage.height, self.stage.width, 3), np.uint8)
        draw_layers(self.layers.stack, frame, t, self.art)
        return frame

    def alone(self, layer: Layer, t: float, channels: int = 4) -> np.ndarray:
        """`layer` by itself at `t` over nothing, for a finishing pass: premultiplied RGBA (or RGB over black)."""
        frame = np.zeros((self.stage.height, self.stage.width, channels), np.uint8)
        layer.draw(frame, t, self.art)
        return frame

    def clip(self):
        """A moviepy VideoClip drawing frames on demand."""
        from moviepy import VideoClip

        return VideoClip(frame_function=self.frame, duration=self.timeline.duration)
