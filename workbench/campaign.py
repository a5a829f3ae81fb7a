"""Campaign settings: which brands, how concepts are made, how the film looks, and where files go.

A campaign is one YAML file (see `campaigns/demo.yaml`). Relative folders in it are resolved against
the file's own folder, so a campaign works from any working directory.

    >>> campaign = load_campaign("campaigns/demo.yaml")
    >>> campaign.catalog_path.name
    'catalog.sqlite'
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from workbench.backends import REGISTRY, UnknownBackend, options_model
from workbench.errors import InputError, explain_validation
from workbench.i18n import _
from workbench.kits import BrandKit, Slug, load_kits
from workbench.prompts import PromptTemplate
from workbench.typography import is_han
from workbench.yamlfile import CAMPAIGN_FILE_MAX_BYTES, read_yaml_mapping

Aspect = Literal["16:9", "9:16", "1:1", "4:5"]
DEFAULT_SIZES: dict[str, tuple[int, int]] = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080),
                                             "4:5": (1080, 1350)}
MAX_FILM_SIDE = 7680  # 8K UHD: a larger frame is a typo, and its buffers alone would exhaust memory
# Seeds fit 32 bits: what numpy, torch and hosted image APIs all accept (and SQLite stores, unlike 2**63).
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]
X264Preset = Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
                     "veryslow", "placebo"]
X264_PRESETS: tuple[str, ...] = get_args(X264Preset)


class CampaignError(InputError):
    """A problem in a campaign file."""


class GenerationSettings(BaseModel):
    """How concepts are made: the backend by name, its seeds and its settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    backend: str = "previz"
    seeds: list[Seed] = Field(default_factory=lambda: [1, 2, 3, 4], min_length=1)
    width: int = Field(768, ge=64, le=4096)
    height: int = Field(768, ge=64, le=4096)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, name: str) -> str:
        if name not in REGISTRY:
            raise ValueError(str(UnknownBackend(name)))
        return name

    @model_validator(mode="after")
    def _options_fit_the_backend(self):
        """Check the settings the backend will get against its options model (which loads no torch or
        openai), so a bad option is one line at load and not a failure at the first image. The options
        stay the dict the file gave: concept ids hash them, and filled-in defaults would change every id."""
        try:
            options_model(self.backend).model_validate(self.backend_settings())
        except ValidationError as error:
            # The model sees width, height and the options side by side; name each where the file has it.
            raise ValidationError.from_exception_data(error.title, [
                {"type": problem["type"], "loc": _where_in_generation(problem["loc"]), "input": problem["input"],
                 **({"ctx": problem["ctx"]} if "ctx" in problem else {})}
                for problem in error.errors()]) from None
        return self

    def backend_settings(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, **self.options}


def _where_in_generation(loc: tuple) -> tuple:
    return loc if loc[:1] in (("width",), ("height",)) else ("options", *loc)


class CameraSettings(BaseModel):
    """How the camera moves. All off by default: the film is then the still, side-on procession."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    push_in: float = Field(0.0, ge=0, le=0.3, description="How much closer the camera gets over each hold"
                           " (0.06: the frame ends 6% tighter).")
    pan: float = Field(0.0, ge=0, le=0.1, description="Gentle sideways drift over each hold, in frame widths.")
    depth_route: bool = Field(False, description="16:9: floats come from the distance, pass close and recede.")
    depth_of_field: bool = Field(False, description="Soften the backdrop while a float holds the front.")


class FloatMotion(BaseModel):
    """How the floats themselves move and catch the light, drawn from each float's own alpha."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sway: float = Field(0.0, ge=0, le=6, description="Degrees a float rocks from side to side (0: upright).")
    contact_shadow: bool = Field(False, description="A tight dark shadow where the float meets the road.")
    glint: bool = Field(False, description="A band of light passing over each float during its hold.")


