"""A brand's lower third: logo, name and tagline on a panel in its palette, up while its float holds the front."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from workbench.colours import RGB, contrast, mix
from workbench.kits import BrandKit
from workbench.parade.art import ArtCache
from workbench.parade.safe_area import SafeArea
from workbench.parade.sprites import Sprite, paste
from workbench.parade.stages import Stage
from workbench.parade.timeline import BrandSlot, ease_out
from workbench.typography import fit_text, set_lines

SLIDE_SECONDS = 0.3  # sliding in before the hold, fading out after it
SLIDE_DISTANCE = 0.04  # of the frame's short side
BILINGUAL_TAGLINE_MIN = 0.1  # of the logo's height: the least room beside the logo a tagline is set in


@dataclass(frozen=True, eq=False)
class LowerThird:
    """The banner's picture and where it sits during the hold (the manifest reports its `logo_box` and `text_box`)."""

    sprite: Sprite
    left: int  # frame position of the sprite during the hold
    top: int
    logo_box: tuple[int, int, int, int]  # (left, top, right, bottom) of the logo in frame pixels
    text_box: tuple[int, int, int, int]  # the same for the name and tagline

    @classmethod
    def build(cls, kit: BrandKit, stage: Stage, safe: SafeArea | None = None, bilingual: bool = False) -> LowerThird:
        """The banner where the stage puts it, moved up and in to lie wholly in `safe` when a platform's
        safe area is given; `bilingual` sets the Latin name under the display name."""
        logo_height = stage.logo_height
        logo = kit.logo_image()
        logo_width = max(1, round(logo.width * logo_height / logo.height))
        logo = logo.resize((logo_width, logo_height), Image.LANCZOS)  # resized once, pasted at whole pixels

        pad, bar = _panel_pad(logo_height), _panel_bar(logo_height)
        divider_x = pad + logo_width + pad
        text_width = stage.banner_text_width
        if safe is not None:  # narrower type rather than a panel wider than the clear part of the frame
            text_width = max(1, min(text_width, safe.width - divider_x - pad - round(1.4 * pad)))
        background = kit.palette.rgb("background")
        name_colour = _readable(kit, background, ("primary", "accent", "secondary"))
        tagline_colour = _readable(kit, background, ("accent", "primary", "secondary"))
        if bilingual and kit.subtitle:
            lines, gap = _bilingual_lines(kit, text_width, logo_height, name_colour, tagline_colour)
        else:
            lines, gap = _banner_lines(kit, text_width, logo_height, name_colour, tagline_colour)
        panel_width = divider_x + pad + max(line.width for line in lines) + round(1.4 * pad)
        panel_height = _panel_height(logo_height)
        margin = max(2, round(0.25 * logo_height))  # room for the panel's shadow

        canvas = Image.new("RGBA", (panel_width + 2 * margin, panel_height + 2 * margin), (0, 0, 0, 0))
        shadow = Image.new("L", canvas.size, 0)
        drop = margin // 3
        ImageDraw.Draw(shadow).rounded_rectangle(
            (margin, margin + drop, margin + panel_width, margin + panel_height + drop), radius=pad, fill=110
        )
        canvas.putalpha(shadow.filter(ImageFilter.GaussianBlur(margin / 2.5)))
        canvas.alpha_composite(_panel(kit, panel_width, panel_height, pad, bar, divider_x), (margin, margin))
        logo_x, logo_y = margin + pad, margin + pad
        canvas.alpha_composite(logo, (logo_x, logo_y))
        text_height = sum(line.height for line in lines) + gap * (len(lines) - 1)
        text_x, text_y = margin + divider_x + pad, margin + pad + (logo_height - text_height) // 2
        text_box = (text_x, text_y, text_x + max(line.width for line in lines), text_y + text_height)
        for line in lines:
            canvas.alpha_composite(line, (text_x, text_y))
            text_y += line.height + gap

        panel_left, panel_top = stage.banner_origin(panel_width, panel_height)
        if safe is not None:
            panel_left, panel_top = safe.fit(panel_left, panel_top, panel_width, panel_height)
        left, top = panel_left - margin, panel_top - margin
        logo_box = (left + logo_x, top + logo_y, left + logo_x + logo_width, top + logo_y + logo_height)
        text_box = (left + text_box[0], top + text_box[1], left + text_box[2], top + text_box[3])
        return cls(Sprite.from_image(canvas), left, top, logo_box, text_box)


def banner_lift(stage: Stage, safe: SafeArea | None) -> int:
    """How many pixels `safe` moves the banner up from where the stage puts it (0 without a safe area): the
    holding float is lifted as far (`Stage.holding_above`), so the banner never covers its base."""
    if safe is None:
        return 0
    panel_height = _panel_height(stage.logo_height)
    _left, top = stage.banner_origin(0, panel_height)  # the panel's top does not depend on its width
    return max(0, top - min(top, safe.bottom - panel_height))


def _panel_pad(logo_height: int) -> int:
    return max(2, round(0.28 * logo_height))


def _panel_bar(logo_height: int) -> int:
    return max(2, round(0.09 * logo_height))


def _panel_height(logo_height: int) -> int:
    """The banner panel's height: the logo with padding above and below, and the colour bar under it."""
    return _panel_pad(logo_height) + logo_height + _panel_pad(logo_height) + _panel_bar(logo_height)


