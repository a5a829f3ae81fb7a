"""Small, cached previews of concept images, for widgets and contact sheets.

A thumbnail is a square PNG with the float's transparency flattened onto a backdrop: the brand's
background colour when given, else a soft checkerboard (so a designer can still see what is
transparent). The file name carries a key made from the source image's content hash and the
backdrop, so a regenerated concept gets a fresh thumbnail and an unchanged one is never redrawn.
It carries its concept's AI-content label over.

    >>> path = thumbnail(catalog, record, size=256, background=kit.palette.rgb("background"))
    >>> path.name
    'lotus-tea-s1-3f2a9c1d_256_9b1e07c2aa.png'
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image

from workbench.catalog import Catalog, ConceptRecord
from workbench.files import save_png
from workbench.provenance.aigc import carried_png_text

THUMBS_FOLDER = Path("gallery") / "thumbs"
CHECKER_COLOURS = ((246, 246, 243), (234, 234, 230))


def thumbnail(
    catalog: Catalog,
    record: ConceptRecord,
    size: int = 256,
    background: tuple[int, int, int] | None = None,
) -> Path:
    """The path of a `size` x `size` preview of `record`, drawn (atomically) only if not cached yet."""
    path = thumbnail_path(catalog, record, size, background)
    if path.is_file():
        return path
    source = catalog.image_path(record)
    if not source.is_file():
        raise FileNotFoundError(f"concept {record.id}: image not found at {source}")
    with Image.open(source) as image:
        preview = flatten(image.convert("RGBA"), size, background)
        labels = carried_png_text(image.info)  # a preview of a generated image is labelled like it
    save_png(preview, path, {"concept_id": record.id, "source_hash": record.content_hash, **labels})
    return path


def thumbnail_path(
    catalog: Catalog, record: ConceptRecord, size: int, background: tuple[int, int, int] | None
) -> Path:
    """Where the thumbnail for this exact source image, size and backdrop lives."""
    recipe = f"{record.content_hash}|{background}"
    key = hashlib.sha256(recipe.encode()).hexdigest()[:10]
    return catalog.root / THUMBS_FOLDER / f"{record.id}_{size}_{key}.png"


def flatten(image: Image.Image, size: int, background: tuple[int, int, int] | None = None) -> Image.Image:
    """`image` scaled to fit a `size` square, centred, composited over the backdrop; RGB result."""
    fitted = image.copy()
    fitted.thumbnail((size, size), Image.Resampling.LANCZOS)
    canvas = backdrop(size, background)
    offset = ((size - fitted.width) // 2, (size - fitted.height) // 2)
    canvas.alpha_composite(fitted, offset)
    return canvas.convert("RGB")


def backdrop(size: int, background: tuple[int, int, int] | None = None) -> Image.Image:
    """A flat brand colour, or a soft checkerboard of 16 px squares when no colour is given."""
    if background is not None:
        return Image.new("RGBA", (size, size), (*background, 255))
    light, dark = CHECKER_COLOURS
    cell = 16
    tile = Image.new("RGBA", (cell * 2, cell * 2), (*light, 255))
    tile.paste((*dark, 255), (cell, 0, cell * 2, cell))
    tile.paste((*dark, 255), (0, cell, cell, cell * 2))
    canvas = Image.new("RGBA", (size, size))
    for top in range(0, size, cell * 2):
        for left in range(0, size, cell * 2):
            canvas.paste(tile, (left, top))
    return canvas
