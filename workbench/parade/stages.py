"""Stages: one frame shape's composition, where floats travel and where banner, title and cards sit.

A stage says what it offers (a header over the sky, how the cards are laid out, the open sky for
lanterns), so no layer asks which stage it is.

    >>> stage = stage_for("16:9", (1920, 1080))
    >>> stage.place(0.0)  # the front float, in world coordinates (see camera.Camera)
    Placement(centre_x=960.0, base_y=874.8, scale=1.0, opacity=1.0)
    >>> stage.has_header, stage.cards.end_columns
    (False, 5)
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import ClassVar

import cv2
import numpy as np

from workbench.colours import RGB, mix
from workbench.parade.scenery import (
    ASPHALT, KERB, PAVEMENT, SCENERY_SEED, bunting, dashes, kerb, lamp_post, pavement, sky, skyline,
    vertical_gradient,
)

MIN_HOLD_SCALE = 0.4  # the holding float is never pushed up the street smaller than this


@dataclass(frozen=True)
class Placement:
    """A float's bottom-centre in pixels, its scale (1 at the front) and opacity."""

    centre_x: float
    base_y: float
    scale: float
    opacity: float = 1.0


@dataclass(frozen=True)
class CardLayout:
    """How a stage lays out the title and end cards; heights and widths are fractions of the frame's."""

    title_lines: int  # the most lines the campaign title is broken into
    title_height: float  # the title's box
    rule_width: float  # the festival-coloured rules above and below it
    end_columns: int  # one row of logo tiles up to this many brands; more fill the grid that sets them largest
    end_tiles_height: float  # the most the grid of logo tiles may take
    end_text_top: float  # where the end line sits, unless many brands pull it up


@dataclass(frozen=True)
class Stage(ABC):
    """One frame shape's composition. Subclasses say where floats travel and where the banner sits."""

    width: int
    height: int

    aspect: ClassVar[str]  # the film setting's name for this frame shape, e.g. "16:9"
    horizon: ClassVar[float]  # where the sky meets the street, fraction of the height
    max_scale: ClassVar[float] = 1.0  # largest on-screen scale a float reaches; sprites are pre-scaled to it once
    crowd_height: ClassVar[float] = 0.15  # the spectators in the foreground: strip height, fraction of the frame
    crowd_drift: ClassVar[float] = 0.05  # frame widths the crowd slides per float that passes (parallax)
    banner_slide: ClassVar[tuple[int, int]] = (0, 0)  # direction the banner slides in from
    header_top: ClassVar[float | None] = None  # where the campaign title sits over the procession, if anywhere
    cards: ClassVar[CardLayout]

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    @property
    def has_header(self) -> bool:
        """Whether the campaign title stays up over the procession."""
        return self.header_top is not None

    @property
    def open_sky(self) -> tuple[float, float]:
        """The band of sky below the header and above the rooftops' line, fractions of the height."""
        return (0.0 if self.header_top is None else self.header_top + 0.07), self.horizon - 0.02

    @property
    @abstractmethod
    def float_size(self) -> tuple[int, int]:
        """The box a float is fitted into at the front (scale 1)."""

    @property
    @abstractmethod
    def logo_height(self) -> int:
        """The banner logo's height in pixels."""

    @property
    @abstractmethod
    def banner_text_width(self) -> int:
        """The widest the brand name and tagline may be set."""

    @abstractmethod
    def place(self, offset: float) -> Placement:
        """Where a float stands when it is `offset` floats behind the front one (negative: already passed)."""

    def routed(self, depth: bool) -> Stage:
        """This stage with floats coming from the distance and receding into it (`depth`), where it offers such a
        route (the wide stage); otherwise, or without `depth`, the stage itself."""
        return self

    def holding_above(self, lift: int) -> Stage:
        """This stage with the holding float `lift` pixels further up the frame, where it can stand there (the
        stages whose street comes toward the camera): a platform's caption band has pushed the banner up by
        `lift`, and the float's base must not go under it. Otherwise the stage itself."""
        return self

    def may_show(self, placement: Placement) -> bool:
        """Whether a float standing at `placement` can reach into the frame (its box, shadow and bob included).

        Floats wholly outside are skipped before their art is made, so a long parade scales only what it shows.
        """
        box_width, box_height = self.float_size
        half_width = 0.6 * box_width * placement.scale  # the shadow is 1.1 x the float's width
        top = placement.base_y - 1.1 * box_height * placement.scale
        return (placement.centre_x + half_width > 0 and placement.centre_x - half_width < self.width
                and top < self.height and placement.base_y + 0.2 * box_height * placement.scale > 0)

    @abstractmethod
    def banner_origin(self, panel_width: int, panel_height: int) -> tuple[int, int]:
        """Top-left of the banner panel during the hold."""

    @abstractmethod
    def paint_street(self, colours: tuple[RGB, ...]) -> np.ndarray:
        """The static background: sky, skyline, street, lamp posts, bunting."""


