"""A draft kit from one logo (`workbench kits new`): palette roles from the logo's own colours.

1. The logo is read with the kits' own reader (size limits, the safe SVG path), so a hostile file is
   refused here exactly as `kits validate` would refuse it.
2. A JPEG has no transparency: its flat background (the colour all along its border) is removed by a
   flood from the border, within a CIEDE2000 tolerance, with a soft edge whose colour is freed of the
   background's. PNG, WebP and SVG logos stay exact: an SVG is copied byte for byte, a raster only
   cropped to its visible pixels.
3. The opaque pixels are clustered in CIELAB (k-means, deterministic); each cluster's colour is its
   members' median, so anti-aliased edges and JPEG noise do not pull it off the drawn colour.
4. Roles: the primary is the largest chromatic cluster; the secondary the cluster that reads best
   against it; the accent the most vivid of the rest; the background a near-white of the logo, or a
   light tint of the primary, made light enough that the darkest palette colour reads on it as text
   (WCAG contrast at least 4.5). Roles the logo cannot give are tints or the primary's complement.

    >>> draft = draft_from_logo("lotus-tea", Path("lotus.jpg"), name="莲心茶坊", category="tea house")
    >>> draft.fields["palette"]["primary"]
    '#1F6E5A'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from workbench.colours import RGB, contrast, darker, lighter, luminance
from workbench.kits import KitError, check_kit_data, read_logo
from workbench.i18n import _
from workbench.onboarding.suggestions import NEGATIVE_WORDS, suggest
from workbench.onboarding.writer import KitDraft, LogoSource
from workbench.typography import is_han

JPEG_SUFFIXES = (".jpg", ".jpeg")
BACKGROUND_TOLERANCE = 10.0  # CIEDE2000 from the border colour that is still background
SOFT_EDGE = 10.0  # beyond the tolerance, this much more CIEDE2000 fades from background to logo
FLAT_BORDER_SHARE = 0.9  # share of border pixels near the border colour for it to count as flat
TRIM_MARGIN = 0.02  # of the longer side, kept around the visible pixels
CLUSTERS = 6
SAMPLE_PIXELS = 40_000
SAME_COLOUR = 6.0  # CIEDE2000 under which two clusters are one colour
DISTINCT = 12.0  # CIEDE2000 from which a colour is another role, not a shade of one
CHROMATIC = 12.0  # LCh chroma from which a colour counts as a colour, not a grey
TEXT_CONTRAST = 4.5


@dataclass(frozen=True)
class LogoColour:
    rgb: RGB
    lab: tuple[float, float, float]
    share: float  # of the logo's opaque pixels

    @property
    def chroma(self) -> float:
        return math.hypot(self.lab[1], self.lab[2])

    @property
    def hex(self) -> str:
        return "#{:02X}{:02X}{:02X}".format(*self.rgb)


@dataclass(frozen=True)
class PreparedLogo:
    """The logo as the kit will hold it, and its pixels for the palette."""

    source: LogoSource
    image: Image.Image  # RGBA, as drawn
    notes: tuple[str, ...] = ()


# Logo ----------------------------------------------------------------------------------------------


def prepare_logo(path: Path, error_file: Path | None = None, error_field: str = "logo") -> PreparedLogo:
    """Read a logo file for a new kit; a KitError names `error_file` (default the logo) and the field."""
    path = Path(path)
    try:
        image = read_logo(path)
    except KitError as error:
        raise KitError(error_file or path, error_field, _("{name}: {problem}").format(name=path.name, problem=error.message)) from None
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return PreparedLogo(LogoSource("logo.svg", copy_from=path), image)
    if suffix in JPEG_SUFFIXES:
        cut, removed = remove_flat_background(image)
        trimmed = trim(cut)
        note = (_("flat background removed") if removed else
                _("the border is not one flat colour: background kept (use a PNG with transparency)"))
        return PreparedLogo(LogoSource("logo.png", image=trimmed), trimmed,
                            (_("{name}: {problem}").format(name=path.name, problem=note),))
    if image.getchannel("A").getbbox() is None:
        raise KitError(error_file or path, error_field, _("{name} is fully transparent").format(name=path.name))
    trimmed = trim(image)
    if trimmed.size == image.size and suffix == ".png":
        return PreparedLogo(LogoSource("logo.png", copy_from=path), image)
    return PreparedLogo(LogoSource("logo.png", image=trimmed), trimmed)  # pixels exact, only cropped


def trim(image: Image.Image) -> Image.Image:
    """Cropped to its visible pixels plus a small margin (pixel values untouched)."""
    box = image.getchannel("A").point(lambda a: 255 if a >= 8 else 0).getbbox()
    if box is None:
        return image
    margin = round(TRIM_MARGIN * max(image.size))
    left, top, right, bottom = box
    box = (max(0, left - margin), max(0, top - margin), min(image.width, right + margin),
           min(image.height, bottom + margin))
    return image.crop(box) if box != (0, 0, *image.size) else image


def remove_flat_background(image: Image.Image) -> tuple[Image.Image, bool]:
    """The image with its flat border colour made transparent by a flood from the border; (image,
    False) unchanged when the border is not one flat colour (a photo, a logo on a gradient)."""
    from scipy import ndimage
    from skimage.color import deltaE_ciede2000, rgb2lab

    rgb = np.asarray(image.convert("RGB"), dtype=np.float64) / 255
    lab = rgb2lab(rgb)
    border = np.concatenate([lab[0], lab[-1], lab[1:-1, 0], lab[1:-1, -1]])
    background = np.median(border, axis=0)
    if np.mean(deltaE_ciede2000(border, background[None, :]) < BACKGROUND_TOLERANCE) < FLAT_BORDER_SHARE:
        return image, False
    distance = deltaE_ciede2000(lab, background[None, None, :])
    near = distance < BACKGROUND_TOLERANCE + SOFT_EDGE
    regions, _count = ndimage.label(near)
    touching = np.unique(np.concatenate([regions[0], regions[-1], regions[:, 0], regions[:, -1]]))
    flooded = np.isin(regions, touching[touching > 0])
    opacity = np.where(flooded, np.clip((distance - BACKGROUND_TOLERANCE) / SOFT_EDGE, 0, 1), 1.0)
    # An edge pixel is logo over background: take the background's share out of its colour.
    background_rgb = np.median(np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]]), axis=0)
    safe = np.maximum(opacity, 1e-6)[..., None]
    freed = np.clip((rgb - (1 - opacity[..., None]) * background_rgb) / safe, 0, 1)
    colour = np.where((opacity > 0)[..., None] & (opacity < 1)[..., None], freed, rgb)
    rgba = np.dstack([np.round(colour * 255), np.round(opacity * 255)]).astype(np.uint8)
    return Image.fromarray(rgba), True  # (h, w, 4) uint8: RGBA


# Colours -------------------------------------------------------------------------------------------


def logo_colours(image: Image.Image, clusters: int = CLUSTERS) -> list[LogoColour]:
    """The logo's main colours, largest share first (k-means in CIELAB over its opaque pixels)."""
    from skimage.color import deltaE_ciede2000, lab2rgb, rgb2lab

    pixels = np.asarray(image.convert("RGBA"))
    opaque = pixels[pixels[..., 3] >= 200][:, :3]
    if len(opaque) == 0:
        opaque = pixels[pixels[..., 3] > 0][:, :3]
    if len(opaque) == 0:
        return []
    step = max(1, len(opaque) // SAMPLE_PIXELS)
    lab = rgb2lab(opaque[::step][None, :, :].astype(np.float64) / 255)[0]
    labels = _kmeans(lab, min(clusters, len(np.unique(opaque[::step], axis=0))))
    found = []
    for label in np.unique(labels):
        members = lab[labels == label]
        found.append((np.median(members, axis=0), len(members)))
    merged: list[list] = []  # [lab, count]
    for centre, count in sorted(found, key=lambda item: -item[1]):
        for group in merged:
            if deltaE_ciede2000(group[0], centre) < SAME_COLOUR:
                group[1] += count
                break
        else:
            merged.append([centre, count])
    total = sum(count for _, count in merged)
    colours = []
    for centre, count in merged:
        rgb = np.clip(np.round(lab2rgb(centre[None, None, :])[0, 0] * 255), 0, 255).astype(int)
        colours.append(LogoColour(tuple(int(v) for v in rgb), tuple(float(v) for v in centre), count / total))
    return colours


def _kmeans(points: np.ndarray, clusters: int, rounds: int = 25) -> np.ndarray:
    """Cluster labels for `points` (k-means++ seeded with a fixed generator: the same logo, the same palette)."""
    rng = np.random.default_rng(0)
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, clusters):
        distance = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0)
        if distance.sum() == 0:
            break
        centres.append(points[rng.choice(len(points), p=distance / distance.sum())])
    centres = np.array(centres)
    labels = np.zeros(len(points), dtype=int)
    for _ in range(rounds):
        labels = np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        moved = np.array([points[labels == i].mean(axis=0) if np.any(labels == i) else centres[i]
                          for i in range(len(centres))])
        if np.allclose(moved, centres):
            break
        centres = moved
    return labels


