"""Logo: the kit's exact logo at its planned place, not covered, altered or cut by the edge.

Finishing puts the logo back pixel-exact, so at the planned box nearly every opaque logo pixel
matches. A concept made elsewhere has no plan: the logo is searched for at several scales
(normalised template matching over the logo's own pixels), and its best match is scored.

    >>> measure(subject, kit)["match"]
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image

from workbench.kits import BrandKit
from workbench.i18n import N_
from workbench.triage.check import CheckResult, Reason, clamp, percent
from workbench.marks import Box
from workbench.triage.image import Subject, scaled

PIXEL_TOLERANCE = 32  # grey levels per channel: resampling and compositing, not a different logo
SOLID = 250  # logo pixels at least this opaque are compared (the soft edge mixes with the float)
SEARCH_LONG_SIDE = 384
SEARCH_SCALES = np.geomspace(0.08, 0.5, 14)  # the logo's long side as a share of the image's


def measure(subject: Subject, kit: BrandKit) -> dict[str, Any]:
    logo = kit.logo_image()
    if subject.layout is not None:
        return match_at(subject, logo, subject.layout.logo_box)
    return search(subject, logo)


@dataclass(frozen=True)
class MarkWords:
    """What a mark's check says when it fails: not found, cut by the edge, covered or altered."""

    not_found: str
    cut: str
    altered: str


LOGO_WORDS = MarkWords(N_("logo not found on the float (best match {share})"),
                       N_("logo cut by the image edge ({share} of it inside)"),
                       N_("logo covered or altered: {share} of it exact at its place"))


def judge(measures: dict[str, Any], thresholds) -> CheckResult:
    return judge_mark(measures, LOGO_WORDS, thresholds.logo_match, thresholds.logo_search)


def judge_mark(measures: dict[str, Any], words: MarkWords, match_threshold: float,
               search_threshold: float) -> CheckResult:
    """The verdict on a mark finishing puts back exact (the logo, a product) from `match_at` or `search`."""
    match = measures["match"]
    if measures["mode"] == "search":
        failed = match < search_threshold
        reasons = (Reason(words.not_found, share=percent(max(0.0, match))),) if failed else ()
        return CheckResult(clamp(100 * match / max(search_threshold, 1e-6) * 0.8 + 20 * (not failed)),
                           failed, reasons)
    reasons = []
    if measures["visible"] < 0.999:
        reasons.append(Reason(words.cut, share=percent(measures["visible"])))
    elif match < match_threshold:
        reasons.append(Reason(words.altered, share=percent(match)))
    return CheckResult(100 * match, match < match_threshold, tuple(reasons))


def found_box(measures: dict[str, Any], thresholds) -> Box | None:
    """Where the logo is: its planned box, or the search's best match when that is good enough."""
    if measures["mode"] == "planned" or measures["match"] >= thresholds.logo_search:
        return tuple(measures["box"])
    return None


def match_at(subject: Subject, logo: Image.Image, box: Box) -> dict[str, Any]:
    """The share of `logo`'s solid pixels found exact (within PIXEL_TOLERANCE) at `box`, and the share of
    it inside the image. Any mark finishing puts back exact is checked this way (the product too)."""
    left, top, right, bottom = box
    expected = np.asarray(logo.resize((right - left, bottom - top), Image.LANCZOS))  # as finishing draws it
    solid = expected[:, :, 3] >= SOLID
    total = int(solid.sum())
    width, height = subject.size
    x0, y0, x1, y1 = max(0, left), max(0, top), min(width, right), min(height, bottom)
    if total == 0 or x1 <= x0 or y1 <= y0:
        return {"mode": "planned", "box": list(box), "match": 0.0, "visible": 0.0}
    seen = subject.rgba[y0:y1, x0:x1, :3].astype(np.int16)
    wanted = expected[y0 - top:y1 - top, x0 - left:x1 - left]
    inside = solid[y0 - top:y1 - top, x0 - left:x1 - left]
    close = np.abs(seen - wanted[:, :, :3].astype(np.int16)).max(axis=2) <= PIXEL_TOLERANCE
    covered = subject.alpha[y0:y1, x0:x1] >= SOLID
    matched = int((close & covered & inside).sum())
    return {"mode": "planned", "box": list(box), "match": round(matched / total, 4),
            "visible": round(int(inside.sum()) / total, 4)}


def search(subject: Subject, logo: Image.Image) -> dict[str, Any]:
    """Multi-scale template match of the logo (grey, over its own alpha) on the float over grey."""
    image, scale = scaled(cv2.cvtColor(subject.on((128, 128, 128)), cv2.COLOR_RGB2GRAY), SEARCH_LONG_SIDE)
    logo_rgba = np.asarray(logo)
    best = {"mode": "search", "box": [0, 0, 0, 0], "match": -1.0}
    long_side = max(image.shape)
    for share in SEARCH_SCALES:
        size = share * long_side / max(logo.size)
        width, height = max(8, round(logo.width * size)), max(8, round(logo.height * size))
        if width >= image.shape[1] or height >= image.shape[0]:
            continue
        small = cv2.resize(logo_rgba, (width, height), interpolation=cv2.INTER_AREA)
        solid = (small[:, :, 3] >= SOLID).astype(np.float32)  # only the logo's own pixels are compared
        grey = cv2.cvtColor(small[:, :, :3], cv2.COLOR_RGB2GRAY).astype(np.float32)
        if solid.sum() < 16 or grey[solid > 0].std() < 1:
            continue  # a flat template matches nothing in particular
        scores = cv2.matchTemplate(image.astype(np.float32), grey, cv2.TM_CCOEFF_NORMED, mask=solid)
        scores = np.nan_to_num(scores, nan=-1.0, posinf=-1.0, neginf=-1.0)
        _, peak, _, (x, y) = cv2.minMaxLoc(scores)
        if peak > best["match"]:
            best = {"mode": "search", "match": round(float(peak), 4),
                    "box": [round(x / scale), round(y / scale), round((x + width) / scale), round((y + height) / scale)]}
    return best
