"""Review decisions made without a person at a widget: CSV imports.

    >>> import_decisions_csv(catalog, "decisions.csv", reviewer="pipeline")
    12
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.catalog import ROLES, VERDICTS, Catalog
from workbench.errors import InputError, brief_repr

CSV_COLUMNS = ("concept_id", "verdict", "stars", "reason", "reviewer", "role")
STARS = ("1", "2", "3", "4", "5")
# Bytes that are not UTF-8, decoded with "surrogateescape", become these characters.
UNDECODABLE = re.compile("[\udc80-\udcff]")


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
    raw = path.read_bytes()
    try:
        text, is_utf8 = raw.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        # Read it anyway, so the message can name the line and column of the first bad byte.
        text, is_utf8 = raw.decode("utf-8-sig", errors="surrogateescape"), False
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header: list[str] = []
    decisions = []
    record_end = 0  # the last physical line of the last record read whole
    try:
        header = reader.fieldnames or []
        _check_header(path, header)
        record_end = reader.line_num
        for line, row in enumerate(reader, start=2):
            if not is_utf8:
                _check_utf8(path, line, row)
            decisions.append(_decision(path, line, row, reviewer, known_ids))
            record_end = reader.line_num
    except csv.Error as error:
        # (DictReader's own line_num is only updated after a record is read whole)
        raise _unreadable_record(path, text, record_end + 1, reader.reader.line_num, header, error) from None
    return decisions


def import_decisions_csv(catalog: Catalog, path: Path | str, reviewer: str = "") -> int:
    """Import a decisions CSV in one transaction: every row, or none if anything fails or the import
    is killed (so an interrupted import is simply run again, without doubling any decision)."""
    known = {c.id for c in catalog.concepts()}
    decisions = read_decisions_csv(path, reviewer, known)
    return catalog.review_many(vars(d) for d in decisions)


def _check_header(path: Path, header: list[str]) -> None:
    for number, name in enumerate(header, start=1):
        if UNDECODABLE.search(name):
            raise InputError(path, f"line 1, column {number}", _not_utf8(name))
    missing = {"concept_id", "verdict"} - set(header)
    if missing:
        raise InputError(path, "header", f"missing column(s) {sorted(missing)}; expected {', '.join(CSV_COLUMNS)}")


def _check_utf8(path: Path, line: int, row: dict) -> None:
    for column, value in row.items():
        if isinstance(value, str) and UNDECODABLE.search(value):  # (extra fields, under None, are ignored)
            raise InputError(path, f"line {line}, column {column}", _not_utf8(value))


def _not_utf8(text: str) -> str:
    byte = ord(UNDECODABLE.search(text).group()) - 0xDC00
    return f"not UTF-8 text (byte 0x{byte:02x}); save the CSV as UTF-8"


def _unreadable_record(path: Path, text: str, first_line: int, last_line: int, header: list[str],
                       error: csv.Error) -> InputError:
    """csv refused the record on lines first_line..last_line: name where it starts and, for a field
    over csv's size limit, its column."""
    record = "".join(itertools.islice(io.StringIO(text, newline=""), first_line - 1, last_line))
    index = _oversized_field(record, csv.field_size_limit())
    if index is None:
        return InputError(path, f"line {first_line}", f"unreadable CSV: {error}")
    column = header[index] if index < len(header) else str(index + 1)
    return InputError(path, f"line {first_line}, column {column}",
                      f"a field longer than {csv.field_size_limit():,} characters")


def _oversized_field(record: str, limit: int) -> int | None:
    """The index of the first field of one CSV record with more than `limit` characters, or None.
    csv only says that some field was too large; this finds which one. It stops at that field, so
    it reads little more than `limit` characters however large the field is."""
    index, length, quoted = 0, 0, False
    for char in record:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            index, length = index + 1, 0
        else:
            length += 1
            if length > limit:
                return index
    return None


def _decision(path: Path, line: int, row: dict, reviewer: str, known_ids: set[str] | None) -> Decision:
    def fail(column: str, message: str):
        raise InputError(path, f"line {line}, column {column}", message)

    concept_id = (row.get("concept_id") or "").strip()
    if not concept_id:
        fail("concept_id", "empty concept id")
    if known_ids is not None and concept_id not in known_ids:
        fail("concept_id", f"no concept {brief_repr(concept_id)} in this campaign")
    verdict = (row.get("verdict") or "").strip().lower() or None
    if verdict is not None and verdict not in VERDICTS:
        fail("verdict", f"expected one of {', '.join(VERDICTS)} or empty, got {brief_repr(verdict)}")
    stars_text = (row.get("stars") or "").strip()
    stars = None
    if stars_text:
        # Compared as text: "²".isdigit() is True but int("²") fails, as does int() of 5,000 digits.
        digit = stars_text.lstrip("0")
        if digit not in STARS:
            fail("stars", f"expected a whole number from 1 to 5, got {brief_repr(stars_text)}")
        stars = int(digit)
    if verdict is None and stars is None:
        fail("verdict", "a decision needs a verdict or stars")
    role = (row.get("role") or "designer").strip()
    if role not in ROLES:
        fail("role", f"expected one of {', '.join(ROLES)}, got {brief_repr(role)}")
    return Decision(concept_id, verdict, stars, (row.get("reason") or "").strip(),
                    (row.get("reviewer") or reviewer).strip(), role)
