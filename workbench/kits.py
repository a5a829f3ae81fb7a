"""Brand kits: `brand_kits/<slug>/brand.yaml` plus a logo (PNG or SVG) and an optional font.

A kit is validated once, at the edge, into a frozen `BrandKit`. Every problem becomes a `KitError`
that names the file, the field and what was expected, so a designer can fix it without reading code.

A kit folder may come from anyone, so nothing in it can crash, leak or mislead: names hold no control
characters, and logos and fonts are size-checked before they are decoded.

    >>> report = load_kits("brand_kits")
    >>> kit = report.kits["lotus-tea"]
    >>> kit.palette.primary.rgb
    (31, 110, 90)
"""

from __future__ import annotations

import base64
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Annotated, Literal

import yaml
from PIL import Image, UnidentifiedImageError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from workbench.errors import InputError, explain_validation

# Matched with fullmatch: '$' also matches before a trailing newline, so 'lotus-tea\n' got through.
SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
LOGO_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".webp")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
RASTER_FORMATS = ("PNG", "JPEG", "MPO", "WEBP")  # what Pillow may decode a logo as (never EPS, PSD, ...)

# Limits, all checked before a pixel is decoded. Logos are drawn at a few hundred px at most.
LOGO_MAX_BYTES = 20 * 1024 * 1024
LOGO_MAX_SIDE = 4096  # px a side of a raster logo (16.7 MP): 12000x12000 cost 6.4 GB and 21 s a concept
LOGO_WORKING_SIDE = 1024  # larger raster logos are downscaled once, at load
FONT_MAX_BYTES = 50 * 1024 * 1024  # Noto Sans CJK, a big font, is 20 MB
# Besides the C0/C1 controls and line separators: bidi embeddings, overrides and isolates, which make
# a terminal or a banner show text in another order than it is stored.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MotifShape = Literal[
    "flower", "leaf", "star", "circle", "heart", "diamond", "bolt", "wave", "swirl", "lantern", "cloud", "ribbon"
]


class KitError(InputError):
    """A problem with one brand kit, naming the file and the field."""


def _check_slug(value: str) -> str:
    if not SLUG_PATTERN.fullmatch(value):
        raise ValueError(
            "expected a slug of lowercase letters, digits and '-' (no '/', '\\', '..' or spaces), "
            f"got {value!r}"
        )
    return value


def _check_colour(value: str) -> str:
    if not HEX_COLOUR.fullmatch(value):
        raise ValueError(f"expected a hex colour like '#1F6E5A', got {value!r}")
    return value.upper()


def _check_plain_file_name(value: str) -> str:
    if Path(value).name != value or value in {"", ".", ".."}:
        raise ValueError(f"expected a file name inside the kit folder (no folders or '..'), got {value!r}")
    return _check_no_control_characters(value)


def _check_no_control_characters(value: str) -> str:
    """Refuse text a terminal would obey (escape sequences) or a one-line banner would cut (line breaks)."""
    for character in value:
        if _is_control_character(character):
            raise ValueError(f"control character U+{ord(character):04X} is not allowed")
    return value


def _is_control_character(character: str) -> bool:
    # Cc: C0 and C1 controls (ESC, newline, tab, DEL...); Zl, Zp: line and paragraph separators.
    return unicodedata.category(character) in ("Cc", "Zl", "Zp") or character in BIDI_CONTROLS


def _printable(text: str) -> str:
    """`text` with each control character written as an escape, for messages about hostile input."""
    return "".join(ascii(c)[1:-1] if _is_control_character(c) else c for c in text)


Slug = Annotated[str, AfterValidator(_check_slug)]
HexColour = Annotated[str, AfterValidator(_check_colour)]
KitFileName = Annotated[str, AfterValidator(_check_plain_file_name)]
OneLineText = Annotated[str, AfterValidator(_check_no_control_characters)]


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


