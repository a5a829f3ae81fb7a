"""Run a campaign's generation: kits x seeds -> backend -> PNG files + catalog rows, with resume.

Each concept's id is a hash of everything that made it (brand, backend, prompt, seed, settings), so
running again skips what is already on disk and in the catalog, and makes only what is missing.

    >>> report = generate_campaign(campaign, kits, catalog)
    >>> print(report)
    made 24, skipped 0, failed 0
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from PIL import Image
from pydantic import ValidationError
from tqdm.auto import tqdm

from workbench.backends import REGISTRY, Backend, BackendUnusable, Concept, ConceptRefused, cost_estimator, get_backend
from workbench.campaign import Campaign
from workbench.catalog import BACKDROP_BRAND, Catalog, ConceptRecord
from workbench.errors import explain_validation
from workbench.files import file_hash, remove_stale_parts, save_png
from workbench.i18n import Translator, _, translator
from workbench.provenance.aigc import TRAINED
from workbench.provenance.labeller import Labeller
from workbench.kits import BrandKit
from workbench.prompts import Prompt, build_prompt


@dataclass
class GenerationReport:
    made: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (brand and seed, error)
    refused: list[str] = field(default_factory=list)  # concept ids the service declined (recorded, status 'refused')
    stopped: str = ""  # why the batch stopped early, if it did
    seconds: float = 0.0

    def __str__(self) -> str:
        return self.describe()

    def describe(self, tr: Translator | None = None) -> str:
        """What the CLI and 02_generate print, in `tr`'s language (None: the process's); ids and errors as they are."""
        tr = tr or translator()
        text = tr._("made {made}, skipped {skipped}, failed {failed}").format(
            made=len(self.made), skipped=len(self.skipped), failed=len(self.failed))
        text += tr._(", refused {count}").format(count=len(self.refused)) if self.refused else ""
        text += "\n  " + tr._("stopped: {why}").format(why=self.stopped) if self.stopped else ""
        return text + "".join("\n  " + tr._("failed {what}: {why}").format(what=what, why=why) for what, why in self.failed)

    def merge(self, other: GenerationReport) -> GenerationReport:
        """Add a sub-batch's report to this one (every list, the seconds, and why it stopped); returns self.

        The one rule for every caller that runs sub-batches: once the merged report says `stopped`,
        start no further sub-batch (the backend said nothing more can succeed)."""
        self.made += other.made
        self.skipped += other.skipped
        self.failed += other.failed
        self.refused += other.refused
        self.stopped = self.stopped or other.stopped  # the first reason is the one that stopped the batch
        self.seconds += other.seconds
        return self


def concept_id(brand: str, backend: str, prompt: Prompt, seed: int, settings: dict) -> str:
    recipe = json.dumps([brand, backend, prompt.text, prompt.negative, seed, settings], sort_keys=True)
    return f"{brand}-s{seed}-{hashlib.sha256(recipe.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class GenerationJob:
    """One kit and seed to make: what the backend is given, and the id the seed's first image gets."""

    kit: BrandKit
    seed: int
    prompt: Prompt
    base_id: str


Outcome = list[Concept] | Exception  # a backend's images, or what it raised


class GenerationExecutor(Protocol):
    """Where `backend.generate` runs: each job's outcome, streamed back in the order the jobs finish.

    Closing the stream (the batch stopped, or Ctrl-C) cancels what is still outstanding; what was yielded
    before is the caller's to keep. `InProcess` is today's loop; `workbench.cluster` has a Ray one."""

    def stream(self, backend: str, settings: dict, jobs: list[GenerationJob]) -> Iterator[tuple[GenerationJob, Outcome]]:
        ...


@dataclass(frozen=True)
class InProcess:
    """Each job made here with `backend`, one after another, in order (the default)."""

    backend: Backend

    def stream(self, backend: str, settings: dict, jobs: list[GenerationJob]) -> Iterator[tuple[GenerationJob, Outcome]]:
        for job in jobs:
            try:
                outcome = self.backend.generate(job.kit, job.prompt, job.seed, settings)
            except Exception as error:  # the caller records it as the batch's rules say
                outcome = error
            yield job, outcome


class JobFailed(Exception):
    """A job that failed where it ran (another process or machine); the message is its one-line reason."""


