"""The parade film: each brand's best approved float rolls down a festive street, 16:9 and 9:16.

    >>> result = render_film(campaign, kits, catalog, "9:16")
    >>> result.path.name, result.brands
    ('festival-demo_9x16.mp4', ['lotus-tea', 'tern-motors'])
    >>> results = render_films(campaign, kits, catalog)  # every aspect in campaign.film.aspects

Next to each MP4, a JSON manifest says when each brand holds the front and where its logo is.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from workbench.campaign import Campaign
from workbench.catalog import Catalog, ConceptRecord
from workbench.errors import InputError
from workbench.kits import BrandKit
from workbench.parade.timeline import BrandSlot, Timeline, plan_timeline

__all__ = ["FilmResult", "choose_floats", "render_film", "render_films"]


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


def render_film(
    campaign: Campaign, kits: list[BrandKit], catalog: Catalog, aspect: str, progress: bool = True
) -> FilmResult:
    """Render one aspect ("16:9" or "9:16") to `<films_dir>/<campaign>_<16x9|9x16>.mp4` plus its manifest."""
    from workbench.parade.compositor import Parade, float_cutout, stage_for
    from workbench.parade.encode import encode, write_manifest

    started = time.perf_counter()
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
        image_path = catalog.image_path(record)
        if not image_path.is_file():
            raise InputError(image_path, "image", f"approved concept {record.id!r} has no image file")
        floats.append((kit, float_cutout(image_path)))

    timeline = plan_timeline(campaign.film, [(kit.slug, record.id) for kit, record in chosen])
    parade = Parade.build(campaign, stage, timeline, floats)
    stem = f"{campaign.name}_{aspect.replace(':', 'x')}"
    path = campaign.films_dir / f"{stem}.mp4"
    manifest_path = campaign.films_dir / f"{stem}.json"
    encode(parade.clip(), path, campaign.film, progress)
    logo_boxes = [banner.logo_box for banner in parade.banners]
    write_manifest(manifest_path, _manifest(campaign, aspect, (stage.width, stage.height), timeline, logo_boxes))
    return FilmResult(path, manifest_path, [kit.slug for kit, _ in chosen], skipped, time.perf_counter() - started)


def render_films(campaign: Campaign, kits: list[BrandKit], catalog: Catalog, progress: bool = True) -> list[FilmResult]:
    """Render every aspect in campaign.film.aspects."""
    return [render_film(campaign, kits, catalog, aspect, progress) for aspect in campaign.film.aspects]


def _manifest(
    campaign: Campaign, aspect: str, size: tuple[int, int], timeline: Timeline,
    logo_boxes: list[tuple[int, int, int, int]],
) -> dict:
    segments = []
    for segment in timeline.segments():
        entry = {"kind": "brand" if isinstance(segment, BrandSlot) else segment.kind,
                 "start": round(segment.start, 4), "end": round(segment.end, 4)}
        if isinstance(segment, BrandSlot):
            entry.update(
                brand=segment.brand, concept_id=segment.concept_id,
                hold_start=round(segment.hold_start, 4), hold_end=round(segment.hold_end, 4),
                logo_box=list(logo_boxes[segment.index]),
            )
        segments.append(entry)
    return {
        "campaign": campaign.name, "aspect": aspect, "size": list(size), "fps": campaign.film.fps,
        "duration": round(timeline.duration, 4), "segments": segments,
    }