class Palette(BaseModel):
    """The brand's colours by role."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    primary: HexColour
    secondary: HexColour
    accent: HexColour
    background: HexColour

    def rgb(self, role: str) -> tuple[int, int, int]:
        return hex_to_rgb(getattr(self, role))


class BrandKit(BaseModel):
    """One brand's identity, as the designer wrote it in brand.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    slug: Slug
    display_name: OneLineText = Field(min_length=1, max_length=80)
    latin_name: OneLineText | None = None
    category: OneLineText = Field(min_length=1)
    language: Literal["en", "zh", "ja", "ko", "other"] = "en"
    tagline: OneLineText = ""
    palette: Palette
    logo: KitFileName
    font: KitFileName | None = None
    motifs: list[OneLineText] = Field(min_length=1)
    motif_shapes: list[MotifShape] = Field(default_factory=lambda: ["star", "circle"], min_length=1)
    style_words: list[OneLineText] = Field(default_factory=list)
    negative_words: list[OneLineText] = Field(default_factory=list)
    # Set by the loader, not by the YAML.
    folder: Path = Field(default=Path("."), exclude=True)

    @property
    def name_for_prompts(self) -> str:
        return self.latin_name or self.display_name

    @property
    def logo_path(self) -> Path:
        return self.folder / self.logo

    @property
    def font_path(self) -> Path | None:
        return self.folder / self.font if self.font else None

    @property
    def yaml_path(self) -> Path:
        return self.folder / "brand.yaml"

    def logo_image(self) -> Image.Image:
        """The logo as straight-alpha RGBA at its native size (SVGs rasterised at 512 px)."""
        return _logo_cache(self.logo_path)


@dataclass
class KitLoadReport:
    """Every kit that loaded, and every problem found, so one bad kit never hides the others."""

    root: Path
    kits: dict[str, BrandKit] = field(default_factory=dict)
    errors: list[KitError] = field(default_factory=list)

    def _repr_html_(self) -> str:
        """In a notebook: a card per kit (logo, names, palette) and a table of the problems."""
        cards = "".join(_kit_card_html(kit) for kit in self.kits.values())
        rows = "".join(
            f"<tr><td>{escape(str(e.file))}</td><td><code>{escape(e.field)}</code></td><td>{escape(e.message)}</td></tr>"
            for e in self.errors
        )
        problems = (f"<table><tr><th>file</th><th>field</th><th>problem</th></tr>{rows}</table>"
                    if rows else "<p>No problems found.</p>")
        summary = f"<p>{len(self.kits)} valid kits, {len(self.errors)} with problems, in <code>{escape(str(self.root))}</code></p>"
        return f'{summary}{problems}<div style="display:flex;flex-wrap:wrap;gap:14px">{cards}</div>'

    def select(self, slugs: list[str] | None) -> list[BrandKit]:
        """The kits asked for, in order; an unknown or broken slug raises a KitError naming it.
        With no slugs, every valid kit, and a warning for each broken one."""
        if not slugs:
            for error in self.errors:
                warnings.warn(f"skipping kit: {error}", stacklevel=2)
            return list(self.kits.values())
        chosen = []
        for slug in slugs:
            if slug in self.kits:
                chosen.append(self.kits[slug])
                continue
            broken = [e for e in self.errors if e.file.parent.name == slug]
            if broken:
                raise broken[0]
            known = ", ".join(sorted(self.kits)) or "none"
            raise KitError(self.root / slug, "brand", f"unknown brand {slug!r}; known brands: {known}")
        return chosen


def _kit_card_html(kit: BrandKit) -> str:
    logo = kit.logo_image()
    logo.thumbnail((144, 72))
    buffer = io.BytesIO()
    logo.save(buffer, format="PNG")
    logo_uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    swatches = "".join(
        f'<span title="{role} {getattr(kit.palette, role)}" style="display:inline-block;width:20px;height:20px;'
        f'border-radius:50%;margin-right:6px;border:1px solid #ddd;background:{getattr(kit.palette, role)}"></span>'
        for role in ("primary", "secondary", "accent", "background")
    )
    latin = kit.latin_name if kit.latin_name and kit.latin_name != kit.display_name else ""
    return (
        '<div style="width:220px;border-radius:10px;overflow:hidden;background:#fff;color:#222;border:1px solid #e6e4de">'
        f'<div style="background:{kit.palette.background};padding:14px"><img src="{logo_uri}" style="height:72px"></div>'
        f'<div style="padding:10px 14px 14px"><div style="font-size:18px;font-weight:700">{escape(kit.display_name)}</div>'
        f'<div style="color:#888;font-size:12px">{escape(latin)}</div>'
        f'<div style="color:#888;font-size:12px">{escape(kit.category)} · <code>{kit.slug}</code></div>'
        f'<div style="margin-top:10px">{swatches}</div></div></div>'
    )


