"""Triage: every concept scored for brand accuracy and craft, ranked and pre-culled before anyone looks.

A stage between generate and curate. It reads the catalog and the concept files, and writes scores
(one row per concept and triage version) and its automatic decisions (reviews by the role
'triage', which never outrank a designer's or art director's) back to the catalog. It knows nothing
of widgets or films.

Checks, each a module with `measure` (reads the image once) and `judge` (applies thresholds):
`lettering` (OCR: the name read back off the banner, no stray text), `logo` (the exact logo at its
place, or found anywhere), `palette` (CIEDE2000 to the kit's colours), `cutout` (background left,
cropped, holes, fringe, empty), `craft` (sharpness against the brand, clipping, noise) and
`duplicates` (perceptual hash within a brand).

    >>> from workbench.triage import triage_campaign
    >>> print(triage_campaign(campaign, kits, catalog))
    triaged 40 concepts (measured 40, reused 0) in 9.8s: 31 passed, 6 flagged, 3 duplicates
"""

from workbench.triage.run import TRIAGE_VERSION, TriageReport, triage_campaign, write_report_csv

__all__ = ["TRIAGE_VERSION", "TriageReport", "triage_campaign", "write_report_csv"]
