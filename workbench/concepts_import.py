"""Import concepts made outside the workbench (Midjourney has no API) as ordinary concepts.

Each image file becomes a concept of one brand, with its provenance: the tool that made it (the
catalog's backend and model), the prompt if known, and the original file name (settings["source"]).
From then on it is triaged, curated and paraded like any generated concept. The id comes from the
brand and the file's bytes, so importing the same file again skips it.

    >>> campaign, kit = campaign_and_kit("campaigns/demo.yaml", "lotus-tea")
    >>> with Catalog(campaign.catalog_path) as catalog:
    ...     report = import_concepts(campaign, kit, ["mj/lantern-1.png", "mj/lantern-2.jpg"], catalog,
    ...                              backend="midjourney", prompt="a lantern float", finish=True)
    >>> print(report)
    made 2, skipped 0

The whole batch is checked before anything is written: one bad file (missing, not an image, too big)
raises `InputError` naming it, and no file of the batch is recorded. With `finish`, each float is cut
out of its background and given the brand's exact logo and name banner (`workbench.finishing`), at
the layout the previz float of that size would use; the raw image is kept beside it as `<id>.raw.png`.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from PIL import Image, ImageOps

from workbench.backends import REGISTRY, Concept
from workbench.backends.previz import plan_layout
from workbench.campaign import Campaign, load_campaign
from workbench.catalog import Catalog
from workbench.errors import InputError
from workbench.files import file_hash
from workbench.finishing import finish as finish_float
from workbench.generate import record_concept
from workbench.i18n import _
from workbench.provenance.labeller import Labeller
from workbench.kits import BrandKit, load_kits
from workbench.prompts import Prompt

DEFAULT_BACKEND = "import"
MAX_FILE_BYTES = 50_000_000  # 50 MB: far above any real concept image, well below a memory problem
MAX_PIXELS = 40_000_000  # checked on the header's size, before a single pixel is decoded
MIN_SIDE = 64  # the smallest side generation makes; smaller is a thumbnail, not a concept
NO_SEED = 0  # imported concepts have no seed
LAYOUT_SEED = 1  # the previz seed whose layout says where --finish puts the brand marks
BANNER_STYLE = "ribbon"


@dataclass(frozen=True)
class ImportSource:
    """One checked file of a batch: where it is, what its bytes hash to, and the concept it becomes."""

    path: Path
    sha256: str  # of the file's bytes, as they were checked
    concept_id: str
    image_format: str  # what PIL read it as: PNG, JPEG, WEBP, GIF, ...


@dataclass(frozen=True)
class ImportedFile:
    path: Path
    concept_id: str
    made: bool  # False: skipped, already in the catalog with its image intact


@dataclass
class ImportReport:
    files: list[ImportedFile] = field(default_factory=list)  # in the order given

    @property
    def made(self) -> list[str]:
        return [entry.concept_id for entry in self.files if entry.made]

    @property
    def skipped(self) -> list[str]:
        return [entry.concept_id for entry in self.files if not entry.made]

    def __str__(self) -> str:
        return _("made {made}, skipped {skipped}").format(made=len(self.made), skipped=len(self.skipped))


# ----------------------------------------------------------------------------------------------------
# The campaign and its brand


def campaign_and_kit(campaign_file: Path | str, slug: str) -> tuple[Campaign, BrandKit]:
    """The campaign and its kit `slug`, or an InputError when the campaign does not list that brand or
    no valid kit has that slug.

        >>> campaign, kit = campaign_and_kit("campaigns/demo.yaml", "lotus-tea")
        >>> kit.display_name
        '莲心茶坊'
    """
    campaign = load_campaign(campaign_file)
    if campaign.brands is not None and slug not in campaign.brands:
        raise InputError(campaign_file, "brands",
                         f"--brand {slug!r} is not one of this campaign's brands: {', '.join(campaign.brands)}")
    [kit] = load_kits(campaign.kits_folder).select([slug])  # a KitError naming the kit when it is not one
    return campaign, kit


# ----------------------------------------------------------------------------------------------------
# Importing


def import_concepts(
    campaign: Campaign,
    kit: BrandKit,
    files: Iterable[Path | str],
    catalog: Catalog,
    backend: str = DEFAULT_BACKEND,
    prompt: str = "",
    finish: bool = False,
) -> ImportReport:
    """Record each file as a concept of `kit`'s brand; files already imported are skipped.

    `backend` names where the images were made (e.g. "midjourney"; it is also the model), `prompt` what
    they were made with. Nothing is written unless every file passes `check_files`.

        >>> report = import_concepts(campaign, kit, ["mj/a.png", "mj/a.png"], catalog, backend="midjourney")
        >>> report.made, report.skipped
        (['lotus-tea-import-1f3c2a9b'], ['lotus-tea-import-1f3c2a9b'])
    """
    check_backend_name(backend, catalog)
    sources = check_files(kit.slug, files)
    labeller = Labeller.for_campaign(campaign)  # an imported concept gets the AI-content labels too
    report = ImportReport()
    for source in sources:
        if _already_imported(catalog, source.concept_id):  # also the second copy of a file within one batch
            report.files.append(ImportedFile(source.path, source.concept_id, made=False))
            continue
        concept = imported_concept(kit, source, backend, finish)
        record_concept(catalog, campaign, kit, backend, Prompt(prompt, ""), NO_SEED, source.concept_id, concept,
                       labeller)
        report.files.append(ImportedFile(source.path, source.concept_id, made=True))
    return report


def check_backend_name(backend: str, catalog: Catalog) -> None:
    """The backend of an imported concept names the outside tool; a workbench backend's name would make
    generation treat the concept as its own (e.g. make "more like this" seeds with the wrong prompt)."""
    if not backend.strip():
        raise InputError(catalog.path, "backend", "--backend is empty; name the tool that made the images")
    if backend in REGISTRY:
        raise InputError(catalog.path, "backend", f"{backend!r} is a workbench backend; name the tool that "
                         f"made the images instead (e.g. midjourney)")


def import_id(brand: str, sha256: str) -> str:
    """The concept id of an imported file: the same brand and bytes always give the same id.

        >>> import_id("lotus-tea", "1f3c2a9b" + "0" * 56)
        'lotus-tea-import-1f3c2a9b'
    """
    return f"{brand}-import-{sha256[:8]}"


def imported_concept(kit: BrandKit, source: ImportSource, backend: str, finish: bool) -> Concept:
    """The concept to record for `source`: the image as RGBA, or finished (cut out, exact brand marks)
    with the raw image kept as an extra layer.

        >>> concept = imported_concept(kit, source, "midjourney", finish=True)
        >>> sorted(concept.extra_images), concept.layout is not None
        (['raw'], True)
    """
    image = _read_checked(source)
    settings = {
        "source": source.path.name, "source_sha256": source.sha256, "source_format": source.image_format,
        "width": image.width, "height": image.height, "imported": True, "finished": finish,
    }
    if not finish:  # no layout: triage then looks for the logo and name anywhere in the image
        return Concept(image=image, model=backend, settings=settings)
    layout = plan_layout(kit, image.width, image.height, seed=LAYOUT_SEED)
    finished = finish_float(image, kit, layout, mask=_transparency_mask(image), banner_style=BANNER_STYLE)
    return Concept(image=finished, model=backend, settings={**settings, "banner": BANNER_STYLE},
                   layout=layout, extra_images={"raw": image})


def _transparency_mask(image: Image.Image) -> Image.Image | None:
    """An image that is already cut out says where the float is; an opaque one leaves it to GrabCut."""
    lowest_alpha, _ = image.getchannel("A").getextrema()
    return image if lowest_alpha < 255 else None


def _already_imported(catalog: Catalog, concept_id: str) -> bool:
    """True when the concept is in the catalog and its image is on disk intact (a lost file is made again)."""
    record = catalog.concept(concept_id)
    if record is None:
        return False
    path = catalog.image_path(record)
    return path.is_file() and file_hash(path) == record.content_hash


# ----------------------------------------------------------------------------------------------------
# Checking the batch


def check_files(brand: str, files: Iterable[Path | str]) -> list[ImportSource]:
    """Every file checked (exists, size, a decodable image, not too many pixels) before any is imported;
    the first bad one raises an InputError naming it.

        >>> [source.concept_id for source in check_files("lotus-tea", ["mj/a.png"])]
        ['lotus-tea-import-1f3c2a9b']
    """
    sources = []
    for name in files:
        path = Path(name)
        data = _read_file(path)
        sha256 = hashlib.sha256(data).hexdigest()
        _, image_format = _decode_first_frame(path, data)  # decoded now, so a broken file stops the batch here
        sources.append(ImportSource(path, sha256, import_id(brand, sha256), image_format))
    return sources


def _read_file(path: Path) -> bytes:
    if not path.exists():
        raise InputError(path, "file", "no such file")
    if not path.is_file():
        raise InputError(path, "file", "not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:  # before reading it: a huge file is refused without filling memory
        raise InputError(path, "file size", f"{size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")
    return path.read_bytes()


def _decode_first_frame(path: Path, data: bytes) -> tuple[Image.Image, str]:
    """The image as RGBA (the first frame of an animation, turned upright by its EXIF orientation) and its
    format. The pixel count is checked on the header's size, before any decoding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # MAX_PIXELS is checked below
            opened = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError:
        raise InputError(path, "pixels", f"declares far more than {MAX_PIXELS / 1e6:.0f} megapixels") from None
    except (OSError, ValueError, SyntaxError):  # PIL's UnidentifiedImageError is an OSError
        raise InputError(path, "image", "not an image PIL can read (PNG, JPEG, WebP, ...)") from None
    with opened:
        width, height = opened.size
        if width * height > MAX_PIXELS:
            raise InputError(path, "pixels", f"{width}x{height} is {width * height / 1e6:.1f} megapixels; "
                             f"the limit is {MAX_PIXELS / 1e6:.0f}")
        if min(width, height) < MIN_SIDE:
            raise InputError(path, "pixels", f"{width}x{height} is too small; each side needs {MIN_SIDE} px or more")
        try:
            opened.seek(0)
            image = ImageOps.exif_transpose(opened).convert("RGBA")  # decodes the first frame
        except (OSError, ValueError, SyntaxError, EOFError) as error:  # e.g. a truncated download
            raise InputError(path, "image", f"cannot be decoded: {error}") from None
        return image, opened.format or "unknown"


def _read_checked(source: ImportSource) -> Image.Image:
    """`source`'s image again, for writing; the file must still be the one that was checked."""
    data = _read_file(source.path)
    if hashlib.sha256(data).hexdigest() != source.sha256:
        raise InputError(source.path, "file", "changed while the batch was being imported; import it again")
    image, _ = _decode_first_frame(source.path, data)
    return image