def load_kits(root: Path | str) -> KitLoadReport:
    """Load every `<root>/<slug>/brand.yaml`; folders starting with '_' or '.' are skipped."""
    root = Path(root)
    report = KitLoadReport(root)
    if not root.is_dir():
        report.errors.append(KitError(root, "folder", "brand kit folder not found"))
        return report
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        try:
            kit = load_kit(folder)
        except KitError as error:
            report.errors.append(error)
        except OSError as error:  # an unreadable file (permissions, a vanished folder) is that kit's problem
            file = Path(error.filename) if error.filename else folder
            report.errors.append(KitError(file, "file", f"cannot read ({error.strerror or error})"))
        else:
            report.kits[kit.slug] = kit
    return report


def load_kit(folder: Path | str) -> BrandKit:
    """Load and fully check one kit folder, logo and font included."""
    folder = Path(folder)
    yaml_path = folder / "brand.yaml"
    data = _read_yaml(yaml_path)
    try:
        kit = BrandKit.model_validate({**data, "folder": folder})
    except ValidationError as error:
        where, message = explain_validation(error.errors()[0])
        # A field name is the designer's own text (an unknown key): never send its escapes to a terminal.
        raise KitError(yaml_path, _printable(where), _printable(message)) from None
    if kit.slug != folder.name:
        raise KitError(yaml_path, "slug", f"must equal the folder name {folder.name!r}, got {kit.slug!r}")
    _check_logo(kit)
    _check_font(kit)
    return kit


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise KitError(path, "file", "brand.yaml not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise KitError(path, "file", "expected UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(error, "problem", None) or str(error)
        raise KitError(path, where, f"malformed YAML: {problem}") from None
    if not isinstance(data, dict):
        raise KitError(path, "(top level)", f"expected a mapping of fields, got {type(data).__name__}")
    return data


def _check_logo(kit: BrandKit) -> None:
    path = kit.logo_path
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise KitError(kit.yaml_path, "logo", f"expected one of {', '.join(LOGO_SUFFIXES)}, got {path.name!r}")
    if not path.is_file():
        raise KitError(kit.yaml_path, "logo", f"logo file not found: {path}")
    _check_inside_kit(kit, path, "logo")
    try:
        image = _logo_cache(path)  # decoded once per process: the kit's later logo_image() calls reuse it
    except KitError as error:
        raise KitError(kit.yaml_path, "logo", f"{path.name}: {error.message}") from None
    alpha = image.getchannel("A")
    if alpha.getbbox() is None:
        raise KitError(kit.yaml_path, "logo", f"{path.name} is fully transparent")


def _check_font(kit: BrandKit) -> None:
    path = kit.font_path
    if path is None:
        return
    if path.suffix.lower() not in FONT_SUFFIXES or not path.is_file():
        raise KitError(kit.yaml_path, "font", f"expected a .ttf/.otf/.ttc file in the kit folder, got {path.name!r}")
    _check_inside_kit(kit, path, "font")
    size = path.stat().st_size
    if size > FONT_MAX_BYTES:
        raise KitError(kit.yaml_path, "font", f"{path.name} is {_megabytes(size)}; a font may be at most "
                                              f"{_megabytes(FONT_MAX_BYTES)}")
    from PIL import ImageFont

    try:
        ImageFont.truetype(str(path), 24)
    except OSError as error:
        raise KitError(kit.yaml_path, "font", f"{path.name} is not a readable font ({error})") from None


def _check_inside_kit(kit: BrandKit, path: Path, field_name: str) -> None:
    """The file named in brand.yaml must really be in the kit folder, not a link to a file elsewhere."""
    if not path.resolve().is_relative_to(kit.folder.resolve()):
        raise KitError(kit.yaml_path, field_name, f"{path.name} is a link to a file outside the kit folder")


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:.0f} MB"


