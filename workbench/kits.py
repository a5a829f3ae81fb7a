"""Brand kits: `brand_kits/<slug>/brand.yaml` plus a logo (PNG or SVG) and an optional font.

A kit is validated once, at the edge, into a frozen `BrandKit`. Every problem becomes a `KitError`
that names the file, the field and what was expected, so a designer can fix it without reading code.

A kit folder may come from anyone, so nothing in it can crash, leak or mislead: names hold no control
characters, logos and fonts are size-checked before they are decoded, SVG logos are read by a safe
parser first (nesting depth, canvas size, no references outside the file) and rasterised by resvg in a
short-lived subprocess, so a renderer crash is that kit's problem, never the process's.

    >>> report = load_kits("brand_kits")
    >>> kit = report.kits["lotus-tea"]
    >>> kit.palette.rgb("primary")
    (31, 110, 90)
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import re
import signal
import subprocess
import sys
import unicodedata
import warnings
import xml.parsers.expat
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Annotated, Literal

from PIL import Image, UnidentifiedImageError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbench.errors import InputError, explain_validation
from workbench.i18n import _
from workbench.yamlfile import KIT_FILE_MAX_BYTES, read_yaml_mapping

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
SVG_RASTER_SIDE = 512  # SVG logos are rasterised at this many px on the long side
SVG_MAX_DEPTH = 64  # resvg overflows its stack at about 240 nested elements
SVG_MAX_CANVAS = 16384  # px a side that width/height/viewBox may declare
SVG_RENDER_SECONDS = 20
SVG_RENDER_MEMORY = 2 * 1024**3  # address space of the rasterising subprocess; a 512 px render needs ~1 MB
PRODUCT_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
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
        raise ValueError(_("expected a slug of lowercase letters, digits and '-' (no '/', '\\', '..' or spaces),"
                           " got {value!r}").format(value=value))
    return value


def _check_colour(value: str) -> str:
    if not HEX_COLOUR.fullmatch(value):
        raise ValueError(_("expected a hex colour like '#1F6E5A', got {value!r}").format(value=value))
    return value.upper()


def _check_plain_file_name(value: str) -> str:
    if Path(value).name != value or value in {"", ".", ".."}:
        raise ValueError(_("expected a file name inside the kit folder (no folders or '..'), got {value!r}").format(
            value=value))
    return _check_no_control_characters(value)


def _check_no_control_characters(value: str) -> str:
    """Refuse text a terminal would obey (escape sequences) or a one-line banner would cut (line breaks)."""
    for character in value:
        if _is_control_character(character):
            raise ValueError(_("control character {code} is not allowed").format(code=f"U+{ord(character):04X}"))
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


class Product(BaseModel):
    """A product the brand's float carries: a photo in the kit folder, exact on every float."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: KitFileName
    name: OneLineText = Field(min_length=1, max_length=80)
    placement: Literal["auto", "left", "right"] = "auto"  # the float's front corner; auto: chosen by seed