def palette_roles(colours: list[LogoColour]) -> dict[str, str]:
    """primary, secondary, accent and background as hex, chosen for contrast (see the module's notes)."""
    from skimage.color import deltaE_ciede2000

    def apart(a: LogoColour, b: LogoColour) -> float:
        return float(deltaE_ciede2000(np.array(a.lab), np.array(b.lab)))

    if not colours:
        raise ValueError("the logo has no visible pixels")
    near_white = [c for c in colours if c.lab[0] >= 94 and c.chroma < 10]
    inked = [c for c in colours if c not in near_white] or colours
    chromatic = [c for c in inked if c.chroma >= CHROMATIC and c.share >= 0.03]
    primary = max(chromatic or inked, key=lambda c: c.share)
    rest = [c for c in inked if c is not primary and apart(c, primary) >= DISTINCT]
    secondary_rgb = _secondary(primary, rest)
    rest = [c for c in rest if c.rgb != secondary_rgb]
    vivid = [c for c in rest if c.chroma >= CHROMATIC and c.share >= 0.02]
    accent_rgb = (max(vivid, key=lambda c: c.chroma * math.sqrt(c.share)).rgb if vivid else _complement(primary))
    background = near_white[0].rgb if near_white else lighter(primary.rgb, 0.92)
    text = min((primary.rgb, secondary_rgb, accent_rgb), key=luminance)
    for step in range(20):  # lighter until the darkest palette colour reads on it as text
        if contrast(background, text) >= TEXT_CONTRAST or background == (255, 255, 255):
            break
        background = lighter(background, 0.35)
    return {"primary": primary.hex, "secondary": _hex(secondary_rgb), "accent": _hex(accent_rgb),
            "background": _hex(background)}


