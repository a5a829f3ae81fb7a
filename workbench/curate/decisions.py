"""Review decisions made without a person at a widget: CSV imports.

    >>> import_decisions_csv(catalog, "decisions.csv", reviewer="pipeline")
    12
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from workbench.catalog import ROLES, VERDICTS, Catalog
from workbench.errors import InputError

CSV_COLUMNS = ("concept_id", "verdict", "stars", "reason", "reviewer", "role")


@dataclass(frozen=True)
class Decision:
    concept_id: str
    verdict: str | None
    stars: int | None
    reason: str
    reviewer: str
    role: str


def read_decisions_csv(path: Path | str, reviewer: str = "", known_ids: set[str] | None = None) -> list[Decision]:
    """Parse and check the whole file before anything is written; errors name the line and column."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file", "decisions CSV not found")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"concept_id", "verdict"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(path, "header", f"missing column(s) {sorted(missing)}; expected {', '.join(CSV_COLUMNS)}")
        decisions = [_decision(path, line, row, reviewer, known_ids) for line, row in enumerate(reader, start=2)]
    return decisions


def import_decisions_csv(catalog: Catalog, path: Path | str, reviewer: str = "") -> int:
    known = {c.id for c in catalog.concepts()}
    decisions = read_decisions_csv(path, reviewer, known)
    for d in decisions:
        catalog.review(d.concept_id, d.verdict, d.stars, d.reason, d.reviewer, d.role)
    return len(decisions)


def _decision(path: Path, line: int, row: dict, reviewer: str, known_ids: set[str] | None) -> Decision:
    def fail(column: str, message: str):
        raise InputError(path, f"line {line}, column {column}", message)

    concept_id = (row.get("concept_id") or "").strip()
    if not concept_id:
        fail("concept_id", "empty concept id")
    if known_ids is not None and concept_id not in known_ids:
        fail("concept_id", f"no concept {concept_id!r} in this campaign")
    verdict = (row.get("verdict") or "").strip().lower() or None
    if verdict is not None and verdict not in VERDICTS:
        fail("verdict", f"expected one of {', '.join(VERDICTS)} or empty, got {verdict!r}")
    stars_text = (row.get("stars") or "").strip()
    stars = None
    if stars_text:
        if not stars_text.isdigit() or not 1 <= int(stars_text) <= 5:
            fail("stars", f"expected a whole number from 1 to 5, got {stars_text!r}")
        stars = int(stars_text)
    if verdict is None and stars is None:
        fail("verdict", "a decision needs a verdict or stars")
    role = (row.get("role") or "designer").strip()
    if role not in ROLES:
        fail("role", f"expected one of {', '.join(ROLES)}, got {role!r}")
    return Decision(concept_id, verdict, stars, (row.get("reason") or "").strip(),
                    (row.get("reviewer") or reviewer).strip(), role)