def failure_line(error: Exception) -> str:
    """How a failed job is reported: the exception's type and message (a remote failure's line as it came)."""
    return str(error) if isinstance(error, JobFailed) else f"{type(error).__name__}: {error}"


def generate_campaign(
    campaign: Campaign,
    kits: list[BrandKit],
    catalog: Catalog,
    backend: Backend | None = None,
    progress: bool = True,
    labeller: Labeller | None = None,
    executor: GenerationExecutor | None = None,
) -> GenerationReport:
    """Make every missing concept for `kits` x the campaign's seeds. A failing brand never stops the others.

    Every image carries the AI-content label (`labeller`, by default the campaign's with the personal
    settings; a configured C2PA key is checked before the first image). The backend runs where
    `executor` puts it (default: here, `InProcess`); files and catalog rows are written here alone,
    in the order the images finish, so the ids and bytes are the same wherever it ran.
    """
    settings = campaign.generation.backend_settings()
    backend_name = backend.name if backend is not None else campaign.generation.backend
    executor = executor or InProcess(backend or get_backend(backend_name))
    labeller = labeller or Labeller.for_campaign(campaign)
    report = GenerationReport()
    started = time.perf_counter()
    images_per_seed = _images_per_seed(settings)
    bar = tqdm(total=len(kits) * len(campaign.generation.seeds) * images_per_seed, desc=_("concepts"), unit="image",
               disable=not progress)
    jobs: dict[str, GenerationJob] = {}
    for kit in kits:
        prompt = build_prompt(kit, campaign.prompt)
        for seed in campaign.generation.seeds:
            base_id = concept_id(kit.slug, backend_name, prompt, seed, settings)
            if base_id in jobs or _already_made(catalog, base_id, images_per_seed):  # resume: asked for nothing
                report.skipped.append(base_id)
                bar.update(images_per_seed)
            else:
                jobs[base_id] = GenerationJob(kit, seed, prompt, base_id)
    outcomes = executor.stream(backend_name, settings, list(jobs.values()))
    try:
        for job, outcome in outcomes:
            carry_on = _record_outcome(campaign, job, outcome, settings, catalog, backend_name, report, labeller)
            bar.update(images_per_seed)
            if not carry_on:
                break
    finally:
        outcomes.close()  # what is still outstanding is cancelled; what was recorded stays
        bar.close()
    report.seconds = time.perf_counter() - started
    return report


def _record_outcome(
    campaign: Campaign, job: GenerationJob, outcome: Outcome, settings: dict, catalog: Catalog, backend: str,
    report: GenerationReport, labeller: Labeller,
) -> bool:
    """Record one job's images, refusal or failure in the catalog and `report`; False when the batch must stop."""
    kit, seed, prompt, base_id = job.kit, job.seed, job.prompt, job.base_id
    if isinstance(outcome, ConceptRefused):  # recorded on the concept, so a resumed batch does not ask again
        catalog.add_concept(ConceptRecord(
            id=base_id, brand=kit.slug, backend=backend, model=outcome.model, prompt=prompt.text,
            negative_prompt=prompt.negative, seed=seed, settings=settings, path="", content_hash="",
            status="refused", note=outcome.reason,
        ))
        report.refused.append(base_id)
        return True
    if isinstance(outcome, BackendUnusable):  # e.g. a rejected key: every later call would fail the same way
        report.failed.append((f"{kit.slug} seed {seed}", str(outcome)))
        report.stopped = str(outcome)
        return False
    if isinstance(outcome, Exception):  # one brand's failure is reported, the batch goes on
        report.failed.append((f"{kit.slug} seed {seed}", failure_line(outcome)))
        return True
    for index, concept in enumerate(outcome):
        record_id = base_id if index == 0 else f"{base_id}-{index}"
        record_concept(catalog, campaign, kit, backend, prompt, seed, record_id, concept, labeller)
        report.made.append(record_id)
    return True


def _images_per_seed(settings: dict) -> int:
    """A backend may make a batch per seed (the diffusers backend's `batch_size`)."""
    return int(settings.get("batch_size", 1))


