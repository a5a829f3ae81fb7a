"""Triage a campaign: measure what is new, decide every concept, record the policy's decisions.

    >>> report = triage_campaign(campaign, kits, catalog)
    >>> print(report)
    triaged 40 concepts (measured 40, reused 0) in 9.8s: 31 passed, 6 flagged, 3 duplicates
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from PIL import Image
from tqdm.auto import tqdm

from workbench.campaign import Campaign, TriageSettings
from workbench.catalog import TRIAGE_ROLE, Catalog, ConceptRecord, TriageResult
from workbench.files import atomic_path
from workbench.i18n import Translator, _, translator
from workbench.kits import BrandKit
from workbench.marks import FloatLayout
from workbench.triage.image import Subject
from workbench.triage.ocr import RapidOcrReader, TextReader
from workbench.triage.scoring import Decision, decide_brand, measure_concept

TRIAGE_VERSION = "1"  # bump when a check measures differently: every concept is measured again
REVIEWER = "triage"
REPORT_COLUMNS = ("concept_id", "brand", "source", "score", "flagged", "reasons")


@dataclass
class BrandTally:
    """How one brand's concepts came out of triage."""

    passed: int = 0
    flagged: int = 0
    duplicate: int = 0

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


@dataclass
class TriageReport:
    measured: int = 0
    reused: int = 0
    brands: dict[str, BrandTally] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)  # auto-rejected by triage this run
    shortlisted: list[str] = field(default_factory=list)  # approved by triage this run
    withdrawn: list[str] = field(default_factory=list)  # triage verdicts a changed policy took back
    failed: list[tuple[str, str]] = field(default_factory=list)  # (concept id, why it could not be read)
    seconds: float = 0.0

    def totals(self) -> BrandTally:
        return BrandTally(*(sum(getattr(tally, status) for tally in self.brands.values())
                            for status in ("passed", "flagged", "duplicate")))

    def __str__(self) -> str:
        return self.describe()

    def describe(self, tr: Translator | None = None) -> str:
        """What the CLI and 02_generate print, in `tr`'s language (None: the process's); ids and errors as they are."""
        tr = tr or translator()
        total = self.totals()
        text = tr._("triaged {count} concepts (measured {measured}, reused {reused}) in {seconds}s:"
                    " {passed} passed, {flagged} flagged, {duplicate} duplicates").format(
            count=self.measured + self.reused, measured=self.measured, reused=self.reused, seconds=f"{self.seconds:.1f}",
            passed=total.passed, flagged=total.flagged, duplicate=total.duplicate)
        if self.rejected or self.shortlisted or self.withdrawn:
            text += "\n  " + tr._("triage rejected {rejected}, shortlisted {shortlisted}").format(
                rejected=len(self.rejected), shortlisted=len(self.shortlisted))
            text += tr._(", withdrew {count}").format(count=len(self.withdrawn)) if self.withdrawn else ""
        return text + "".join("\n  " + tr._("failed {what}: {why}").format(what=concept_id, why=why)
                              for concept_id, why in self.failed)


def triage_campaign(
    campaign: Campaign,
    kits: list[BrandKit],
    catalog: Catalog,
    reader: TextReader | None = None,
    workers: int | None = None,
    progress: bool = True,
    measurer: Measurer | None = None,
) -> TriageReport:
    """Score every concept of `kits` in the catalog, record flags, rejections and the shortlist.

    Concepts already measured by this triage version (same image file) are not read again; every
    concept is re-decided under the campaign's current `triage` settings. `reader` reads lettering in
    this process; without one, `workers` processes (default: the CPU count) each load their own.
    `measurer` measures elsewhere instead (`workbench.cluster`'s on Ray); results are recorded here.
    """
    started = time.perf_counter()
    report = TriageReport()
    settings = campaign.triage
    by_slug = {kit.slug: kit for kit in kits}
    records = [record for record in catalog.concepts() if record.brand in by_slug and record.status == "ok"]
    known = catalog.triage_results(TRIAGE_VERSION)
    measures: dict[str, dict[str, Any]] = {}
    to_measure = []
    for record in records:
        previous = known.get(record.id)
        if previous is not None and previous.content_hash == record.content_hash:
            measures[record.id] = previous.measures
            report.reused += 1
        else:
            to_measure.append(record)
    jobs = [(record.id, str(catalog.image_path(record)), record.settings, by_slug[record.brand]) for record in to_measure]
    bar = tqdm(total=len(jobs), desc=_("triage"), unit="concept", disable=not progress)
    measured = measurer(jobs) if measurer is not None else _measure_all(jobs, reader, workers)
    for concept_id, result in measured:
        bar.update(1)
        if isinstance(result, str):
            report.failed.append((concept_id, result))
        else:
            measures[concept_id] = result
            report.measured += 1
    bar.close()
    policy = policy_hash(settings)
    results: list[TriageResult] = []
    decisions: dict[str, Decision] = {}
    hashes = {record.id: record.content_hash for record in records}
    for slug, kit in by_slug.items():
        brand_measures = {record.id: measures[record.id] for record in records
                          if record.brand == slug and record.id in measures}
        brand_decisions = decide_brand(brand_measures, kit, settings)
        decisions.update(brand_decisions)
        tally = report.brands.setdefault(slug, BrandTally())
        for concept_id, decision in brand_decisions.items():
            tally.add(decision.status)
            results.append(TriageResult(
                concept_id, TRIAGE_VERSION, hashes[concept_id], brand_measures[concept_id], decision.score,
                decision.status, decision.duplicate_of,
                {name: check.as_dict() for name, check in decision.checks.items()}, policy))
    catalog.save_triage(results)
    _record_policy(catalog, records, decisions, settings, report)
    report.seconds = time.perf_counter() - started
    return report


