"""From pixels to a score: every check measures a concept once; a policy decides from the measures.

Measuring reads the image (OCR, template match, colour statistics) and is the slow part; deciding
is arithmetic on the stored measures, per brand (sharpness is judged against the brand's median,
and near-copies are found among the brand's concepts), so a changed threshold re-decides a whole
campaign in a moment.

    >>> measures = measure_concept(subject, kit, reader)
    >>> decisions = decide_brand({"lotus-tea-s1-3f2a9c1d": measures}, kit, campaign.triage)
    >>> decisions["lotus-tea-s1-3f2a9c1d"].score
    96.4
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from workbench.campaign import TriageSettings
from workbench.kits import BrandKit
from workbench.triage import craft, cutout, duplicates, lettering, logo, palette, product
from workbench.i18n import N_
from workbench.triage.check import FAILED_SCORE_FACTOR, CheckResult, Reason
from workbench.marks import FloatLayout
from workbench.triage.image import Subject
from workbench.triage.ocr import TextReader

CHECKS = ("lettering", "logo", "product", "palette", "cutout", "craft")  # product: only for a kit with one


@dataclass(frozen=True)
class Decision:
    """What the policy made of one concept's measures."""

    score: float
    status: str  # passed | flagged | duplicate
    duplicate_of: str | None
    checks: dict[str, CheckResult]

    @property
    def reasons(self) -> list[str]:
        return [reason for check in self.checks.values() for reason in check.reasons]


def measure_concept(subject: Subject, kit: BrandKit, reader: TextReader) -> dict[str, Any]:
    """Every check's measures of one concept (JSON-able; stored in the catalog)."""
    layout = subject.layout
    return {
        "layout": None if layout is None else layout.as_settings(),
        "size": list(subject.size),
        "lettering": lettering.measure(subject, reader),
        "logo": logo.measure(subject, kit),
        **({"product": product.measure(subject, kit)} if kit.products else {}),
        "palette": palette.measure(subject, kit),
        "cutout": cutout.measure(subject),
        "craft": craft.measure(subject),
        "phash": duplicates.measure(subject),
    }


def decide_brand(measures_by_concept: dict[str, dict[str, Any]], kit: BrandKit,
                 settings: TriageSettings) -> dict[str, Decision]:
    """Score every concept of one brand from its measures; flag failures and near-copies."""
    thresholds = settings.thresholds
    sharpness = [m["craft"]["sharpness"] for m in measures_by_concept.values() if m["craft"]["interior"] >= 100]
    brand_sharpness = statistics.median(sharpness) if sharpness else 0.0
    judged: dict[str, dict[str, CheckResult]] = {}
    for concept_id, measures in measures_by_concept.items():
        layout = FloatLayout.from_settings(measures)
        logo_box = logo.found_box(measures["logo"], thresholds)
        judged[concept_id] = {
            "lettering": lettering.judge(measures["lettering"], kit, layout, logo_box, thresholds),
            "logo": logo.judge(measures["logo"], thresholds),
            **({"product": product.judge(measures["product"], thresholds)} if "product" in measures else {}),
            "palette": palette.judge(measures["palette"], thresholds),
            "cutout": cutout.judge(measures["cutout"], thresholds),
            "craft": craft.judge(measures["craft"], brand_sharpness, thresholds),
        }
    scores = {concept_id: combined_score(checks, settings.weights) for concept_id, checks in judged.items()}
    copies = duplicates.near_copies(
        {concept_id: (measures_by_concept[concept_id]["phash"], score) for concept_id, score in scores.items()
         if not _failed(judged[concept_id])},
        thresholds.duplicate_distance)
    decisions = {}
    for concept_id, checks in judged.items():
        original = copies.get(concept_id)
        if _failed(checks):
            status = "flagged"
        elif original is not None:
            status = "duplicate"
            checks = {**checks, "duplicate": CheckResult(0.0, False, (Reason(N_("near-copy of {id}"), id=original),))}
        else:
            status = "passed"
        decisions[concept_id] = Decision(scores[concept_id], status, original, checks)
    return decisions


def combined_score(checks: dict[str, CheckResult], weights: dict[str, float]) -> float:
    """The weighted mean of the checks' sub-scores, halved when any check failed (so every flagged
    concept ranks under every clean one of similar quality)."""
    total_weight = sum(weights.get(name, 1.0) for name in checks) or 1.0
    mean = sum(weights.get(name, 1.0) * check.score for name, check in checks.items()) / total_weight
    return round(mean * (FAILED_SCORE_FACTOR if _failed(checks) else 1.0), 1)


def _failed(checks: dict[str, CheckResult]) -> bool:
    return any(check.failed for check in checks.values())