def _already_made(catalog: Catalog, base_id: str, images_per_seed: int) -> bool:
    """True when the seed was refused, or every image of its batch is in the catalog and on disk intact."""
    first = catalog.concept(base_id)
    if first is not None and first.status == "refused":
        return True
    for record_id in [base_id] + [f"{base_id}-{index}" for index in range(1, images_per_seed)]:
        record = catalog.concept(record_id)
        if record is None:
            return False
        path = catalog.image_path(record)
        if not (path.is_file() and file_hash(path) == record.content_hash):
            return False
    return True


def record_concept(
    catalog: Catalog, campaign: Campaign, kit: BrandKit, backend: str, prompt: Prompt, seed: int,
    record_id: str, concept: Concept, labeller: Labeller | None = None,
) -> ConceptRecord:
    """Write the image(s) atomically, then the catalog row: a row always points at a whole file.

    Every PNG carries its recipe in text chunks (id, brand, backend, model, prompt, seed, settings)
    and the implicit AI-content label with the concept id as ProduceID; with a C2PA key configured
    the concept is also signed (its content hash is that of the signed file);
    extra images are written beside it as `<id>.<name>.png`, and the layout, when there is one, goes
    into the row's settings. Generation and `workbench.concepts_import` both record concepts here.

        >>> record = record_concept(catalog, campaign, kit, "previz", prompt, 7, "lotus-tea-s7-3f2a9c1d", concept)
        >>> record.path
        'concepts/lotus-tea/lotus-tea-s7-3f2a9c1d.png'
    """
    labeller = labeller or Labeller.for_campaign(campaign)
    folder = campaign.concepts_dir / kit.slug
    recipe = {
        "concept_id": record_id, "brand": kit.slug, "backend": backend, "model": concept.model,
        "prompt": prompt.text, "negative_prompt": prompt.negative, "seed": str(seed),
        "settings": json.dumps(concept.settings, sort_keys=True, ensure_ascii=False),
    }
    metadata = {**recipe, **labeller.png_text(record_id, TRAINED)}
    remove_stale_parts(folder)  # temp files of a run killed while saving
    written = []  # the files this call wrote, removed again if the row cannot be written
    try:
        for name, image in concept.extra_images.items():
            save_png(image, folder / f"{record_id}.{name}.png", {**metadata, "layer": name})
            written.append(folder / f"{record_id}.{name}.png")
        path = folder / f"{record_id}.png"
        digest = save_png(concept.image, path, metadata)
        written.append(path)
        if labeller.sign(path, title=record_id, source_type=TRAINED, provenance=recipe):
            digest = file_hash(path)
        settings = dict(concept.settings)
        if concept.layout is not None:
            settings["layout"] = concept.layout.as_settings()
        record = ConceptRecord(
            id=record_id, brand=kit.slug, backend=backend, model=concept.model, prompt=prompt.text,
            negative_prompt=prompt.negative, seed=seed, settings=settings,
            path=str(path.relative_to(campaign.root)), content_hash=digest,
        )
        catalog.add_concept(record)
    except BaseException:  # no row, no files: an image the catalog does not know is an orphan
        for image_path in written:
            image_path.unlink(missing_ok=True)
        raise
    return record


# A backdrop plate is recorded like a concept under catalog.BACKDROP_BRAND, a brand no kit can have.
BACKDROP_NEGATIVE = "text, logos, watermark, parade floats, vehicles in the road"


def generate_backdrop(
    campaign: Campaign, kit: BrandKit, catalog: Catalog, aspect: str, size: tuple[int, int],
    drawn: Callable[[], Image.Image], backend: Backend | None = None, labeller: Labeller | None = None,
) -> ConceptRecord:
    """The campaign's backdrop plate for one aspect (`film.backdrop.prompt` at `size`, the campaign's first
    seed), made by its backend once and recorded in the catalog like a concept (brand `_backdrop`, settings
    role "backdrop" and the aspect); the next call finds it by its id and makes nothing. The backend's
    `generate_plate` makes it, a picture with no float and no brand marks; a backend without one (previz,
    which draws floats only) records `drawn()`, the drawn street, with the same recipe. `kit` lends the
    record its kit (filed under `_backdrop`).

        >>> record = generate_backdrop(campaign, kits[0], catalog, "16:9", (1920, 1080), drawn=paint_street)
        >>> record.brand, record.settings["role"]
        ('_backdrop', 'backdrop')
    """
    backend = backend or get_backend(campaign.generation.backend)
    width, height = size
    settings = {**campaign.generation.backend_settings(), "width": width, "height": height}
    prompt = Prompt(campaign.film.backdrop.prompt, BACKDROP_NEGATIVE)
    seed = campaign.generation.seeds[0]
    recipe = {**settings, "role": "backdrop", "aspect": aspect}
    record_id = concept_id(BACKDROP_BRAND, backend.name, prompt, seed, recipe)
    if _already_made(catalog, record_id, 1):
        return catalog.concept(record_id)
    if not hasattr(backend, "generate_plate"):
        made = Concept(drawn().convert("RGB"), model="drawn-street", settings=settings)
    else:
        made = backend.generate_plate(prompt, seed, campaign.generation.backend_settings(), size)
    plate = dataclasses.replace(made, settings={**made.settings, "role": "backdrop", "aspect": aspect}, layout=None,
                                extra_images={})  # a plate carries no brand marks
    owner = kit.model_copy(update={"slug": BACKDROP_BRAND})  # record_concept files it under concepts/_backdrop/
    return record_concept(catalog, campaign, owner, backend.name, prompt, seed, record_id, plate, labeller)