class SafeZone(BaseModel):
    """Parts of the frame a platform covers with its own caption and buttons, as fractions of each side."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    top: float = Field(0.0, ge=0, le=0.4)
    bottom: float = Field(0.0, ge=0, le=0.4)
    left: float = Field(0.0, ge=0, le=0.4)
    right: float = Field(0.0, ge=0, le=0.4)


BACKDROP_PROMPT = ("a festival street at dusk for a parade, lanterns strung overhead, crowds on both pavements,"
                   " an empty road in front, wide shot, no floats, no text, no logos")


class BackdropSettings(BaseModel):
    """What the procession passes in front of: the drawn street (default), a still or looping plate, or a
    plate the campaign's backend makes once per aspect; and how far the floats are matched to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["street", "image", "video", "generated"] = Field(
        "street", description="street: the drawn street; image: a still plate (PNG/JPEG); video: a looping plate"
        " (MP4); generated: made by the campaign's backend once per aspect and recorded in the catalog.")
    path: Path | None = Field(None, description="image and video: the plate's file, relative to the campaign file.")
    prompt: str = Field(BACKDROP_PROMPT, min_length=1, max_length=600,
                        description="generated: what the backend is asked for (the campaign's style follows).")
    harmonise: float = Field(0.0, ge=0, le=1, description="How far the floats' colour and light are matched to"
                             " the backdrop (0: untouched; the logo and name banner always stay exact).")
    loop_seconds: float = Field(8.0, gt=0, le=120, description="video: at most this much of the file is looped"
                                " (decoded once at the film's size: 8 s of 1080p30 is about 1.5 GB of scratch file).")

    @model_validator(mode="after")
    def _path_for_plates(self):
        if self.kind in ("image", "video") and self.path is None:
            raise error_at("BackdropSettings", ("path",), None, _("{kind} backdrops need the plate's file").format(kind=self.kind))
        return self


class BrandGroup(BaseModel):
    """A section of the parade: its brands follow one another after a chapter card with `title`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1, max_length=80)
    brands: list[Slug] = Field(min_length=1)


class FilmSettings(BaseModel):
    """The parade film: timing, sizes, encoding, the optional music track, camera and float motion."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    aspects: list[Aspect] = Field(default_factory=lambda: ["16:9", "9:16"], min_length=1)
    sizes: dict[Aspect, tuple[int, int]] = Field(default_factory=lambda: dict(DEFAULT_SIZES))
    fps: int = Field(30, ge=1, le=120)
    title_seconds: float = Field(2.5, ge=0)
    end_seconds: float = Field(2.5, ge=0)
    seconds_per_brand: float = Field(3.0, gt=0)
    duration: float | None = Field(None, gt=0, description="Total length; overrides seconds_per_brand.")
    audio: Path | None = None
    crf: int = Field(20, ge=0, le=51)
    preset: X264Preset = "medium"
    particles: bool = Field(True, description="Confetti on the cards and lanterns over the procession.")
    camera: CameraSettings = Field(default_factory=CameraSettings)
    motion: FloatMotion = Field(default_factory=FloatMotion)
    safe_zones: dict[Aspect, SafeZone] = Field(
        default_factory=dict, description="Per aspect, the areas banners and labels keep out of (e.g. 9:16 feeds).")
    lower_third: Literal["display", "bilingual"] = Field(
        "display", description="bilingual: the display name with the Latin name under it, where they differ.")
    shots: Literal["single", "varied"] = Field(
        "single", description="varied: the timeline mixes close holds with wide group shots and crowd cutaways.")
    groups: list[BrandGroup] = Field(default_factory=list, description="Sections of the parade, each after a"
                                     " chapter card; brands in no group follow the last one.")
    chapter_seconds: float = Field(1.6, gt=0, le=10, description="How long each chapter card stays up.")
    beat_sync: bool = Field(False, description="Holds and cuts land on the beats of `audio` (needs a music track).")
    backdrop: BackdropSettings = Field(default_factory=BackdropSettings)

    @model_validator(mode="after")
    def _even_sizes(self):
        for aspect, (width, height) in self.sizes.items():
            if width % 2 or height % 2 or not (64 <= width <= MAX_FILM_SIDE and 64 <= height <= MAX_FILM_SIDE):
                raise ValueError(_("{field}: H.264 yuv420p needs even sizes of at least 64 and at most {side} px a side,"
                                   " got {width}x{height}").format(field=f"sizes.{aspect}", side=MAX_FILM_SIDE,
                                                                  width=width, height=height))
        return self

    @model_validator(mode="after")
    def _beat_sync_needs_music(self):
        if self.beat_sync and self.audio is None:
            raise error_at("FilmSettings", ("beat_sync",), self.beat_sync,
                           "needs a music track to find the beats in: set film.audio (or beat_sync: false)")
        return self

    def size(self, aspect: str) -> tuple[int, int]:
        return tuple(self.sizes.get(aspect, DEFAULT_SIZES[aspect]))

    def timing(self, brand_count: int) -> tuple[float, float, float]:
        """(title, per-brand, end) seconds. With `duration` set the total is exactly that: brands get
        what the cards leave, at least 0.5 s each, and the cards shrink when the brands need the time."""
        title, end = self.title_seconds, self.end_seconds
        if self.duration is None or brand_count == 0:
            return title, self.seconds_per_brand, end
        brand = max(0.5, (self.duration - title - end) / brand_count)
        room_for_cards = max(0.0, self.duration - brand * brand_count)
        if title + end > room_for_cards:
            title, end = (title * room_for_cards / (title + end), end * room_for_cards / (title + end))
        return title, (self.duration - title - end) / brand_count, end


Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]
LABEL_TEXTS = {"zh": "AI生成", "en": "AI-generated"}
MIN_LABEL_HEIGHT = 0.05  # GB 45438-2025: the visible label's text at least 5% of the shorter side