class Adapter(BaseModel):
    """A LoRA adapter the diffusers backend loads while it makes this brand's concepts: a file in the kit
    folder (as diffusers' save_lora_weights writes it) or a hub repository, at a weight, with the words
    that call it up (added to the prompt)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: KitFileName | None = None
    hub: OneLineText | None = Field(None, description="A hub repository id, e.g. 'owner/brand-lora'.")
    revision: OneLineText | None = None
    weight_name: OneLineText | None = Field(None, description="The weights file in the hub repository.")
    weight: float = Field(1.0, ge=-2, le=2)
    trigger_words: list[OneLineText] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_source(self):
        if (self.file is None) == (self.hub is None):
            raise ValueError(_("an adapter names either a file in the kit folder or a hub id, not both or neither"))
        return self


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
    products: list[Product] = Field(default_factory=list, max_length=8)
    adapters: list[Adapter] = Field(default_factory=list, max_length=4)
    # Set by the loader, not by the YAML.
    folder: Path = Field(default=Path("."), exclude=True)

    @property
    def subtitle(self) -> str:
        """The Latin name shown under the display name (e.g. under a name in another script); empty when
        there is none or it is the display name again. Contact sheet, hand-off and gallery all use it."""
        return self.latin_name if self.latin_name and self.latin_name != self.display_name else ""

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
    def file_paths(self) -> list[Path]:
        """Every file brand.yaml names (logo, font, product photos): what a copy of the kit needs."""
        return [self.logo_path, *([self.font_path] if self.font_path else []),
                *(self.folder / product.file for product in self.products),
                *(self.folder / adapter.file for adapter in self.adapters if adapter.file)]

    @property
    def yaml_path(self) -> Path:
        return self.folder / "brand.yaml"

    def logo_image(self) -> Image.Image:
        """The logo as straight-alpha RGBA at its native size (SVGs rasterised at 512 px)."""
        return _logo_cache(self.logo_path)

    def product_image(self, index: int = 0) -> Image.Image:
        """A product as straight-alpha RGBA cut out and cropped to it (see `read_product`)."""
        return _product_cache(self.folder / self.products[index].file)


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
        header = "".join(f"<th>{escape(name)}</th>" for name in (_("file"), _("field"), _("problem")))
        none_found = _("No problems found.")
        problems = f"<table><tr>{header}</tr>{rows}</table>" if rows else f"<p>{escape(none_found)}</p>"
        summary = escape(_("{valid} valid kits, {invalid} with problems, in {folder}")).format(
            valid=len(self.kits), invalid=len(self.errors), folder=f"<code>{escape(str(self.root))}</code>")
        summary = f"<p>{summary}</p>"
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
            raise KitError(self.root / slug, "brand", _("unknown brand {slug!r}; known brands: {known}").format(
                slug=slug, known=known))
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
    latin = kit.subtitle
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
        report.errors.append(KitError(root, "folder", _("brand kit folder not found")))
        return report
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        try:
            kit = load_kit(folder)
        except KitError as error:
            report.errors.append(error)
        except OSError as error:  # an unreadable file (permissions, a vanished folder) is that kit's problem
            file = Path(error.filename) if error.filename else folder
            report.errors.append(KitError(file, "file", _("cannot read ({error})").format(error=error.strerror or error)))
        else:
            report.kits[kit.slug] = kit
    return report


def load_kit(folder: Path | str) -> BrandKit:
    """Load and fully check one kit folder, logo and font included."""
    folder = Path(folder)
    kit, problems = check_kit_data(_read_yaml(folder / "brand.yaml"), folder)
    if problems:
        raise problems[0]
    check_kit_files(kit)
    return kit


def check_kit_data(data: dict, folder: Path) -> tuple[BrandKit | None, list[KitError]]:
    """The kit that brand.yaml's fields make in `folder`, or every problem with them, each in the words
    `kits validate` prints (its first). Files are not read: see `check_kit_files`. Shared with the
    onboarding imports and the kit editor, which check fields before a brand.yaml exists."""
    folder = Path(folder)
    yaml_path = folder / "brand.yaml"
    try:
        kit = BrandKit.model_validate({**data, "folder": folder})
    except ValidationError as error:
        # A field name is the designer's own text (an unknown key): never send its escapes to a terminal.
        return None, [KitError(yaml_path, _printable(where), _printable(message))
                      for where, message in map(explain_validation, error.errors())]
    if kit.slug != folder.name:
        return None, [KitError(yaml_path, "slug", _("must equal the folder name {folder!r}, got {slug!r}").format(
            folder=folder.name, slug=kit.slug))]
    return kit, []


def check_kit_files(kit: BrandKit) -> None:
    """Check the kit's logo and font files (size limits, safe SVG, decodable); raises a KitError."""
    _check_logo(kit)
    _check_font(kit)
    _check_products(kit)
    _check_adapters(kit)


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise KitError(path, "file", _("brand.yaml not found"))
    return read_yaml_mapping(path, KitError, "kit", KIT_FILE_MAX_BYTES)


def _check_logo(kit: BrandKit) -> None:
    path = kit.logo_path
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise KitError(kit.yaml_path, "logo", _("expected one of {suffixes}, got {name!r}").format(
            suffixes=", ".join(LOGO_SUFFIXES), name=path.name))
    if not path.is_file():
        raise KitError(kit.yaml_path, "logo", _("logo file not found: {path}").format(path=path))
    _check_inside_kit(kit, path, "logo")
    try:
        image = _logo_cache(path)  # decoded once per process: the kit's later logo_image() calls reuse it
    except KitError as error:
        raise KitError(kit.yaml_path, "logo", f"{path.name}: {error.message}") from None
    alpha = image.getchannel("A")
    if alpha.getbbox() is None:
        raise KitError(kit.yaml_path, "logo", _("{name} is fully transparent").format(name=path.name))