def generate_requested(campaign: Campaign, kits: list[BrandKit], catalog: Catalog, progress: bool = False,
                       executor: GenerationExecutor | None = None) -> GenerationReport:
    """Make the seeds reviewers queued with "make more like this" (pending ones, for `kits`), with the
    ordinary generation step. A request whose prompt no longer matches what the campaign builds for the
    brand is reported, not made with another prompt.

        >>> print(generate_requested(campaign, kits, catalog))
        made 4, skipped 0, failed 0
    """
    report = GenerationReport()
    by_kit = {kit.slug: kit for kit in kits}
    wanted: dict[tuple[str, str], list[int]] = defaultdict(list)
    for request in catalog.seed_requests(pending_only=True):
        kit = by_kit.get(request.brand)
        if kit is None:
            continue  # a brand outside this run
        if request.backend not in REGISTRY:  # e.g. "more like this" on an imported Midjourney concept
            report.failed.append((f"{request.brand} seed {request.seed}",
                                  f"{request.backend!r} is not a workbench backend: imported concepts have no seeds to make"))
            continue
        if build_prompt(kit, campaign.prompt).text != request.prompt:
            report.failed.append((f"{request.brand} seed {request.seed}",
                                  "the campaign's prompt for this brand changed since the request"))
            continue
        wanted[(request.brand, request.backend)].append(request.seed)
    for (brand, backend), seeds in wanted.items():
        try:  # the campaign's options are checked for the queued seeds' backend (it may be another one)
            queued = campaign.with_changes(generation={"backend": backend, "seeds": seeds})
        except ValidationError as error:
            where, why = explain_validation(error.errors()[0])
            report.failed += [(f"{brand} seed {seed}", f"the campaign cannot make {backend!r} seeds: {where}: {why}")
                              for seed in seeds]
            continue
        report.merge(generate_campaign(queued, [by_kit[brand]], catalog, progress=progress, executor=executor))
        if report.stopped:
            break
    return report


# Cost, before a batch ---------------------------------------------------------------------------


def images_to_make(campaign, kits, catalog) -> int:
    """How many images `generate_campaign` would still make for `kits`: generate's own resume check,
    so a resumed batch is priced for what is missing (refused seeds are not asked again)."""
    settings = campaign.generation.backend_settings()
    images_per_seed = _images_per_seed(settings)
    missing = 0
    for kit in kits:
        prompt = build_prompt(kit, campaign.prompt)
        for seed in campaign.generation.seeds:
            base_id = concept_id(kit.slug, campaign.generation.backend, prompt, seed, settings)
            missing += 0 if _already_made(catalog, base_id, images_per_seed) else images_per_seed
    return missing


def estimate_batch_cost(campaign, kits, catalog):
    """The campaign backend's estimate for what is still to make, or None for a backend that runs locally."""
    estimate = cost_estimator(campaign.generation.backend)
    if estimate is None:
        return None  # and no need to read the catalog
    return estimate(campaign.generation.backend_settings(), images_to_make(campaign, kits, catalog))


def cost_line(estimate) -> str:
    """What `workbench generate` and 02_generate print before a batch."""
    return _("runs locally: no cost per image") if estimate is None else _("cost: {estimate}").format(estimate=estimate)