def _secondary(primary: LogoColour, rest: list[LogoColour]) -> RGB:
    """The logo colour that reads best against the primary (weighted by how much of the logo it is);
    without one, a tint or shade of the primary that does."""
    scored = [(c.share ** 0.5 * min(contrast(c.rgb, primary.rgb), TEXT_CONTRAST), c) for c in rest
              if c.share >= 0.02]
    if scored:
        best = max(scored, key=lambda item: item[0])[1]
        if contrast(best.rgb, primary.rgb) >= 2.0:
            return best.rgb
    dark = contrast(primary.rgb, (255, 255, 255)) >= contrast(primary.rgb, (0, 0, 0))
    return lighter(primary.rgb, 0.8) if dark else darker(primary.rgb, 0.65)


def _complement(primary: LogoColour) -> RGB:
    """The primary's opposite hue in LCh, vivid and mid-light."""
    from skimage.color import lab2rgb

    lightness, a, b = primary.lab
    chroma = max(45.0, primary.chroma)
    hue = math.atan2(b, a) + math.pi
    lab = np.array([[[60.0, chroma * math.cos(hue), chroma * math.sin(hue)]]])
    return tuple(int(v) for v in np.clip(np.round(lab2rgb(lab)[0, 0] * 255), 0, 255))


def _hex(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


# The draft -----------------------------------------------------------------------------------------


def draft_fields(slug: str, palette: dict[str, str], *, name: str | None = None, latin_name: str | None = None,
                 category: str = "brand", language: str | None = None, tagline: str = "",
                 logo_file: str = "logo.png", motifs: list[str] | None = None,
                 motif_shapes: list[str] | None = None, style_words: list[str] | None = None,
                 negative_words: list[str] | None = None) -> dict:
    """brand.yaml's fields for a draft: what is given, the rest suggested from the category."""
    suggestion = suggest(category)
    display_name = name or latin_name or slug.replace("-", " ").title()
    return {
        "slug": slug, "display_name": display_name, "latin_name": latin_name, "category": category,
        "language": language or ("zh" if any(map(is_han, display_name)) else "en"), "tagline": tagline,
        "palette": palette, "logo": logo_file,
        "motifs": motifs or list(suggestion.motifs),
        "motif_shapes": motif_shapes or list(suggestion.motif_shapes),
        "style_words": style_words if style_words is not None else list(suggestion.style_words),
        "negative_words": negative_words if negative_words is not None else list(NEGATIVE_WORDS),
    }


def draft_from_logo(slug: str, logo: Path, into: Path = Path("brand_kits"), *, palette: dict[str, str] | None = None,
                    comments: tuple[str, ...] = (), **fields) -> KitDraft:
    """A checked draft kit from one logo; `palette` roles given win over the logo's. Raises the first
    KitError (named as `<into>/<slug>/brand.yaml`, the way `kits validate` will name it)."""
    yaml_path = Path(into) / slug / "brand.yaml"
    prepared = prepare_logo(logo, error_file=yaml_path)
    derived = palette_roles(logo_colours(prepared.image))
    chosen = {**derived, **(palette or {})}
    data = draft_fields(slug, chosen, logo_file=prepared.source.file_name, **fields)
    kit, problems = check_kit_data(data, Path(into) / slug)
    if problems:
        raise problems[0]
    from_logo = [role for role in chosen if role not in (palette or {})]
    lines = list(comments) or [f"Draft kit from the logo {Path(logo).name}: check every field before the campaign uses it."]
    if from_logo:
        lines.append(f"palette {', '.join(from_logo)}: from the logo's colours (CIELAB clusters).")
    if not fields.get("motifs"):
        lines.append(f"motifs, motif_shapes, style_words: suggested from the category {data['category']!r}.")
    return KitDraft(data, prepared.source, tuple(lines), prepared.notes)