class FilmLabel(BaseModel):
    """Where and when a film shows its visible AI-content label."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    corner: Corner = "top-right"
    shown: Literal["opening_and_end", "whole"] = Field(
        "opening_and_end", description="The first seconds and the end card, or the whole film.")
    opening_seconds: float = Field(3.0, ge=2.0, description="How long it stays up at the start (at least 2 s).")
    height: float = Field(MIN_LABEL_HEIGHT, ge=MIN_LABEL_HEIGHT, le=0.2,
                          description="Text height as a fraction of the frame's shorter side.")


class ImageLabel(BaseModel):
    """The corner label on images delivered outside the workbench (hand-off, contact sheet, exports)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    corner: Corner = "bottom-right"
    height: float = Field(MIN_LABEL_HEIGHT, ge=MIN_LABEL_HEIGHT, le=0.2,
                          description="Text height as a fraction of the image's shorter side.")


class ContentProducer(BaseModel):
    """Who produced the content, for the implicit label (personal settings fill what the campaign leaves out)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field("", max_length=200, description="The producer's code (e.g. its registration number).")
    name: str = Field("", max_length=200)


class LabelSettings(BaseModel):
    """AI-content labels (GB 45438-2025): the visible one on films and delivered images, and the producer
    named in the implicit one every file carries. Signing keys for C2PA live in personal settings only."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    visible: bool = Field(True, description="Show the visible label (the implicit one is always written).")
    language: Literal["auto", "zh", "en"] = Field(
        "auto", description="auto: AI生成 when the campaign's title or end card is Chinese, else AI-generated.")
    text: str | None = Field(None, min_length=1, max_length=40, description="Own wording, instead of the default.")
    film: FilmLabel = Field(default_factory=FilmLabel)
    images: ImageLabel = Field(default_factory=ImageLabel)
    producer: ContentProducer = Field(default_factory=ContentProducer)

    @field_validator("text")
    @classmethod
    def _says_ai(cls, text: str | None) -> str | None:
        if text is not None and not any(word in text for word in ("AI", "人工智能")):
            raise ValueError(_("the label must say the content is AI-generated (e.g. {examples})").format(
                examples=" or ".join(LABEL_TEXTS.values())))
        return text


class TriageThresholds(BaseModel):
    """Where each triage check draws its line (see `workbench.triage`); changing them re-decides the
    campaign's concepts from the stored measures, without reading the images again."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name_similarity: float = Field(0.99, ge=0, le=1, description="Name read off the banner vs the kit's, 0-1"
                                   " (a misspelt letter is rejectable however long the name).")
    stray_text_confidence: float = Field(0.8, ge=0, le=1, description="OCR confidence from which other text counts.")
    stray_text_letters: int = Field(2, ge=1, description="Letters (or CJK characters) from which other text counts.")
    logo_match: float = Field(0.85, ge=0, le=1, description="Share of the logo's pixels found exact at its place.")
    logo_search: float = Field(0.6, ge=0, le=1, description="Template-match score for a logo found anywhere.")
    product_match: float = Field(0.85, ge=0, le=1, description="Share of the product's pixels found exact (within the"
                                 " logo check's pixel tolerance) at its place, for a kit with a product.")
    product_search: float = Field(0.6, ge=0, le=1, description="Template-match score for a product found anywhere.")
    off_brand_delta_e: float = Field(22.0, gt=0, description="CIEDE2000 from every brand colour that is off-brand.")
    off_brand_share: float = Field(0.12, gt=0, le=1, description="Share of the float an off-brand colour may cover.")
    on_brand_share: float = Field(0.6, ge=0, le=1, description="Share of the float that must be near a brand colour.")
    sharpness_ratio: float = Field(0.4, ge=0, description="Sharpness against the brand's median below which it is blurred.")
    clipped_share: float = Field(0.25, ge=0, le=1, description="Share of pure black or white from which it is clipped.")
    noise_sigma: float = Field(4.0, gt=0, description="Noise level (grey levels) from which it is noisy.")
    empty_share: float = Field(0.04, ge=0, le=1, description="Float coverage under which the image is almost empty.")
    duplicate_distance: int = Field(12, ge=0, le=256, description="Perceptual-hash bits (of 256) of near-duplicates.")


class TriageSettings(BaseModel):
    """What triage does with its scores: flags, automatic rejections and the shortlist, per brand."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    auto_reject: float | None = Field(50.0, ge=0, le=100, description="Triage rejects concepts scoring below this"
                                      " (every flagged concept scores under 50; None: triage rejects nothing).")
    shortlist: int = Field(0, ge=0, description="Triage approves the best N passed concepts of each brand.")
    weights: dict[Literal["lettering", "logo", "product", "palette", "cutout", "craft"], float] = Field(
        default_factory=lambda: {"lettering": 1.0, "logo": 1.0, "product": 1.0, "palette": 1.0, "cutout": 1.0,
                                 "craft": 1.0})
    thresholds: TriageThresholds = Field(default_factory=TriageThresholds)


