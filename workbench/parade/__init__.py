"""The parade film: each brand's best approved float rolls down a festive street, 16:9 and 9:16.

    >>> result = render_film(campaign, kits, catalog, "9:16")
    >>> result.path.name, result.brands
    ('festival-demo_9x16.mp4', ['lotus-tea', 'tern-motors'])
    >>> results = render_films(campaign, kits, catalog)  # every aspect in campaign.film.aspects

Next to each MP4, a JSON manifest maps every frame range to the brand and concept shown, says
when each brand holds the front and where its logo and name are, and gives each concept's prompt,
seed, backend and approving reviewer. Films are encoded in segments: a render that was stopped
picks up from its last finished segment (`resume=True`) and writes the same bytes.

    >>> film = prepare_film(campaign, kits, catalog, "16:9")   # the parade, not yet encoded
    >>> export_for_finishing(campaign, kits, catalog, "16:9")  # workbench.parade.export: layers + OTIO
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from workbench.campaign import Campaign
from workbench.catalog import Catalog, ConceptRecord, counting_verdict
from workbench.errors import InputError
from workbench.files import (
    DiskFull, FileHashes, check_concept_file, file_hash, is_disk_full, reading_concept_image, remove_stale_parts,
)
from workbench.kits import BrandKit
from workbench.parade.timeline import Timeline, first_frame_at, plan_timeline
from workbench.provenance.aigc import COMPOSITE
from workbench.provenance.labeller import Labeller

__all__ = ["Film", "FilmResult", "choose_floats", "film_manifest", "prepare_film", "render_film", "render_films"]

SEGMENT_SECONDS = 10.0  # a killed render loses at most this much work


@dataclass(frozen=True)
class FilmResult:
    """One written film: the MP4, its manifest, which brands are in it and which were left out."""

    path: Path
    manifest_path: Path
    brands: list[str]
    skipped: list[str]
    seconds: float  # render wall time


def choose_floats(kits: list[BrandKit], catalog: Catalog) -> tuple[list[tuple[BrandKit, ConceptRecord]], list[str]]:
    """Each brand's approved concept with the most stars (ties: earliest seed, then id), and the brands without one.

    A brand with no approved concept is left out with a warning naming it.
    """
    stars = catalog.stars()
    chosen, skipped = [], []
    for kit in kits:
        approved = catalog.approved(kit.slug)  # ordered by seed, then id
        if not approved:
            warnings.warn(f"{kit.slug}: no approved concept, left out of the parade film", stacklevel=2)
            skipped.append(kit.slug)
            continue
        chosen.append((kit, max(approved, key=lambda record: stars.get(record.id, 0))))  # max keeps the first best
    return chosen, skipped


@dataclass(frozen=True)
class Film:
    """One aspect of a campaign's parade, ready to render: the composed parade and what went into it.

        >>> film = prepare_film(campaign, kits, catalog, "16:9")
        >>> film.parade.frame(film.timeline.slots[0].hold_mid).shape
        (1080, 1920, 3)
    """

    campaign: Campaign
    aspect: str
    chosen: list[tuple[BrandKit, ConceptRecord]]
    skipped: list[str]
    timeline: Timeline
    parade: Any  # compositor.Parade (imported lazily: importing this package stays light)

    @property
    def stem(self) -> str:
        return f"{self.campaign.name}_{self.aspect.replace(':', 'x')}"

    @property
    def size(self) -> tuple[int, int]:
        return self.parade.stage.width, self.parade.stage.height

    def fingerprint(self) -> str:
        """A digest of every input that decides the film's pictures, for resuming safely. The music counts
        only through the timeline it shapes (beat sync), a backdrop plate by its bytes."""
        film = self.campaign.film.model_dump(mode="json", exclude={"audio"})
        labels = self.campaign.labels.model_dump(mode="json", exclude={"producer"})  # the producer is metadata only
        plate = self.campaign.film.backdrop.path
        inputs = {
            "campaign": [self.campaign.name, self.campaign.title, self.campaign.end_card], "film": film,
            "labels": [labels, self.campaign.label_text],
            "timeline": dataclasses.asdict(self.timeline),  # every cut, where beats moved them
            "plate": file_hash(plate) if plate is not None and plate.is_file() else None,
            "aspect": self.aspect, "size": self.size,
            "floats": [[record.id, record.content_hash] for _kit, record in self.chosen],
            "kits": [[kit.model_dump(mode="json"), file_hash(kit.logo_path)] for kit, _record in self.chosen],
        }
        return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()


def prepare_film(
    campaign: Campaign, kits: list[BrandKit], catalog: Catalog, aspect: str, hashes: FileHashes | None = None,
) -> Film:
    """Choose the floats, plan the timeline and build the parade for one aspect ("16:9" or "9:16").

    Each float's file must be the one its catalog row records (same sha256: not replaced, not cut
    short), or a ConceptFileError names it; `hashes` lets several calls of one render read each file once.
    """
    from workbench.marks import FloatLayout
    from workbench.parade.compositor import Parade
    from workbench.parade.harmonise import marked_cutout
    from workbench.parade.layers.plate import with_made_plate
    from workbench.parade.stages import stage_for

    hashes = hashes or FileHashes()

    stage = stage_for(aspect, campaign.film.size(aspect))
    chosen, skipped = choose_floats(kits, catalog)
    if not chosen:
        raise InputError(
            campaign.catalog_path, "reviews",
            f"no approved concept in campaign {campaign.name!r} for {', '.join(k.slug for k in kits) or 'any brand'}; "
            "approve some in 03_curate or with `workbench review`",
        )
    floats = []
    for kit, record in chosen:
        image_path = check_concept_file(catalog.image_path(record), record.id, record.content_hash, hashes)
        with reading_concept_image(image_path, record.id):
            floats.append((kit, marked_cutout(image_path, FloatLayout.from_settings(record.settings))))
    campaign = with_made_plate(campaign, [kit for kit, _record in chosen], catalog, stage, aspect)
    timeline = plan_timeline(campaign.film, [(kit.slug, record.id) for kit, record in chosen])
    parade = Parade.build(campaign, stage, timeline, floats)
    return Film(campaign, aspect, chosen, skipped, timeline, parade)


def render_film(
    campaign: Campaign, kits: list[BrandKit], catalog: Catalog, aspect: str, progress: bool = True,
    resume: bool = True, segment_seconds: float = SEGMENT_SECONDS, hashes: FileHashes | None = None,
    labeller: Labeller | None = None, segments: Any = None,
) -> FilmResult:
    """Render one aspect ("16:9" or "9:16") to `<films_dir>/<campaign>_<16x9|9x16>.mp4` plus its manifest.

    The film is encoded in segments of `segment_seconds` kept in a hidden work folder beside it until
    the film is complete; with `resume`, segments a killed render finished are used again. They are
    encoded here, one after another, or by `segments` (an `encode.SegmentEncoder`: a cluster's places each
    on a worker); each segment's x264 runs `compute.segment_threads` threads, so its bytes are the same
    wherever it is encoded. A render that runs out of disk space removes its
    segments (they would keep the disk full) and raises DiskFull.
    The MP4 carries the AI-content labels (`labeller`, by default the campaign's): the visible one in
    its frames, the implicit one in its metadata, and a C2PA signature when a key is configured.
    """
    labeller = labeller or Labeller.for_campaign(campaign)  # a configured signing key is checked before the render
    render = _start_render(campaign, kits, catalog, aspect, resume, segment_seconds, hashes)
    return _finish_render(render, _encode_render(render, segments, progress), catalog, labeller)


def render_films(
    campaign: Campaign, kits: list[BrandKit], catalog: Catalog, progress: bool = True, resume: bool = True,
    labeller: Labeller | None = None, segments: Any = None,
) -> list[FilmResult]:
    """Render every aspect in campaign.film.aspects (each concept file is read and checked once for all).

    With a cluster's `segments` encoder every aspect's segments are handed to it at once (the films are
    prepared and joined here, one after another); in-process, the aspects render one after another."""
    hashes = FileHashes()
    labeller = labeller or Labeller.for_campaign(campaign)
    if segments is None:
        return [render_film(campaign, kits, catalog, aspect, progress, resume, hashes=hashes, labeller=labeller)
                for aspect in campaign.film.aspects]
    from concurrent.futures import ThreadPoolExecutor

    renders = [_start_render(campaign, kits, catalog, aspect, resume, SEGMENT_SECONDS, hashes)
               for aspect in campaign.film.aspects]
    with ThreadPoolExecutor(max_workers=len(renders), thread_name_prefix="film") as pool:
        encoded = [pool.submit(_encode_render, render, segments, False) for render in renders]
        parts = [future.result() for future in encoded]
    return [_finish_render(render, render_parts, catalog, labeller) for render, render_parts in zip(renders, parts)]


@dataclass(frozen=True)
class _Render:
    """One aspect's render under way: the prepared film, where it goes, and how it is cut and encoded."""

    film: Film
    path: Path
    manifest_path: Path
    work_dir: Path
    video: Any  # encode.VideoFormat
    segments: Any  # encode.Segments
    started: float


def _start_render(campaign: Campaign, kits: list[BrandKit], catalog: Catalog, aspect: str, resume: bool,
                  segment_seconds: float, hashes: FileHashes | None) -> _Render:
    from workbench.parade.encode import Segments, VideoFormat, check_audio

    started = time.perf_counter()
    if campaign.film.audio is not None:  # a bad track is found now, not after the whole video is encoded
        check_audio(campaign.film.audio)
    film = prepare_film(campaign, kits, catalog, aspect, hashes)
    work_dir = campaign.films_dir / f".{film.stem}.segments"
    if not resume:
        shutil.rmtree(work_dir, ignore_errors=True)
    for folder in (campaign.films_dir, work_dir):  # temp files of a killed render
        remove_stale_parts(folder)
    video = VideoFormat.for_film(campaign.film, film.size, threads=campaign.compute.segment_threads)
    segments = Segments.for_film(film.timeline.duration, video.fps, segment_seconds)
    return _Render(film, campaign.films_dir / f"{film.stem}.mp4", campaign.films_dir / f"{film.stem}.json", work_dir,
                   video, segments, started)


def _encode_render(render: _Render, segments: Any, progress: bool) -> list[Path]:
    from workbench.parade.art import ArtCache
    from workbench.parade.encode import render_segments

    film = render.film
    with reporting_full_disk(film.campaign.films_dir, film.stem, remove_when_full=render.work_dir):
        return render_segments(film.parade.frame, render.segments, render.video, render.work_dir, film.fingerprint(),
                               progress, segments, fresh_frames=lambda: dataclasses.replace(film.parade, art=ArtCache()))


def _finish_render(render: _Render, parts: list[Path], catalog: Catalog, labeller: Labeller) -> FilmResult:
    from workbench.parade.encode import fit_music, join_segments, write_manifest

    film, campaign = render.film, render.film.campaign
    with reporting_full_disk(campaign.films_dir, film.stem, remove_when_full=render.work_dir):
        music = None
        if campaign.film.audio is not None:
            music = fit_music(campaign.film.audio, render.segments.frame_count / render.video.fps,
                              render.work_dir / "music.wav")
        join_segments(parts, render.path, music, tags=labeller.mp4_metadata(film.stem),
                      finish=lambda joined: label_film(joined, film, catalog, labeller))
        write_manifest(render.manifest_path, film_manifest(film, catalog, render.segments))
    shutil.rmtree(render.work_dir, ignore_errors=True)
    return FilmResult(render.path, render.manifest_path, [kit.slug for kit, _ in film.chosen], film.skipped,
                      time.perf_counter() - render.started)


def label_film(path: Path, film: Film, catalog: Catalog, labeller: Labeller, produce_id: str | None = None,
               shown: list[ConceptRecord] | None = None) -> None:
    """An MP4's implicit label (XMP; ProduceID the film's name, or `produce_id` for a clip cut from it) and,
    with a key, its C2PA signature: the concepts it shows (`shown`, by default the film's) as ingredients,
    and what the manifest says of them as provenance. Called on the finished file before it takes its name."""
    produce_id = produce_id or film.stem
    shown = [record for _kit, record in film.chosen] if shown is None else shown
    labels = film.campaign.labels  # the film's own (a social clip shows its label throughout)
    visible = {"text": film.campaign.label_text, **labels.film.model_dump()} if film.parade.layers.labels else None
    labeller.append_mp4_xmp(path, produce_id, COMPOSITE, visible)
    concepts = {record.id: concept_provenance(record, catalog) for record in shown}
    labeller.sign(path, title=produce_id, source_type=COMPOSITE,
                  provenance={"film": produce_id, "aspect": film.aspect, "concepts": concepts},
                  ingredients=[catalog.image_path(record) for record in shown], suffix=".mp4")


@contextmanager
def reporting_full_disk(folder: Path, what: str, remove_when_full: Path | None = None) -> Iterator[None]:
    """A full disk while writing `what` into `folder` as one DiskFull naming the folder; `remove_when_full`
    (a render's work folder) is deleted first, so a failed render gives its space back."""
    try:
        yield
    except (DiskFull, OSError) as error:
        if not (isinstance(error, DiskFull) or is_disk_full(error)):
            raise
        freed = ""
        if remove_when_full is not None and remove_when_full.exists():
            shutil.rmtree(remove_when_full, ignore_errors=True)
            freed = "; the render's finished segments were deleted to give the space back"
        raise DiskFull(folder, "disk", f"no space left on the device while writing {what}{freed};"
                                       " free some space and run it again") from None


def film_manifest(film: Film, catalog: Catalog, segments=None) -> dict:
    """What the film shows, frame by frame: each part's seconds and frames [first, stop), each brand's
    concept and logo box, and each concept's prompt, seed, backend and the review that approved it."""
    fps = film.campaign.film.fps
    parts = []
    for segment in film.timeline.segments():  # cards, brands, and the chapter cards and cutaways between sections
        entry = {"kind": segment.kind, "start": round(segment.start, 4), "end": round(segment.end, 4),
                 "frames": [first_frame_at(segment.start, fps), first_frame_at(segment.end, fps)]}
        if segment.kind == "chapter":
            entry["title"] = segment.text
        if segment.kind == "brand":
            entry.update(
                brand=segment.brand, concept_id=segment.concept_id, shot=segment.shot,
                hold_start=round(segment.hold_start, 4), hold_end=round(segment.hold_end, 4),
                hold_frames=[first_frame_at(segment.hold_start, fps), first_frame_at(segment.hold_end, fps)],
                logo_box=list(film.parade.banner(segment.index).logo_box),
                text_box=list(film.parade.banner(segment.index).text_box),
            )
        parts.append(entry)
    manifest = {
        "campaign": film.campaign.name, "aspect": film.aspect, "size": list(film.size), "fps": fps,
        "duration": round(film.timeline.duration, 4), "frame_count": first_frame_at(film.timeline.duration, fps),
        "segments": parts,
        "label": label_manifest(film),
        "concepts": {record.id: concept_provenance(record, catalog) for _kit, record in film.chosen},
    }
    if segments is not None:
        manifest["render"] = {"segment_frames": segments.length, "segments": len(segments.ranges())}
    return manifest


def label_manifest(film: Film) -> dict | None:
    """Where and when the film shows its visible AI-content label (None when it shows none)."""
    labels = film.parade.layers.labels
    if not labels:
        return None
    fps = film.campaign.film.fps
    spans = [label.span for label in labels]
    return {"text": film.campaign.label_text, "box": list(labels[0].box),
            "spans": [[round(start, 4), round(end, 4)] for start, end in spans],
            "frames": [[first_frame_at(start, fps), first_frame_at(end, fps)] for start, end in spans]}


def concept_provenance(record: ConceptRecord, catalog: Catalog) -> dict:
    """Where a concept came from and who approved it: the review whose verdict counts, chosen by the
    catalog's own rule (`counting_verdict`), so the film credits the same decision the catalog counts."""
    latest_by_role = {review.role: review for review in catalog.history(record.id) if review.verdict is not None}
    approval = counting_verdict(latest_by_role)  # the same precedence, applied to each role's latest review
    return {
        "brand": record.brand, "prompt": record.prompt, "negative_prompt": record.negative_prompt,
        "seed": record.seed, "backend": record.backend, "model": record.model, "content_hash": record.content_hash,
        "image": record.path, "stars": catalog.stars().get(record.id),
        "reviewer": approval.reviewer if approval else None, "reviewer_role": approval.role if approval else None,
        "approved_at": approval.created_at if approval else None,
    }