def _check_font(kit: BrandKit) -> None:
    path = kit.font_path
    if path is None:
        return
    if path.suffix.lower() not in FONT_SUFFIXES or not path.is_file():
        raise KitError(kit.yaml_path, "font", _("expected a .ttf/.otf/.ttc file in the kit folder, got {name!r}").format(
            name=path.name))
    _check_inside_kit(kit, path, "font")
    size = path.stat().st_size
    if size > FONT_MAX_BYTES:
        raise KitError(kit.yaml_path, "font", _("{name} is {size}; a font may be at most {limit}").format(
            name=path.name, size=_megabytes(size), limit=_megabytes(FONT_MAX_BYTES)))
    from PIL import ImageFont

    try:
        ImageFont.truetype(str(path), 24)
    except OSError as error:
        raise KitError(kit.yaml_path, "font", _("{name} is not a readable font ({error})").format(
            name=path.name, error=error)) from None


def _check_products(kit: BrandKit) -> None:
    for index, product in enumerate(kit.products):
        field_name = f"products.{index}.file"  # as the schema names it
        path = kit.folder / product.file
        if path.suffix.lower() not in PRODUCT_SUFFIXES or not path.is_file():
            raise KitError(kit.yaml_path, field_name, _("expected a {suffixes} file in the kit folder, got {name!r}").format(
                suffixes="/".join(PRODUCT_SUFFIXES), name=product.file))
        _check_inside_kit(kit, path, field_name)
        try:
            _product_cache(path)
        except KitError as error:
            raise KitError(kit.yaml_path, field_name, f"{path.name}: {error.message}") from None


def _check_adapters(kit: BrandKit) -> None:
    for index, adapter in enumerate(kit.adapters):
        if adapter.file is None:
            continue  # a hub adapter is fetched (or found in the cache) by the backend
        field_name = f"adapters.{index}.file"
        path = kit.folder / adapter.file
        if path.suffix.lower() != ".safetensors" or not path.is_file():
            raise KitError(kit.yaml_path, field_name, _("expected a .safetensors file in the kit folder, got {name!r}").format(
                name=adapter.file))
        _check_inside_kit(kit, path, field_name)


def _check_inside_kit(kit: BrandKit, path: Path, field_name: str) -> None:
    """The file named in brand.yaml must really be in the kit folder, not a link to a file elsewhere."""
    if not path.resolve().is_relative_to(kit.folder.resolve()):
        raise KitError(kit.yaml_path, field_name, _("{name} is a link to a file outside the kit folder").format(
            name=path.name))


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
        raise KitError(path, "logo", _("cannot read the file ({error})").format(error=error.strerror or error)) from None
    if size > LOGO_MAX_BYTES:
        raise KitError(path, "logo", _("the file is {size}; a logo may be at most {limit}").format(
            size=_megabytes(size), limit=_megabytes(LOGO_MAX_BYTES)))
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
        raise KitError(path, "logo", _("declares far more than {side}x{side} pixels; use one of at most {side} px a side")
                       .format(side=LOGO_MAX_SIDE)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise KitError(path, "logo", _("cannot decode image ({error})").format(error=error)) from None
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
            raise KitError(path, "logo", _("cannot decode image ({error})").format(error=error)) from None


def _check_pixel_size(path: Path, size: tuple[int, int]) -> None:
    width, height = size
    if max(width, height) > LOGO_MAX_SIDE:
        raise KitError(path, "logo", _("logo is {width}x{height} pixels; use one of at most {side} px a side").format(
            width=width, height=height, side=LOGO_MAX_SIDE))


def _downscaled(image: Image.Image) -> Image.Image:
    """The logo at most LOGO_WORKING_SIDE px a side: it is drawn at a few hundred px, so resampling a
    bigger one for every concept and frame would only cost time and memory."""
    scale = LOGO_WORKING_SIDE / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.LANCZOS)  # Pillow resizes RGBA premultiplied: no dark fringes


# SVG logos -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SvgCanvas:
    """The size an SVG declares for itself, in px, as resvg reads width, height and viewBox."""

    width: float
    height: float

    def rendered_size(self) -> tuple[int, int]:
        """The size resvg renders it at, unzoomed: each side rounded half up."""
        return math.floor(self.width + 0.5), math.floor(self.height + 0.5)


