"""Cut-out: the float alone on a transparent background, whole, without holes or a fringe.

    >>> judge(measure(subject), thresholds).reasons
    ('background left in: the image is opaque to its edges',)
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from workbench.i18n import N_
from workbench.triage.check import CheckResult, Reason, clamp, percent
from workbench.triage.image import Subject, scaled

MASK_LONG_SIDE = 256
EDGE_TOUCH = 0.04  # share of one image edge the float may touch (a wheel or a flag tip)
BACKGROUND_LEFT = 0.9  # share of the whole border that is opaque when a background was left in
HOLE_MIN_AREA = 0.002  # of the float's area: smaller gaps are drawing detail
HOLE_COMPACTNESS = 0.5  # area / bounding box: a punched hole is a blob, a gap under a garland is not
HOLE_RING = 9  # px at MASK_LONG_SIDE: a hole is closed in by this much solid float all round
HOLE_SHARE = 0.01
FRINGE = 40.0  # grey levels by which the cut edge is lighter than just inside it
SIDES = ("top", "bottom", "left", "right")
# The sides as a reason names them (the measures' keys are the English words).
SIDE_NAMES = {"top": N_("top"), "bottom": N_("bottom"), "left": N_("left"), "right": N_("right")}


def measure(subject: Subject) -> dict[str, Any]:
    mask = subject.mask
    height, width = mask.shape
    edges = {"top": mask[0, :], "bottom": mask[-1, :], "left": mask[:, 0], "right": mask[:, -1]}
    border = np.concatenate(list(edges.values()))
    return {
        "coverage": round(float(mask.mean()), 4),
        "border_opaque": round(float(border.mean()), 4),
        "edges": {side: round(float(values.mean()), 4) for side, values in edges.items()},
        "holes": _holes(scaled(mask.astype(np.uint8) * 255, MASK_LONG_SIDE, cv2.INTER_NEAREST)[0] >= 128),
        "fringe": _fringe(subject),
    }


def judge(measures: dict[str, Any], thresholds) -> CheckResult:
    reasons = []
    score = 100.0
    if measures["coverage"] < thresholds.empty_share:
        reasons.append(Reason(N_("almost empty: the float covers {share} of the image"), share=percent(measures["coverage"])))
        score = 0.0
    if measures["border_opaque"] >= BACKGROUND_LEFT:
        reasons.append(Reason(N_("background left in: the image is opaque to its edges")))
        score = min(score, 10.0)
    else:
        cut = [side for side in SIDES if measures["edges"][side] > EDGE_TOUCH]
        if cut:
            message = N_("float cut by the {sides} edge of the image") if len(cut) == 1 else N_(
                "float cut by the {sides} edges of the image")
            reasons.append(Reason(message, sides=[SIDE_NAMES[side] for side in cut]))
            score = min(score, 40.0 - 10 * (len(cut) - 1))
    holes = measures["holes"]
    if holes["share"] >= HOLE_SHARE:
        message = N_("{count} hole in the float ({share} of it)") if holes["count"] == 1 else N_(
            "{count} holes in the float ({share} of it)")
        reasons.append(Reason(message, count=holes["count"], share=percent(holes["share"])))
        score = min(score, clamp(45 - 300 * holes["share"]))
    if measures["fringe"] >= FRINGE:
        reasons.append(Reason(N_("light fringe around the cut-out ({levels} levels lighter than inside)"),
                              levels=f"{measures['fringe']:.0f}"))
        score = min(score, 45.0)
    return CheckResult(score, bool(reasons), tuple(reasons))


def _holes(mask: np.ndarray) -> dict[str, Any]:
    """Transparent blobs enclosed by the float: see HOLE_MIN_AREA and HOLE_COMPACTNESS."""
    float_area = int(mask.sum())
    if float_area == 0:
        return {"count": 0, "share": 0.0}
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    height, width = mask.shape
    ring_kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * HOLE_RING + 1, 2 * HOLE_RING + 1))
    holes, area_sum = 0, 0
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if x == 0 or y == 0 or x + w >= width or y + h >= height:
            continue  # reaches the border: the background, not a hole
        if area < HOLE_MIN_AREA * float_area or area / (w * h) < HOLE_COMPACTNESS:
            continue
        window = (slice(max(0, y - HOLE_RING), y + h + HOLE_RING), slice(max(0, x - HOLE_RING), x + w + HOLE_RING))
        component = (labels[window] == label).astype(np.uint8)
        ring = cv2.dilate(component, ring_kernel).astype(bool) & ~component.astype(bool)
        if mask[window][ring].mean() < 0.97:
            continue  # not closed in by solid float (the gap between a string and the deck)
        holes += 1
        area_sum += int(area)
    return {"count": holes, "share": round(area_sum / float_area, 4)}


def _fringe(subject: Subject) -> float:
    """How much lighter the outermost 2 px of the float are than the 4 px inside them."""
    mask = subject.mask.astype(np.uint8)
    if mask.sum() < 100:
        return 0.0
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    inner = cv2.erode(mask, kernel)
    core = cv2.erode(inner, kernel, iterations=2)
    edge_band, inner_band = (mask > inner), (inner > core)
    if edge_band.sum() == 0 or inner_band.sum() == 0:
        return 0.0
    grey = cv2.cvtColor(subject.rgba[:, :, :3], cv2.COLOR_RGB2GRAY).astype(np.float32)
    return round(float(grey[edge_band].mean() - grey[inner_band].mean()), 1)
