"""Product: the kit's product photo at its planned place, exact, as finishing put it back.

Only for a kit with products (the first is the one on the float). It is measured like the logo
(`workbench.triage.logo.match_at` at the layout's product box, or a search where a concept has no
layout), with its own thresholds.

    >>> measure(subject, kit)["match"]
    1.0
"""

from __future__ import annotations

from typing import Any

from workbench.i18n import N_
from workbench.kits import BrandKit
from workbench.triage.check import CheckResult
from workbench.triage.image import Subject
from workbench.triage.logo import MarkWords, judge_mark, match_at, search


def measure(subject: Subject, kit: BrandKit) -> dict[str, Any]:
    product = kit.product_image()
    if subject.layout is not None and subject.layout.product_box is not None:
        return match_at(subject, product, subject.layout.product_box)
    return search(subject, product)


PRODUCT_WORDS = MarkWords(N_("product not found on the float (best match {share})"),
                          N_("product cut by the image edge ({share} of it inside)"),
                          N_("product covered or altered: {share} of it exact at its place"))


def judge(measures: dict[str, Any], thresholds) -> CheckResult:
    return judge_mark(measures, PRODUCT_WORDS, thresholds.product_match, thresholds.product_search)