def _rasterise_svg(path: Path, long_side: int = SVG_RASTER_SIDE) -> Image.Image:
    """Check the SVG with a safe parser, then rasterise it in a subprocess at `long_side` px."""
    try:
        svg = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise KitError(path, "logo", "cannot render SVG (expected UTF-8 text)") from None
    except OSError as error:
        raise KitError(path, "logo", f"cannot read the file ({error.strerror or error})") from None
    canvas = inspect_svg(path, svg)
    zoom = long_side / max(canvas.rendered_size())
    png = _render_svg_isolated(path, svg, zoom)
    rendered = _png_size(png)
    if abs(max(rendered) - long_side) > 1:  # 1 px: resvg rounds a fractional canvas's zoomed size
        # resvg read the size differently from inspect_svg: correct the zoom once, from what it drew.
        png = _render_svg_isolated(path, svg, zoom * long_side / max(rendered))
        rendered = _png_size(png)
    if max(rendered) > 2 * long_side:
        raise KitError(path, "logo", f"cannot render SVG (rendered at {rendered[0]}x{rendered[1]} px)")
    return Image.open(io.BytesIO(png)).convert("RGBA")


def _png_size(png: bytes) -> tuple[int, int]:
    """The size in the header of a PNG from the renderer, read without decoding it."""
    with Image.open(io.BytesIO(png)) as image:
        return image.size


# resvg runs in its own short-lived process: a stack overflow (SIGSEGV) or a failed allocation (abort)
# in native code then ends that process, not ours. It gets the SVG on stdin and writes a PNG to stdout.
_RESVG_CHILD = """\
import sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
except (ImportError, ValueError, OSError):
    pass  # no address-space limit on this system; the subprocess still isolates a crash
import resvg_py
svg = sys.stdin.buffer.read().decode("utf-8")
try:
    png = resvg_py.svg_to_bytes(svg_string=svg, zoom=float(sys.argv[1]))
except Exception as error:
    sys.stderr.write(f"{error}\\n")
    sys.exit(3)
sys.stdout.buffer.write(bytes(png))
"""


def _render_svg_isolated(path: Path, svg: str, zoom: float) -> bytes:
    """PNG bytes of the SVG rendered by resvg at `zoom`, in a subprocess with a memory and time limit."""
    command = [sys.executable, "-P", "-c", _RESVG_CHILD, repr(zoom), str(SVG_RENDER_MEMORY)]  # -P: not the cwd on sys.path
    try:
        done = subprocess.run(command, input=svg.encode("utf-8"), capture_output=True, timeout=SVG_RENDER_SECONDS)
    except subprocess.TimeoutExpired:
        raise KitError(path, "logo", f"cannot render SVG (still rendering after {SVG_RENDER_SECONDS} s)") from None
    if done.returncode < 0:
        raise KitError(path, "logo", f"cannot render SVG (the renderer crashed: {_signal_name(-done.returncode)})")
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines() or [f"exit code {done.returncode}"]
        raise KitError(path, "logo", f"cannot render SVG ({_printable(lines[-1])})")
    return done.stdout


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def inspect_svg(path: Path, svg: str) -> SvgCanvas:
    """Read an SVG with expat before resvg sees it, and refuse what could crash, blow up or leak.

    Refused: a DOCTYPE with an internal subset (entities, attribute defaults), elements nested over
    SVG_MAX_DEPTH deep, a canvas over SVG_MAX_CANVAS px a side, and any reference that is not an
    '#id' in the same file or an embedded data: image within the raster limits (an `<image
    href="/any/file.png">` would put that file's pixels in every concept). Returns the canvas size.
    """
    inspector = _SvgInspector(path)
    parser = xml.parsers.expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
    parser.StartDoctypeDeclHandler = inspector.doctype
    parser.EntityDeclHandler = inspector.entity
    parser.StartElementHandler = inspector.start
    parser.EndElementHandler = inspector.end
    try:
        parser.Parse(svg.encode("utf-8"), True)
    except xml.parsers.expat.ExpatError as error:
        raise KitError(path, "logo", f"cannot parse SVG ({xml.parsers.expat.ErrorString(error.code)}: "
                                     f"line {error.lineno}, column {error.offset + 1})") from None
    if inspector.root is None:
        raise KitError(path, "logo", "cannot parse SVG (no <svg> element)")
    return _svg_canvas(path, inspector.root)