@dataclass(frozen=True, eq=False)
class Banner:
    """Slides in just before its brand's hold, sits still at its exact place during it, fades out after.

    `safe`, a platform's safe area, keeps the whole panel clear of its caption and buttons; `bilingual`
    sets the brand's Latin name under its display name (where the two differ).

        >>> Banner(kit, stage, timeline.slots[0]).draw(frame, t=timeline.slots[0].hold_mid, art=ArtCache())
        >>> Banner(kit, stage, slot, SafeArea.within(SafeZone(bottom=0.2, right=0.12), 1080, 1920), bilingual=True)
    """

    kit: BrandKit
    stage: Stage
    slot: BrandSlot
    safe: SafeArea | None = None
    bilingual: bool = False

    @property
    def span(self) -> tuple[float, float]:
        return self.slot.hold_start - SLIDE_SECONDS, self.slot.hold_end + SLIDE_SECONDS

    def lower_third(self, art: ArtCache) -> LowerThird:
        return art.once(("banner", self.slot.index),
                        lambda: LowerThird.build(self.kit, self.stage, self.safe, self.bilingual))

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        banner = self.lower_third(art)
        hold_start, hold_end = self.slot.hold_start, self.slot.hold_end
        if hold_start <= t < hold_end:
            paste(frame, banner.sprite, banner.left, banner.top)
        elif hold_start - SLIDE_SECONDS <= t < hold_start:
            u = ease_out((t - (hold_start - SLIDE_SECONDS)) / SLIDE_SECONDS)
            travel = (1 - u) * SLIDE_DISTANCE * self.stage.short_side
            dx, dy = self.stage.banner_slide
            paste(frame, banner.sprite, banner.left + round(dx * travel), banner.top + round(dy * travel), u)
        elif hold_end <= t < hold_end + SLIDE_SECONDS:
            paste(frame, banner.sprite, banner.left, banner.top, 1 - (t - hold_end) / SLIDE_SECONDS)


def _banner_lines(
    kit: BrandKit, width: int, logo_height: int, name_colour: RGB, tagline_colour: RGB
) -> tuple[list[Image.Image], int]:
    """The brand name over its tagline, and the gap between lines: the name always the larger, and the
    tagline never outgrows a line of the name."""
    name, line_height = _name(kit, width, round(0.46 * logo_height), round(0.56 * logo_height), name_colour)
    lines = [name]
    if kit.tagline:
        tagline_height = min(round(0.25 * logo_height), round(0.7 * line_height))
        lines.append(fit_text(kit.tagline, width, tagline_height, tagline_colour, kit.font_path))
    return lines, round(0.2 * logo_height)


def _bilingual_lines(
    kit: BrandKit, width: int, logo_height: int, name_colour: RGB, tagline_colour: RGB
) -> tuple[list[Image.Image], int]:
    """The display name over the Latin name (`kit.subtitle`), then the tagline if it still fits the logo's
    height at a size that reads; closer lines than `_banner_lines`, so the three sit beside the logo."""
    gap = round(0.08 * logo_height)
    name, _line_height = _name(kit, width, round(0.4 * logo_height), round(0.48 * logo_height), name_colour)
    latin = fit_text(kit.subtitle, width, round(0.22 * logo_height), name_colour, kit.font_path)
    lines = [name, latin]
    room = logo_height - name.height - latin.height - 2 * gap
    if kit.tagline and room >= BILINGUAL_TAGLINE_MIN * logo_height:
        tagline_height = min(room, round(0.17 * logo_height))  # a size under the Latin name's (0.22)
        tagline = fit_text(kit.tagline, width, tagline_height, tagline_colour, kit.font_path)
        if tagline.height <= room:  # the type is never set below 8 px: at small sizes it may not fit
            lines.append(tagline)
    return lines, gap


def _name(kit: BrandKit, width: int, one_line: int, two_lines: int, colour: RGB) -> tuple[Image.Image, float]:
    """The display name at most `one_line` high, or on two lines within `two_lines` where that sets a long
    name clearly bigger; with the height of one of its lines."""
    name = fit_text(kit.display_name, width, one_line, colour, kit.font_path)
    if name.height < 0.55 * one_line and len(kit.display_name.split()) > 1:
        broken = set_lines(kit.display_name, width, two_lines, 2, colour, kit.font_path, centred=False)
        if broken.height > 1.6 * name.height:  # clearly bigger type, not just the same on two lines
            return broken, broken.height / 2
    return name, name.height


def _panel(kit: BrandKit, width: int, height: int, pad: int, bar: int, divider_x: int) -> Image.Image:
    """The banner's rounded card in the brand's background colour, with an accent bar along its foot."""
    background = kit.palette.rgb("background")
    panel = Image.new("RGBA", (width, height), (*background, 255))
    draw = ImageDraw.Draw(panel)
    draw.rectangle((0, height - bar, width, height), fill=(*kit.palette.rgb("accent"), 255))
    rule = mix(background, _readable(kit, background, ("primary", "accent", "secondary")), 0.3)
    draw.line((divider_x, pad, divider_x, height - bar - pad), fill=(*rule, 255), width=max(1, round(0.012 * height)))
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), radius=pad, fill=255)
    panel.putalpha(mask)
    return panel


def _readable(kit: BrandKit, background: RGB, roles: tuple[str, ...]) -> RGB:
    """The first palette colour in `roles` that reads on `background`, else the one that reads best."""
    colours = [kit.palette.rgb(role) for role in roles]
    for colour in colours:
        if contrast(colour, background) >= 3.5:
            return colour
    candidates = colours + [(255, 255, 255), (20, 20, 24)]
    return max(candidates, key=lambda colour: contrast(colour, background))
