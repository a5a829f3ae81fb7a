"""Craft: sharp (against the brand's other concepts), not clipped to black or white, not noisy.

    >>> judge(measure(subject), brand_sharpness=410.0, thresholds=thresholds).reasons
    ('blurred: sharpness 12% of the brand's median',)
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from workbench.i18n import N_
from workbench.triage.check import CheckResult, Reason, clamp, percent
from workbench.triage.image import Subject

INTERIOR_ERODE = 9  # px: the float's own edge against transparency is not sharpness
NOISE_SCALE = 1.4826  # median absolute deviation -> standard deviation for Gaussian noise


def measure(subject: Subject) -> dict[str, Any]:
    interior = cv2.erode(subject.mask.astype(np.uint8), np.ones((INTERIOR_ERODE, INTERIOR_ERODE), np.uint8)) > 0
    if interior.sum() < 100:
        return {"sharpness": 0.0, "clipped": 0.0, "noise": 0.0, "interior": int(interior.sum())}
    rgb = subject.rgba[:, :, :3]
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    laplacian = cv2.Laplacian(grey, cv2.CV_32F)
    residual = grey.astype(np.int16) - cv2.medianBlur(grey, 3).astype(np.int16)
    pixels = rgb[interior]
    clipped = (pixels.min(axis=1) >= 250) | (pixels.max(axis=1) <= 5)
    return {
        "sharpness": round(float(laplacian[interior].var()), 2),
        "clipped": round(float(clipped.mean()), 4),
        "noise": round(float(NOISE_SCALE * np.median(np.abs(residual[interior]))), 2),
        "interior": int(interior.sum()),
    }


def judge(measures: dict[str, Any], brand_sharpness: float, thresholds) -> CheckResult:
    """`brand_sharpness`: the median sharpness of the brand's concepts (this one included)."""
    if measures["interior"] < 100:
        return CheckResult(0.0, True, (Reason(N_("too little float to judge its craft")),))
    reasons = []
    score = 100.0
    ratio = measures["sharpness"] / brand_sharpness if brand_sharpness > 0 else 1.0
    if ratio < thresholds.sharpness_ratio:
        reasons.append(Reason(N_("blurred: sharpness {share} of the brand's median"), share=percent(ratio)))
        score = min(score, clamp(100 * ratio))
    if measures["noise"] > thresholds.noise_sigma:
        reasons.append(Reason(N_("noisy: grain of {levels} grey levels"), levels=f"{measures['noise']:.1f}"))
        score = min(score, clamp(100 * thresholds.noise_sigma / measures["noise"] - 20))
    if measures["clipped"] > thresholds.clipped_share:
        reasons.append(Reason(N_("clipped exposure: {share} of the float pure black or white"),
                              share=percent(measures["clipped"])))
        score = min(score, clamp(100 - 150 * measures["clipped"]))
    return CheckResult(score, bool(reasons), tuple(reasons))