class _SvgInspector:
    """expat handlers that check an SVG while it streams by (no tree is built, so depth costs nothing)."""

    def __init__(self, path: Path):
        self.path = path
        self.depth = 0
        self.root: dict[str, str] | None = None  # the root element's attributes, by local name

    def refuse(self, message: str) -> None:
        raise KitError(self.path, "logo", message)

    def doctype(self, name, system_id, public_id, has_internal_subset) -> None:
        # A plain <!DOCTYPE svg PUBLIC ...> (exporters write one) is harmless: expat never fetches it.
        if has_internal_subset:
            self.refuse("a DOCTYPE with declarations ([...]: entities, attribute defaults) is not allowed; "
                        "export the SVG without them")

    def entity(self, name, *_details) -> None:
        self.refuse(f"entity declarations are not allowed (<!ENTITY {_printable(name)}>)")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > SVG_MAX_DEPTH:
            self.refuse(f"elements are nested more than {SVG_MAX_DEPTH} levels deep; flatten the groups")
        tag = _local_name(name)
        if self.root is None:
            if tag != "svg":
                self.refuse(f"expected an <svg> root element, got <{_printable(tag)}>")
            self.root = {_local_name(key): value for key, value in attributes.items()}
        for key, value in attributes.items():
            if _local_name(key) == "href":  # href and xlink:href, whatever the prefix
                self.check_reference(tag, value)

    def end(self, name: str) -> None:
        self.depth -= 1

    def check_reference(self, tag: str, value: str) -> None:
        reference = value.strip()
        if not reference or reference.startswith("#"):
            return  # nothing, or an element of this same file
        if reference[:5].lower() == "data:":
            self.check_embedded_image(tag, reference)
            return
        self.refuse(f"<{_printable(tag)}> refers to {_printable(_shortened(reference))!r}; an SVG logo must be "
                    "self-contained (only '#id' references and embedded data: images)")

    def check_embedded_image(self, tag: str, uri: str) -> None:
        """An embedded raster is decoded by resvg: it gets the same format and pixel limits as a logo."""
        header, _, payload = uri.partition(",")
        if not header.lower().endswith(";base64"):
            self.refuse(f"<{_printable(tag)}> embeds {_printable(_shortened(header))!r}; only base64 "
                        "PNG, JPEG or WebP images may be embedded")
        try:
            data = base64.b64decode(payload)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data), formats=RASTER_FORMATS) as image:
                    size = image.size
        except Image.DecompressionBombError:
            self.refuse(f"<{_printable(tag)}> embeds an image declaring far more than {LOGO_MAX_SIDE}x"
                        f"{LOGO_MAX_SIDE} pixels; use one of at most {LOGO_MAX_SIDE} px a side")
        except (binascii.Error, UnidentifiedImageError, OSError, SyntaxError, ValueError):
            self.refuse(f"<{_printable(tag)}> embeds data that is not a PNG, JPEG or WebP image "
                        "(SVG inside SVG is not allowed)")
        if max(size) > LOGO_MAX_SIDE:
            self.refuse(f"<{_printable(tag)}> embeds an image of {size[0]}x{size[1]} pixels; "
                        f"use one of at most {LOGO_MAX_SIDE} px a side")


def _local_name(name: str) -> str:
    """'http://www.w3.org/1999/xlink href' (expat's namespaced name) -> 'href'."""
    return name.rpartition(" ")[2]


def _shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_SVG_LENGTH = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(px|em|ex|%)?")
_PX_PER_UNIT = {None: 1.0, "px": 1.0, "em": 16.0, "ex": 8.0}  # resvg's default font size is 16 px


