"""Prompt building: a campaign's template filled from a brand kit.

    >>> template = PromptTemplate(brief="a lantern-festival parade float")
    >>> prompt = build_prompt(kit, template)
    >>> prompt.text.startswith("a lantern-festival parade float for Lotus Heart Tea House")
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from workbench.kits import BrandKit, hex_to_rgb

# Names a diffusion model knows, for the palette's hex colours.
COLOUR_NAMES = {
    "black": (20, 20, 20), "charcoal": (60, 60, 66), "grey": (128, 128, 128), "silver": (192, 192, 196),
    "white": (245, 245, 245), "cream": (243, 233, 210), "beige": (222, 200, 160), "gold": (212, 175, 55),
    "yellow": (245, 205, 40), "orange": (240, 130, 30), "coral": (250, 120, 100), "red": (210, 40, 40),
    "crimson": (160, 20, 50), "burgundy": (110, 20, 40), "pink": (240, 150, 180), "magenta": (200, 40, 150),
    "purple": (120, 50, 160), "lavender": (180, 160, 220), "navy": (20, 30, 90), "blue": (40, 90, 200),
    "sky blue": (120, 190, 240), "teal": (20, 130, 130), "turquoise": (60, 200, 200), "jade green": (30, 110, 90),
    "green": (50, 160, 60), "lime": (170, 220, 50), "olive": (110, 120, 40), "brown": (120, 70, 30),
}


def colour_name(hex_colour: str) -> str:
    r, g, b = hex_to_rgb(hex_colour)
    return min(COLOUR_NAMES, key=lambda n: sum((a - c) ** 2 for a, c in zip((r, g, b), COLOUR_NAMES[n])))


class PromptTemplate(BaseModel):
    """A campaign's prompt template. Fields: {brief} {name} {category} {motifs} {colours} {style}."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    brief: str = "a festive parade float"
    text: str = (
        "{brief} for {name}, a {category} brand, sculpted around {motifs}, "
        "in {colours}, {style}, full float in view on a city street, daylight, crisp detail"
    )
    negative: str = "{negative}, misspelled text, extra logos, watermark, cropped float, deformed wheels"


@dataclass(frozen=True)
class Prompt:
    text: str
    negative: str


def build_prompt(kit: BrandKit, template: PromptTemplate, brief: str | None = None) -> Prompt:
    """Fill the template from the kit; `brief` replaces the campaign's float brief for one concept."""
    palette = kit.palette
    colours = [colour_name(c) for c in (palette.primary, palette.secondary, palette.accent)]
    fields = {
        "brief": brief or template.brief,
        "name": kit.name_for_prompts,
        "category": kit.category,
        "motifs": _join(kit.motifs),
        "colours": _join(list(dict.fromkeys(colours))),
        "style": ", ".join(kit.style_words) or "festive",
        "negative": ", ".join(kit.negative_words) or "blurry",
    }
    return Prompt(text=template.text.format(**fields), negative=template.negative.format(**fields))


# The script a kit's display name is written in, as a prompt says it (kit.language).
SCRIPTS = {"en": "Latin", "zh": "Chinese characters", "ja": "Japanese", "ko": "Hangul", "other": "its own"}


def lettering_phrase(kit: BrandKit) -> str:
    """What asks a model that draws text well for the brand's banner in the kit's own script. Finishing still
    sets the exact banner on top; triage's OCR reads what the model drew in the raw image."""
    return f'a banner on the float lettered "{kit.display_name}" in {SCRIPTS[kit.language]} script'


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