@dataclass(frozen=True)
class WideStage(Stage):
    """16:9: the camera looks across the street; floats roll in from the right and leave on the left.

    On the depth route (`routed(True)`) the street bends in front of the camera instead: floats come
    from the distance up the street on the right, pass close at the front and recede up the left.

        >>> stage.routed(True).place(1.0)  # the next float, half as large, up the street to the right
        Placement(centre_x=1344.0, base_y=750.6, scale=0.5, opacity=1.0)
    """

    depth_route: bool = False

    aspect = "16:9"
    horizon = 0.58
    road = (0.65, 0.90)  # top and bottom of the carriageway, fractions of the height
    base = 0.81  # where the front float's wheels stand
    spacing = 0.58  # of the width, between neighbouring floats
    route_vanishing = (0.9, 0.1)  # the depth route's two arms: where they meet the horizon, fractions of the width
    route_depth_ratio = 0.5  # on the depth route, each float's scale relative to the next one nearer the front
    route_reach = 3.4  # floats beyond this many places from the front are lost in the distance (faded out by then)
    banner_slide = (-1, 0)
    cards = CardLayout(title_lines=2, title_height=0.2, rule_width=0.18, end_columns=5, end_tiles_height=0.44,
                       end_text_top=0.2)

    @property
    def float_size(self) -> tuple[int, int]:
        return round(0.42 * self.width), round(0.54 * self.height)

    @property
    def logo_height(self) -> int:
        return max(8, round(0.095 * self.height))

    @property
    def banner_text_width(self) -> int:
        return round(0.46 * self.width)

    def routed(self, depth: bool) -> WideStage:
        return replace(self, depth_route=depth)

    def place(self, offset: float) -> Placement:
        if self.depth_route:
            return self._on_route(offset)
        return Placement(self.width * (0.5 + offset * self.spacing), self.height * self.base, 1.0)

    def route_point(self, scale: float, arm: int, height: float) -> tuple[float, float]:
        """The depth route's frame point at depth `scale` (1 at the front) on `arm` (+1 the way in on the right,
        -1 the way out on the left), `height` frame heights below the front wheels' line as seen at the front.

        Everything on an arm runs straight to its vanishing point on the horizon, shrinking with `scale`.
        """
        vanishing_x = self.route_vanishing[0 if arm > 0 else 1]
        x = vanishing_x + (0.5 - vanishing_x) * scale
        y = self.horizon + (self.base + height - self.horizon) * scale
        return x * self.width, y * self.height

    def _on_route(self, offset: float) -> Placement:
        scale = self.route_depth_ratio ** abs(offset)
        x, y = self.route_point(scale, 1 if offset >= 0 else -1, 0.0)
        return Placement(x, y, scale, opacity=min(1.0, max(0.0, (self.route_reach - abs(offset)) / 0.8)))

    def banner_origin(self, panel_width: int, panel_height: int) -> tuple[int, int]:
        return round(0.04 * self.width), round(0.965 * self.height) - panel_height

    def paint_street(self, colours: tuple[RGB, ...]) -> np.ndarray:
        if self.depth_route:
            return self._paint_route(colours)
        w, h = self.width, self.height
        horizon = round(self.horizon * h)
        road_top, road_bottom = (round(f * h) for f in self.road)
        rng = np.random.default_rng(SCENERY_SEED)
        image = sky(w, h, horizon)
        skyline(image, horizon, rng, unit=h)
        vanishing = (w / 2, horizon - 0.25 * h)
        pavement(image, horizon, road_top - round(0.014 * h), vanishing, unit=h)
        kerb(image, road_top - round(0.014 * h), road_top)
        far_asphalt = mix(ASPHALT, (0, 0, 0), 0.1)
        image[road_top:road_bottom] = vertical_gradient(road_bottom - road_top, w, far_asphalt, ASPHALT)
        dashes(image, round((road_top + road_bottom) / 2), round(0.007 * h), round(0.05 * w), round(0.04 * w))
        kerb(image, road_bottom, road_bottom + round(0.016 * h))
        pavement(image, road_bottom + round(0.016 * h), h, vanishing, unit=h)
        posts = [round(x * w) for x in np.arange(-0.13, 1.2, 0.27)]
        lamp_base, lamp_height = horizon + round(0.04 * h), round(0.44 * h)
        for x in posts:
            lamp_post(image, x, lamp_base, lamp_height, unit=h)
        tops = [(x, lamp_base - lamp_height + round(0.02 * h)) for x in posts]
        for index, (start, end) in enumerate(zip(tops, tops[1:])):
            bunting(image, start, end, sag=0.07 * h, flag=0.028 * h, colours=colours, shift=index * 3)
        return image

    def _paint_route(self, colours: tuple[RGB, ...]) -> np.ndarray:
        """The street bending in front of the camera: a paved square, the carriageway's two arms running off
        to their vanishing points, kerbs and centre dashes along them, lamp posts and bunting on the far side."""
        w, h = self.width, self.height
        horizon = round(self.horizon * h)
        rng = np.random.default_rng(SCENERY_SEED)
        image = sky(w, h, horizon)
        skyline(image, horizon, rng, unit=h)
        pavement(image, horizon, h, (w / 2, horizon - 0.25 * h), unit=h)
        far_edge, near_edge = (edge - self.base for edge in self.road)  # of the height, about the wheels' line
        kerb_width = 0.015

        def arm_shape(top: float, bottom: float, arm: int) -> np.ndarray:
            """An arm between two heights about the wheels' line, from the front to its vanishing point."""
            corners = [self.route_point(1.0, arm, top), self.route_point(1.0, arm, bottom),
                       self.route_point(0.0, arm, bottom)]
            return np.round(np.array(corners) * 16).astype(np.int32)

        road = np.zeros((h, w), np.uint8)
        for arm in (1, -1):
            cv2.fillPoly(image, [arm_shape(far_edge - kerb_width, near_edge + kerb_width, arm)], KERB, cv2.LINE_AA,
                         shift=4)
            cv2.fillPoly(road, [arm_shape(far_edge, near_edge, arm)], 255, cv2.LINE_AA, shift=4)
        # The carriageway darkens with distance, as the side-on street's does; its edges are antialiased.
        shade = vertical_gradient(h, w, mix(ASPHALT, (0, 0, 0), 0.1), ASPHALT)
        coverage = road.astype(np.float32) / 255
        image = cv2.blendLinear(image, shade, 1 - coverage, coverage)
        middle = (far_edge + near_edge) / 2
        for arm in (1, -1):
            for distance in np.arange(1.0, 9.0, 0.5):  # centre-line dashes, evenly spaced in depth
                near, far = 1 / distance, 1 / (distance + 0.25)
                start, end = self.route_point(near, arm, middle), self.route_point(far, arm, middle)
                cv2.line(image, (round(start[0]), round(start[1])), (round(end[0]), round(end[1])), (236, 226, 200),
                         max(1, round(0.007 * h * near)), cv2.LINE_AA)
        lamp_height, post_scales = 0.44 * h, (0.72, 0.42, 0.24, 0.14)
        tops = {}
        for arm in (1, -1):  # on the far side of each arm, shrinking into the distance
            tops[arm] = []
            for scale in post_scales:
                x, y = self.route_point(scale, arm, far_edge - 2 * kerb_width)
                lamp_post(image, round(x), round(y), round(lamp_height * scale), unit=h * scale)
                tops[arm].append((x, y - (lamp_height - 0.02 * h) * scale))
        strings = [(tops[-1][0], tops[1][0], post_scales[0])]  # across the bend, over the front
        for arm in (1, -1):
            strings += list(zip(tops[arm], tops[arm][1:], post_scales))
        for index, (start, end, near) in enumerate(strings):
            bunting(image, start, end, sag=0.07 * h * near, flag=0.028 * h * near, colours=colours, shift=index * 3)
        return image