def _svg_canvas(path: Path, root: dict[str, str]) -> SvgCanvas:
    """The canvas size from the root's width, height and viewBox, the way resvg works it out.

    With a viewBox, a missing width or height follows the viewBox's aspect and a percentage is of the
    viewBox; without one, both must be lengths (resvg would otherwise size the SVG by its content,
    which cannot be known before rendering).
    """
    view_box = _svg_view_box(path, root.get("viewBox"))
    width = _svg_length(path, "width", root.get("width"))
    height = _svg_length(path, "height", root.get("height"))
    if view_box is None:
        if width is None or height is None or "%" in (width[1], height[1]):
            raise KitError(path, "logo", "an SVG logo needs a viewBox, or a width and height in px")
        size = (width[0] * _PX_PER_UNIT[width[1]], height[0] * _PX_PER_UNIT[height[1]])
    else:
        box_width, box_height = view_box
        resolved_width = _resolve_svg_length(width, box_width)
        resolved_height = _resolve_svg_length(height, box_height)
        if resolved_width is None and resolved_height is None:
            size = (box_width, box_height)
        elif resolved_height is None:
            size = (resolved_width, resolved_width * box_height / box_width)
        elif resolved_width is None:
            size = (resolved_height * box_width / box_height, resolved_height)
        else:
            size = (resolved_width, resolved_height)
    canvas = SvgCanvas(*size)
    shown = f"{canvas.width:g}x{canvas.height:g}"
    if not all(math.isfinite(side) and side > 0 for side in size) or min(canvas.rendered_size()) < 1:
        raise KitError(path, "logo", f"width/height/viewBox declare a {shown} canvas; each side must be at least 1 px")
    if max(size) > SVG_MAX_CANVAS:
        raise KitError(path, "logo", f"width/height/viewBox declare a {shown} px canvas; "
                                     f"use one of at most {SVG_MAX_CANVAS} px a side")
    return canvas


def _svg_length(path: Path, name: str, value: str | None) -> tuple[float, str | None] | None:
    """(number, unit) of a width or height attribute; None when it is absent."""
    if value is None:
        return None
    match = _SVG_LENGTH.fullmatch(value)
    if not match:
        raise KitError(path, "logo", f"the <svg> {name} {_printable(_shortened(value))!r} is not a length "
                                     "(a number in px, em, ex or %)")
    return float(match[1]), match[2]


def _resolve_svg_length(length: tuple[float, str | None] | None, of_view_box: float) -> float | None:
    if length is None:
        return None
    number, unit = length
    return number / 100 * of_view_box if unit == "%" else number * _PX_PER_UNIT[unit]


def _svg_view_box(path: Path, value: str | None) -> tuple[float, float] | None:
    """(width, height) of a viewBox; None when absent or not usable, as resvg ignores such a viewBox."""
    if value is None:
        return None
    try:
        numbers = [float(part) for part in re.split(r"[\s,]+", value.strip())]
    except ValueError:
        raise KitError(path, "logo", f"the <svg> viewBox {_printable(_shortened(value))!r} is not four numbers") from None
    if len(numbers) < 4 or not all(math.isfinite(n) for n in numbers):
        raise KitError(path, "logo", f"the <svg> viewBox {_printable(_shortened(value))!r} is not four numbers")
    _x, _y, width, height = numbers[:4]
    return (width, height) if width > 0 and height > 0 else None


class _ImageCache:
    """Decoded kit images by path and modification time: kits are frozen, files may change between runs."""

    def __init__(self, read):
        self._read = read
        self._images: dict[tuple[Path, float], Image.Image] = {}

    def __call__(self, path: Path) -> Image.Image:
        key = (path.resolve(), path.stat().st_mtime)
        if key not in self._images:
            self._images[key] = self._read(path)
        return self._images[key].copy()


def read_product(path: Path) -> Image.Image:
    """A product photo as straight-alpha RGBA, cropped to the product: read with the logo's limits, and
    cut out of a plain background when it has no transparency. KitError(field='file') when it cannot be."""
    from workbench.onboarding.logo_palette import remove_flat_background, trim

    try:
        image = read_logo(path)
    except KitError as error:
        raise KitError(path, "file", error.message) from None
    if image.getchannel("A").getextrema()[0] == 255:  # opaque: a photo on a plain background
        image, removed = remove_flat_background(image)
        if not removed:
            raise KitError(path, "file", _("the photo has no transparency and its background is not one plain "
                                           "colour, so the product cannot be cut out cleanly; use a PNG with "
                                           "transparency or a photo on a plain background"))
    if image.getchannel("A").point(lambda a: 255 if a >= 128 else 0).getbbox() is None:
        raise KitError(path, "file", _("nothing is left of the product once its background is removed"))
    return trim(image)


_logo_cache = _ImageCache(read_logo)
_product_cache = _ImageCache(read_product)
