"""The feed stages, 1:1 and 4:5: compositions of their own for square and portrait posts, not crops of 16:9.

The square frame keeps the wide stage's side-on street, one float at a time in frame while it holds, and like
16:9 leaves its sky to the lanterns and bunting (the title card carries the title). The portrait frame
keeps the tall stage's street receding toward the camera, with less sky, and the campaign title stays
up over it, below the AI-content label's corner. Both centre the banner under the float.

    >>> stage = stage_for("1:1", (1080, 1080))
    >>> stage.place(1.0).centre_x  # the next float waits just out of frame while the first holds
    1404.0
    >>> stage.banner_origin(600, 140)
    (240, 902)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from workbench.parade.stages import CardLayout, Placement, Stage, TallStage, WideStage

MIN_LANE_SCALE = 0.55  # the square's procession, moved up the road by a caption band, is never smaller than this


@dataclass(frozen=True)
class SquareStage(WideStage):
    """1:1: the wide stage's street seen side-on, framed square: the front float takes two thirds of the width."""

    aspect = "1:1"
    horizon = 0.54  # lower than 16:9's: the square's extra height goes to the sky, the float stands large
    road = (0.63, 0.88)
    base = 0.81
    spacing = 0.8  # of the width: the neighbours wait out of frame while a float holds
    crowd_height = 0.13
    crowd_drift = 0.06
    banner_slide = (0, 1)
    cards = CardLayout(title_lines=2, title_height=0.22, rule_width=0.26, end_columns=4, end_tiles_height=0.56,
                       end_text_top=0.22)

    lane: float = 0.0  # how far up the road the procession runs, in frame heights: 0 unless a caption band lifts it

    def routed(self, depth: bool) -> SquareStage:
        return self  # the depth route is composed for the wide frame; the square keeps its side-on street

    def holding_above(self, lift: int) -> SquareStage:
        # Never so far up the road that the float is lost: a deep caption band may leave the banner over its wheels.
        farthest = min(self.base - self.road[0], (1.0 - MIN_LANE_SCALE) * (self.base - self.horizon))
        return self if lift <= 0 else replace(self, lane=min(lift / self.height, farthest))

    def place(self, offset: float) -> Placement:
        """Side-on as the wide stage; in a farther lane (`lane`), higher and smaller in the road's perspective."""
        if self.lane == 0:
            return super().place(offset)
        scale = 1.0 - self.lane / (self.base - self.horizon)
        return Placement(self.width * (0.5 + offset * self.spacing), self.height * (self.base - self.lane),
                         scale)

    @property
    def float_size(self) -> tuple[int, int]:
        return round(0.66 * self.width), round(0.5 * self.height)

    @property
    def logo_height(self) -> int:
        return max(8, round(0.08 * self.height))

    @property
    def banner_text_width(self) -> int:
        return round(0.86 * self.width) - round(1.9 * self.logo_height)

    def banner_origin(self, panel_width: int, panel_height: int) -> tuple[int, int]:
        return _centred_above(self, panel_width, panel_height, bottom=0.965)


@dataclass(frozen=True)
class PortraitStage(TallStage):
    """4:5: the tall stage's street coming toward the camera, with less sky and the floats a little wider."""

    aspect = "4:5"
    horizon = 0.4
    vanishing_x = 0.62
    base = 0.72
    road_half_width = 0.6
    header_top = 0.115  # under the band of a top corner's AI-content label (its default size)
    cards = CardLayout(title_lines=3, title_height=0.24, rule_width=0.28, end_columns=4, end_tiles_height=0.54,
                       end_text_top=0.26)

    @property
    def float_size(self) -> tuple[int, int]:
        return round(0.8 * self.width), round(0.42 * self.height)

    @property
    def logo_height(self) -> int:
        return max(8, round(0.078 * self.height))

    def banner_origin(self, panel_width: int, panel_height: int) -> tuple[int, int]:
        return _centred_above(self, panel_width, panel_height, bottom=0.9)


def _centred_above(stage: Stage, panel_width: int, panel_height: int, bottom: float) -> tuple[int, int]:
    """Top-left of a panel centred across the frame with its foot at `bottom` (a fraction of the height)."""
    return (stage.width - panel_width) // 2, round(bottom * stage.height) - panel_height