@dataclass(frozen=True)
class TallStage(Stage):
    """9:16: the camera stands at the kerb looking up the street; floats come down a diagonal toward it.

    `front` is how many places up the street the holding float stands: 0, at the kerb, unless a platform's
    caption band has pushed the banner up (`holding_above`); then the procession holds further up the
    street, smaller in the perspective, with the banner under it as before.
    """

    front: float = 0.0

    aspect = "9:16"
    horizon = 0.37
    vanishing_x = 0.64
    base = 0.69
    road_half_width = 0.62  # of the width, at the front float's depth
    depth_ratio = 0.52  # scale of each float relative to the one in front of it
    max_scale = 1.6
    crowd_height = 0.11
    crowd_drift = 0.08
    banner_slide = (0, 1)
    header_top = 0.075  # the tall frame has sky to spare: the campaign title stays up
    cards = CardLayout(title_lines=3, title_height=0.26, rule_width=0.3, end_columns=3, end_tiles_height=0.4,
                       end_text_top=0.3)

    @property
    def float_size(self) -> tuple[int, int]:
        return round(0.86 * self.width), round(0.36 * self.height)

    @property
    def logo_height(self) -> int:
        return max(8, round(0.085 * self.height))

    @property
    def banner_text_width(self) -> int:
        return round(0.88 * self.width) - round(1.9 * self.logo_height)

    def ground(self, scale: float, across: float = 0.0) -> tuple[float, float]:
        """Frame point on the road at depth `scale` (1 at the front), `across` road widths from its middle."""
        centre_x = self.vanishing_x + (0.5 - self.vanishing_x) * scale
        x = (centre_x + across * self.road_half_width * scale) * self.width
        y = (self.horizon + (self.base - self.horizon) * scale) * self.height
        return x, y

    def holding_above(self, lift: int) -> TallStage:
        if lift <= 0:
            return self
        # The depth at which the road's ground line is `lift` pixels above the front's, as a number of places.
        scale = max(MIN_HOLD_SCALE, 1.0 - lift / ((self.base - self.horizon) * self.height))
        return replace(self, front=math.log(scale) / math.log(self.depth_ratio))

    def place(self, offset: float) -> Placement:
        if offset >= 0:
            scale = self.depth_ratio ** (offset + self.front)
            x, y = self.ground(scale)
            return Placement(x, y, scale, opacity=min(1.0, max(0.0, (3.4 - offset - self.front) / 0.8)))
        # A passed float turns off the street to the left from where it held, rather than growing over the
        # frame; by 1.3 floats past the front it is wholly out of frame.
        passed, held = -offset, self.depth_ratio**self.front
        x, y = self.ground(held)
        return Placement(
            x - self.width * 0.95 * passed, y + self.height * 0.05 * passed, held * (1.0 + 0.45 * passed),
            opacity=1.0 if passed < 1.3 else 0.0,
        )

    def banner_origin(self, panel_width: int, panel_height: int) -> tuple[int, int]:
        return (self.width - panel_width) // 2, round(0.735 * self.height)

    def paint_street(self, colours: tuple[RGB, ...]) -> np.ndarray:
        w, h = self.width, self.height
        horizon = round(self.horizon * h)
        rng = np.random.default_rng(SCENERY_SEED)
        image = sky(w, h, horizon)
        skyline(image, horizon, rng, unit=0.6 * h)
        vanishing = (self.vanishing_x * w, horizon)
        pavement(image, horizon, h, vanishing, unit=0.6 * h)
        seam = mix(PAVEMENT, (60, 50, 50), 0.22)
        for distance in np.geomspace(0.45, 9.0, 22):  # cross seams, closer together with distance
            y = round(self.ground(1 / distance)[1])
            cv2.line(image, (0, y), (w, y), seam, max(1, round(0.002 * h / distance)), cv2.LINE_AA)

        def edge(across: float) -> np.ndarray:
            return np.array([vanishing, self.ground(3.0, across)])

        for outer, inner, colour in ((1.08, 1.0, KERB), (1.0, -1.0, ASPHALT), (-1.0, -1.08, KERB)):
            polygon = np.concatenate([edge(outer), edge(inner)[::-1]])
            cv2.fillPoly(image, [np.round(polygon * 16).astype(np.int32)], colour, cv2.LINE_AA, shift=4)
        for distance in np.arange(0.45, 8.0, 0.55):  # centre-line dashes, evenly spaced in depth
            near, far = 1 / distance, 1 / (distance + 0.22)
            quad = [self.ground(near, -0.012), self.ground(near, 0.012),
                    self.ground(far, 0.012), self.ground(far, -0.012)]
            cv2.fillPoly(image, [np.round(np.array(quad) * 16).astype(np.int32)], (236, 226, 200), cv2.LINE_AA, shift=4)
        lamp_height = 0.44 * h
        for distance in (5.0, 3.4, 2.3, 1.5):  # far to near, behind the front float's depth
            scale = 1 / distance
            left, right = self.ground(scale, -1.16), self.ground(scale, 1.16)
            for x, y in (left, right):
                lamp_post(image, round(x), round(y), round(lamp_height * scale), unit=h * scale)
            top = -lamp_height * scale + 0.02 * h * scale
            bunting(
                image, (left[0], left[1] + top), (right[0], right[1] + top), sag=0.06 * h * scale,
                flag=0.03 * h * scale, colours=colours, shift=round(distance * 5),
            )
        return image


def stage_for(aspect: str, size: tuple[int, int]) -> Stage:
    """The composition for an aspect ("16:9", "9:16", "1:1" or "4:5") at a frame size in pixels."""
    from workbench.parade.stages_feed import PortraitStage, SquareStage  # the feed stages build on the two here

    stages = {stage.aspect: stage for stage in (WideStage, TallStage, SquareStage, PortraitStage)}
    if aspect not in stages:
        raise ValueError(f"aspect: expected one of {', '.join(stages)}, got {aspect!r}")
    return stages[aspect](*size)
