"""Palette: the float's colours against the kit's, in CIELAB with CIEDE2000 (scikit-image).

The references are the kit's four colours with their tints and shades (a float is shaded, so a
darker primary is still the primary). Near-neutral pixels (outlines, highlights, shadows) are
neither on- nor off-brand and are left out. Measured once: a histogram of each colourful pixel's
distance to the nearest reference, and the dominant colours (k-means in Lab); thresholds are
applied to those, so a changed threshold re-decides without reading the image again.

    >>> judge(measure(subject, kit), thresholds).reasons
    ('off-brand colour #2F7BD6 covers 34% of the float (ΔE 41 from the nearest brand colour)',)
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from workbench.colours import mix
from workbench.kits import BrandKit
from workbench.i18n import N_
from workbench.triage.check import CheckResult, Reason, percent
from workbench.triage.image import Subject, scaled

SAMPLE_LONG_SIDE = 160  # colours, not details: a small float has them all
SOLID = 220  # only pixels well inside the float (edges mix with what is behind)
NEUTRAL_CHROMA = 9.0  # Lab chroma under which a pixel is a grey, black or white
TINTS = (0.0, 0.25, 0.5)  # towards white and towards black
DOMINANT_COLOURS = 5
HISTOGRAM_BINS = 100  # ΔE 0..99 in steps of 1; the last bin holds everything farther


def references(kit: BrandKit) -> np.ndarray:
    """The kit's colours with their tints and shades, in Lab (N x 3)."""
    colours = []
    for role in ("primary", "secondary", "accent", "background"):
        rgb = kit.palette.rgb(role)
        for amount in TINTS:
            colours += [mix(rgb, (255, 255, 255), amount), mix(rgb, (0, 0, 0), amount)]
    return _lab(np.array(sorted(set(colours)), np.uint8))


def measure(subject: Subject, kit: BrandKit) -> dict[str, Any]:
    from skimage.color import deltaE_ciede2000

    small, _ = scaled(subject.rgba, SAMPLE_LONG_SIDE)
    pixels = small[small[:, :, 3] >= SOLID][:, :3]
    if len(pixels) == 0:
        return {"pixels": 0, "colourful": 0, "histogram": [], "dominant": []}
    # Each distinct colour once, weighted by how many pixels have it (flat art has few colours).
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    lab = _lab(colours)
    is_colourful = np.hypot(lab[:, 1], lab[:, 2]) >= NEUTRAL_CHROMA
    refs = references(kit)
    nearest = (deltaE_ciede2000(lab[is_colourful][:, None, :], refs[None, :, :]).min(axis=1)
               if is_colourful.any() else np.zeros(0))
    histogram = np.bincount(np.minimum(nearest.astype(int), HISTOGRAM_BINS - 1), weights=counts[is_colourful],
                            minlength=HISTOGRAM_BINS).astype(int)
    colourful = np.repeat(lab[is_colourful], counts[is_colourful], axis=0)
    return {"pixels": int(len(pixels)), "colourful": int(counts[is_colourful].sum()), "histogram": histogram.tolist(),
            "dominant": _dominant(colourful, refs, len(pixels))}


def judge(measures: dict[str, Any], thresholds) -> CheckResult:
    if measures["pixels"] == 0:
        return CheckResult(0.0, True, (Reason(N_("no float pixels to judge colour by")),))
    if measures["colourful"] < 0.05 * measures["pixels"]:
        return CheckResult(100.0)  # a float in greys and black and white takes no brand colour wrong
    histogram = np.array(measures["histogram"])
    limit = int(thresholds.off_brand_delta_e)
    on_brand = histogram[:limit].sum() / max(1, histogram.sum())
    reasons = []
    off = [colour for colour in measures["dominant"]
           if colour["share"] >= thresholds.off_brand_share and colour["delta_e"] > thresholds.off_brand_delta_e]
    for colour in off:
        reasons.append(Reason(N_("off-brand colour {colour} covers {share} of the float"
                                 " (ΔE {delta_e} from the nearest brand colour)"),
                              colour=colour["hex"], share=percent(colour["share"]), delta_e=f"{colour['delta_e']:.0f}"))
    if on_brand < thresholds.on_brand_share:
        reasons.append(Reason(N_("only {share} of the float's colour is near the brand palette"), share=percent(on_brand)))
    return CheckResult(100 * on_brand, bool(reasons), tuple(reasons))


def _lab(rgb: np.ndarray) -> np.ndarray:
    from skimage.color import rgb2lab

    return rgb2lab(rgb.reshape(-1, 1, 3).astype(np.float64) / 255).reshape(-1, 3)


def _dominant(colourful: np.ndarray, refs: np.ndarray, float_pixels: int) -> list[dict[str, Any]]:
    """The main colours (k-means in Lab, repeatable), each with its share of the float and ΔE to the kit."""
    from skimage.color import deltaE_ciede2000, lab2rgb

    count = min(DOMINANT_COLOURS, len(colourful))
    if count == 0:
        return []
    cv2.setRNGSeed(0)  # k-means starts from random centres: pin them, so triage is repeatable
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, centres = cv2.kmeans(colourful.astype(np.float32), count, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    shares = np.bincount(labels.ravel(), minlength=count) / float_pixels
    distances = deltaE_ciede2000(centres[:, None, :].astype(np.float64), refs[None, :, :]).min(axis=1)
    rgb = np.clip(lab2rgb(centres.reshape(-1, 1, 3).astype(np.float64)).reshape(-1, 3) * 255, 0, 255).round()
    colours = [{"hex": "#{:02X}{:02X}{:02X}".format(*map(int, rgb[index])), "share": round(float(shares[index]), 4),
                "delta_e": round(float(distances[index]), 1)} for index in range(count)]
    return sorted(colours, key=lambda colour: -colour["share"])