def policy_hash(settings: TriageSettings) -> str:
    """A short hash of the thresholds and policy: rows decided under other settings are told apart."""
    text = json.dumps(settings.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(f"{TRIAGE_VERSION}|{text}".encode()).hexdigest()[:12]


def shortlist(records: list[ConceptRecord], decisions: dict[str, Decision], count: int) -> set[str]:
    """The best `count` passed concepts of each brand (ties by id, so the choice is stable)."""
    chosen: set[str] = set()
    by_brand: dict[str, list[ConceptRecord]] = {}
    for record in records:
        if record.id in decisions and decisions[record.id].status == "passed":
            by_brand.setdefault(record.brand, []).append(record)
    for brand_records in by_brand.values():
        ranked = sorted(brand_records, key=lambda record: (-decisions[record.id].score, record.id))
        chosen |= {record.id for record in ranked[:count]}
    return chosen


def _record_policy(catalog: Catalog, records: list[ConceptRecord], decisions: dict[str, Decision],
                   settings: TriageSettings, report: TriageReport) -> None:
    """Triage's verdicts as reviews by the role 'triage': only where they change, never over a person."""
    by_role = catalog.verdicts_by_role()
    chosen = shortlist(records, decisions, settings.shortlist)
    for concept_id, decision in decisions.items():
        roles = by_role.get(concept_id, {})
        current = roles.get(TRIAGE_ROLE)
        wanted, reason = None, "no longer picked by the triage policy"
        if settings.auto_reject is not None and decision.score < settings.auto_reject:
            wanted = "rejected"
            reason = f"triage score {decision.score:.0f}: " + "; ".join(decision.reasons[:3])
        elif concept_id in chosen:
            wanted, reason = "approved", f"triage shortlist (score {decision.score:.0f})"
        if wanted == current:
            continue
        person_decided = "designer" in roles or "art_director" in roles
        if wanted is not None and person_decided:
            continue  # a person's verdict stands; triage adds nothing to it
        catalog.review(concept_id, verdict=wanted, reason=reason, reviewer=REVIEWER, role=TRIAGE_ROLE)
        if wanted == "rejected":
            report.rejected.append(concept_id)
        elif wanted == "approved":
            report.shortlisted.append(concept_id)
        else:
            report.withdrawn.append(concept_id)


def write_report_csv(catalog: Catalog, kits: list[BrandKit], path: Path | str) -> Path:
    """`concept_id, brand, source, score, flagged, reasons` for every triaged concept of `kits`, best first
    per brand; `source` is an imported concept's original file name."""
    slugs = [kit.slug for kit in kits]
    results = catalog.triage_results()
    records = [record for record in catalog.concepts() if record.brand in slugs and record.id in results]
    records.sort(key=lambda record: (slugs.index(record.brand), -results[record.id].score, record.id))
    path = Path(path)
    with atomic_path(path) as temp:
        with open(temp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(REPORT_COLUMNS)
            for record in records:
                result = results[record.id]
                writer.writerow([record.id, record.brand, record.settings.get("source", ""), f"{result.score:.1f}",
                                 "yes" if result.status != "passed" else "no", "; ".join(result.reasons)])
    return path


# Measuring, in this process or in worker processes ---------------------------------------------

Job = tuple[str, str, dict, BrandKit]  # concept id, image path, its settings, its kit
Measurer = Callable[[list[Job]], Iterator[tuple[str, Any]]]  # (concept id, measures or why it failed), as done


def _measure_all(jobs: list[Job], reader: TextReader | None, workers: int | None) -> Iterator[tuple[str, Any]]:
    """(concept id, measures or a one-line reason it failed), job by job."""
    workers = workers or os.cpu_count() or 1
    if reader is not None or workers == 1 or len(jobs) < 4:
        reader = reader or RapidOcrReader()
        for job in jobs:
            yield job[0], _measure_one(job, reader)
        return
    # spawn: worker processes start clean (no forked OCR sessions or threads of the parent)
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=get_context("spawn"),
                             initializer=_start_worker) as pool:
        for concept_id, result in pool.map(_measure_in_worker, jobs, chunksize=2):
            yield concept_id, result


def _measure_one(job: Job, reader: TextReader, image: BinaryIO | None = None) -> dict[str, Any] | str:
    """The job's measures, or a one-line reason; `image` is the file's content when it was sent from elsewhere."""
    concept_id, path, settings, kit = job
    try:
        subject = Subject.open(path if image is None else image, FloatLayout.from_settings(settings))
        return measure_concept(subject, kit, reader)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        return f"{path}: {error}"  # a missing, truncated or oversized file: reported, the rest go on


_worker_reader: TextReader | None = None


def _start_worker() -> None:
    global _worker_reader
    _worker_reader = RapidOcrReader()  # one OCR model per worker process, loaded once


def _measure_in_worker(job: Job) -> tuple[str, dict[str, Any] | str]:
    return job[0], _measure_one(job, _worker_reader)