def read_logo(path: Path) -> Image.Image:
    """Read a logo file into 8-bit straight-alpha RGBA, at most LOGO_WORKING_SIDE px a side.

    Accepts PNG (8- or 16-bit, palette, grey), JPEG (RGB or CMYK, made opaque), WebP and SVG
    (rasterised at 512 px on the long side). Every limit is checked before anything is decoded. Raises
    KitError(field='logo') when the file is too big, unsafe or cannot be decoded.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise KitError(path, "logo", f"cannot read the file ({error.strerror or error})") from None
    if size > LOGO_MAX_BYTES:
        raise KitError(path, "logo", f"the file is {_megabytes(size)}; a logo may be at most "
                                     f"{_megabytes(LOGO_MAX_BYTES)}")
    if path.suffix.lower() == ".svg":
        return _rasterise_svg(path)
    return _downscaled(_read_raster_logo(path))


def _read_raster_logo(path: Path) -> Image.Image:
    """Decode a PNG, JPEG or WebP logo, once its header has shown a size within LOGO_MAX_SIDE."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own, lower limit follows
            source = Image.open(path, formats=RASTER_FORMATS)
    except Image.DecompressionBombError:
        raise KitError(path, "logo", f"declares far more than {LOGO_MAX_SIDE}x{LOGO_MAX_SIDE} pixels; "
                                     f"use one of at most {LOGO_MAX_SIDE} px a side") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise KitError(path, "logo", f"cannot decode image ({error})") from None
    with source:
        _check_pixel_size(path, source.size)
        try:
            source.load()
            image = source
            if image.mode in ("I;16", "I;16B", "I;16L", "I"):
                # 16-bit greyscale: scale to 8 bits rather than letting Pillow clip at 255.
                image = image.point(lambda v: v / 257).convert("L")
            if image.mode == "CMYK":
                image = image.convert("RGB")
            return image.convert("RGBA")
        except (OSError, SyntaxError, ValueError) as error:
            raise KitError(path, "logo", f"cannot decode image ({error})") from None


def _check_pixel_size(path: Path, size: tuple[int, int]) -> None:
    width, height = size
    if max(width, height) > LOGO_MAX_SIDE:
        raise KitError(path, "logo", f"logo is {width}x{height} pixels; use one of at most {LOGO_MAX_SIDE} px a side")


def _downscaled(image: Image.Image) -> Image.Image:
    """The logo at most LOGO_WORKING_SIDE px a side: it is drawn at a few hundred px, so resampling a
    bigger one for every concept and frame would only cost time and memory."""
    scale = LOGO_WORKING_SIDE / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.LANCZOS)  # Pillow resizes RGBA premultiplied: no dark fringes


def _rasterise_svg(path: Path, long_side: int = 512) -> Image.Image:
    import resvg_py

    try:
        svg = path.read_text(encoding="utf-8")
        probe = _svg_to_image(resvg_py, svg, None)
        scale = long_side / max(probe.size)
        return _svg_to_image(resvg_py, svg, scale)
    except Exception as error:  # resvg raises plain exceptions on bad XML
        raise KitError(path, "logo", f"cannot render SVG ({error})") from None


def _svg_to_image(resvg_py, svg: str, scale: float | None) -> Image.Image:
    data = resvg_py.svg_to_bytes(svg_string=svg, zoom=scale) if scale else resvg_py.svg_to_bytes(svg_string=svg)
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


class _LogoCache:
    """Decoded logos by path and modification time: kits are frozen, files may change between runs."""

    def __init__(self):
        self._images: dict[tuple[Path, float], Image.Image] = {}

    def __call__(self, path: Path) -> Image.Image:
        key = (path.resolve(), path.stat().st_mtime)
        if key not in self._images:
            self._images[key] = read_logo(path)
        return self._images[key].copy()


_logo_cache = _LogoCache()