CLUSTER_CHOICES = "none, local, auto or ray://host:port"


class ComputeSettings(BaseModel):
    """Where the stages' work runs: in this process (the default) or on a Ray cluster (`workbench.cluster`).

    Nothing a stage makes depends on it: the same concept ids and bytes, the same films, either way."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    cluster: str = Field("none", description="none: in this process; local: a Ray instance started on this"
                         " machine; auto: the cluster at $RAY_ADDRESS; ray://host:port: a Ray cluster's client"
                         " address (port 10001 by default).")
    workers: int | None = Field(None, ge=1, le=4096, description="Actors (generation, triage) and segment encodes"
                                " at once; default the cluster's CPUs, or its GPUs for a backend that uses one.")
    gpus_per_worker: float = Field(1.0, ge=0, le=8, description="GPUs each generation actor takes when the"
                                   " cluster has GPUs and the backend uses one.")
    # Two by default: a film of one segment still has x264 on both cores of a small machine, where one thread
    # left a core idle (in-process render 1.59x the pure encode against 1.12x in CPU seconds, 4 s 1080p medium).
    segment_threads: int = Field(2, ge=1, le=16, description="x264 threads of each film segment's encode: part"
                                 " of the encode's recipe, so a segment is the same bytes on every machine.")

    @field_validator("cluster")
    @classmethod
    def _known_cluster(cls, value: str) -> str:
        if value in ("none", "local", "auto"):
            return value
        host, _, port = value.removeprefix("ray://").rpartition(":")
        if not value.startswith("ray://") or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"expected {CLUSTER_CHOICES}, got {value!r}")
        return value


class VisualsSettings(BaseModel):
    """The festival stills `workbench visuals` makes per brand from its approved float: name -> [width, height]."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sizes: dict[Slug, tuple[Annotated[int, Field(ge=64, le=8192)], Annotated[int, Field(ge=64, le=8192)]]] = Field(
        default_factory=lambda: {"square-800": (800, 800), "square-1200": (1200, 1200), "poster": (1200, 1600),
                                 "story": (1080, 1920)}, min_length=1)


