"""Make the seeds reviewers queued with "make more like this".

A request names a brand, a backend, a prompt and a seed. It is made with the ordinary generation
step (same ids, same files, same catalog rows), one brand at a time, with the campaign's seeds
swapped for the queued ones. A request whose prompt no longer matches what the campaign builds for
the brand (the brief or the kit changed since) is reported, not silently made with another prompt.

    >>> report = make_requested(campaign, kits, catalog)
    >>> print(report)
    made 4, skipped 0, failed 0
"""

from __future__ import annotations

from collections import defaultdict

from workbench.campaign import Campaign
from workbench.catalog import Catalog
from workbench.generate import GenerationReport, generate_campaign
from workbench.kits import BrandKit
from workbench.prompts import build_prompt


def make_requested(campaign: Campaign, kits: list[BrandKit], catalog: Catalog, progress: bool = False) -> GenerationReport:
    """Generate every pending queued seed for `kits`; returns what was made, skipped and why some failed."""
    report = GenerationReport()
    by_kit = {kit.slug: kit for kit in kits}
    wanted: dict[tuple[str, str], list[int]] = defaultdict(list)
    for request in catalog.seed_requests(pending_only=True):
        kit = by_kit.get(request.brand)
        if kit is None:
            continue  # a brand outside this run
        if build_prompt(kit, campaign.prompt).text != request.prompt:
            report.failed.append((f"{request.brand} seed {request.seed}",
                                  "the campaign's prompt for this brand changed since the request"))
            continue
        wanted[(request.brand, request.backend)].append(request.seed)
    for (brand, backend), seeds in wanted.items():
        queued = campaign.with_changes(generation={"backend": backend, "seeds": seeds})
        made = generate_campaign(queued, [by_kit[brand]], catalog, progress=progress)
        report.made += made.made
        report.skipped += made.skipped
        report.failed += made.failed
        report.seconds += made.seconds
    return report