class Campaign(BaseModel):
    """One campaign: its brands, generation, review selection and film."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Slug
    title: str = Field(min_length=1)
    end_card: str = ""
    brands: list[Slug] | None = None
    kits_folder: Path = Path("../brand_kits")
    renders_folder: Path = Path("../renders")
    prompt: PromptTemplate = Field(default_factory=PromptTemplate)
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    triage: TriageSettings = Field(default_factory=TriageSettings)
    film: FilmSettings = Field(default_factory=FilmSettings)
    labels: LabelSettings = Field(default_factory=LabelSettings)
    compute: ComputeSettings = Field(default_factory=ComputeSettings)
    visuals: VisualsSettings = Field(default_factory=VisualsSettings)

    @model_validator(mode="before")
    @classmethod
    def _film_ai_label_moved(cls, data: Any) -> Any:
        """Older campaigns said `film.ai_label: false`; the visible label is now `labels.visible`."""
        if isinstance(data, dict) and isinstance(data.get("film"), dict) and "ai_label" in data["film"]:
            film = dict(data["film"])
            labels = dict(data.get("labels") or {})
            labels.setdefault("visible", film.pop("ai_label"))
            data = {**data, "film": film, "labels": labels}
        return data

    @model_validator(mode="after")
    def _groups_name_its_brands(self):
        """Each group's brands are the campaign's (its `brands`, else the kits in its folder), each in one group."""
        known = set(self.brands) if self.brands is not None else _kit_slugs(self.kits_folder)
        grouped: set[str] = set()
        for group in self.film.groups:
            for brand in group.brands:
                if known is not None and brand not in known:
                    raise error_at("Campaign", ("film", "groups"), brand,
                                   _("{brand!r} (group {group!r}) is not one of the campaign's brands").format(
                                       brand=brand, group=group.title))
                if brand in grouped:
                    raise error_at("Campaign", ("film", "groups"), brand, _("{brand!r} is in more than one group").format(brand=brand))
                grouped.add(brand)
        return self

    @property
    def label_text(self) -> str:
        """The visible label's words: the campaign's own, else by its language."""
        if self.labels.text:
            return self.labels.text
        language = self.labels.language
        if language == "auto":
            language = "zh" if any(is_han(character) for character in self.title + self.end_card) else "en"
        return LABEL_TEXTS[language]

    @property
    def root(self) -> Path:
        return self.renders_folder / self.name

    @property
    def catalog_path(self) -> Path:
        return self.root / "catalog.sqlite"

    @property
    def concepts_dir(self) -> Path:
        return self.root / "concepts"

    @property
    def films_dir(self) -> Path:
        return self.root / "films"

    @property
    def gallery_dir(self) -> Path:
        return self.root / "gallery"

    @property
    def visuals_dir(self) -> Path:
        return self.root / "visuals"

    def with_changes(self, **changes: Any) -> "Campaign":
        """A copy with top-level fields replaced and validated again (for notebook parameters)."""
        data = self.model_dump()
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return Campaign.model_validate(data)


def error_at(model: str, where: tuple[str, ...], value: Any, message: str) -> ValidationError:
    """A validation error at field `where` (so the one-line report names that field, not the model holding it)."""
    return ValidationError.from_exception_data(model, [
        {"type": "value_error", "loc": where, "input": value, "ctx": {"error": ValueError(message)}}])


def _kit_slugs(folder: Path) -> set[str] | None:
    """The brands of the kits in `folder` (each kit's folder is named by its slug); None without the folder."""
    if not folder.is_dir():
        return None
    return {kit.name for kit in folder.iterdir() if (kit / "brand.yaml").is_file()}


def load_campaign(path: Path | str) -> Campaign:
    """Read and validate a campaign YAML; errors name the file and the field."""
    path = Path(path)
    if not path.is_file():
        raise CampaignError(path, "file", _("campaign file not found"))
    data = read_yaml_mapping(path, CampaignError, "campaign", CAMPAIGN_FILE_MAX_BYTES)
    base = path.resolve().parent
    for key in ("kits_folder", "renders_folder"):
        if key in data:
            data[key] = (base / str(data[key])).resolve()
        else:
            data[key] = (base / Campaign.model_fields[key].default).resolve()
    if "approve_first" in data and isinstance(data.get("triage") or {}, dict):
        # older campaigns: their first selection is now triage's shortlist
        data["triage"] = {"shortlist": data.pop("approve_first"), **(data.get("triage") or {})}
    audio = (data.get("film") or {}).get("audio")
    if audio:
        data["film"]["audio"] = base / str(audio)
    backdrop = (data.get("film") or {}).get("backdrop")
    if isinstance(backdrop, dict) and backdrop.get("path"):  # a plate file, like the audio, beside the campaign
        data["film"]["backdrop"] = {**backdrop, "path": base / str(backdrop["path"])}
    try:
        return Campaign.model_validate(data)
    except ValidationError as error:
        raise CampaignError(path, *explain_validation(error.errors()[0])) from None


def open_campaign(campaign_file: Path | str, **changes: Any) -> tuple[Campaign, list[BrandKit]]:
    """The campaign with `changes` applied (None values and empty dicts mean "keep the file's"), and
    its kits in order. Used by the notebooks' parameters and the CLI alike.

        >>> campaign, kits = open_campaign("../campaigns/demo.yaml", brands=["lotus-tea"], film={"fps": None})
    """
    campaign = load_campaign(campaign_file)
    kept = _without_none(changes)
    if kept:
        campaign = campaign.with_changes(**kept)
    return campaign, load_kits(campaign.kits_folder).select(campaign.brands)


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    kept = {}
    for key, value in values.items():
        if isinstance(value, dict):
            value = _without_none(value) or None
        if value is not None:
            kept[key] = value
    return kept
