"""The campaign catalog: one SQLite file holding every concept and every review decision.

A concept's row is written with its image (and written again, under the same id, when a lost or
damaged image is made again). Reviews are append-only: a new decision is a new row, so the history of
who decided what, and when, is never lost. The verdict that counts is the art director's latest one
where there is one, else the designer's latest, else triage's automatic one. Triage's scores live in
their own table, keyed by concept and triage version.

    >>> catalog = Catalog("renders/demo/catalog.sqlite")
    >>> catalog.review("lotus-tea-s1-3f2a9c1d", verdict="approved", stars=4, reviewer="mei")
    >>> [c.id for c in catalog.approved("lotus-tea")]
    ['lotus-tea-s1-3f2a9c1d']
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

VERDICTS = ("approved", "rejected")
ROLES = ("designer", "art_director")  # the people who review
TRIAGE_ROLE = "triage"  # automatic decisions (auto-reject, shortlist): they never outrank a person's
REVIEW_ROLES = ROLES + (TRIAGE_ROLE,)
TRIAGE_STATUSES = ("passed", "flagged", "duplicate")
SCHEMA_VERSION = 2  # PRAGMA user_version: 1 reviews by people only; 2 adds the triage role and table
SCHEMA = """
CREATE TABLE IF NOT EXISTS concepts (
    id TEXT PRIMARY KEY,
    brand TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt TEXT NOT NULL,
    negative_prompt TEXT NOT NULL,
    seed INTEGER NOT NULL,
    settings TEXT NOT NULL,
    path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ok',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS concepts_brand ON concepts(brand);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    concept_id TEXT NOT NULL REFERENCES concepts(id),
    verdict TEXT CHECK (verdict IN ('approved', 'rejected')),
    stars INTEGER CHECK (stars BETWEEN 1 AND 5),
    reason TEXT NOT NULL DEFAULT '',
    reviewer TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'designer' CHECK (role IN ('designer', 'art_director', 'triage')),
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_concept ON reviews(concept_id);
CREATE TRIGGER IF NOT EXISTS reviews_append_only_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER IF NOT EXISTS reviews_append_only_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TABLE IF NOT EXISTS seed_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    concept_id TEXT NOT NULL REFERENCES concepts(id),
    brand TEXT NOT NULL,
    backend TEXT NOT NULL,
    prompt TEXT NOT NULL,
    seed INTEGER NOT NULL,
    requested_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (brand, backend, prompt, seed)
);
CREATE TABLE IF NOT EXISTS ideas (
    id TEXT PRIMARY KEY,
    brand TEXT NOT NULL,
    campaign_brief TEXT NOT NULL,
    brief TEXT NOT NULL,
    prompt_words TEXT NOT NULL,
    tagline TEXT NOT NULL,
    language TEXT NOT NULL,
    model TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'dropped')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ideas_brand ON ideas(brand);
CREATE TABLE IF NOT EXISTS triage (
    concept_id TEXT NOT NULL REFERENCES concepts(id),
    version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    measures TEXT NOT NULL,
    score REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('passed', 'flagged', 'duplicate')),
    duplicate_of TEXT,
    checks TEXT NOT NULL,
    policy TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (concept_id, version)
);
CREATE TABLE IF NOT EXISTS idea_concepts (
    idea_id TEXT NOT NULL REFERENCES ideas(id),
    concept_id TEXT NOT NULL REFERENCES concepts(id),
    PRIMARY KEY (idea_id, concept_id)
);
"""
IDEA_STATUSES = ("proposed", "accepted", "dropped")
IDEA_EDITABLE = ("brief", "prompt_words", "tagline", "status")


class CatalogError(ValueError):
    pass


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class ConceptRecord:
    id: str
    brand: str
    backend: str
    model: str
    prompt: str
    negative_prompt: str
    seed: int
    settings: dict[str, Any]
    path: str  # relative to the campaign folder (the catalog's folder)
    content_hash: str
    created_at: str = field(default_factory=now_iso)
    status: str = "ok"
    note: str = ""


@dataclass(frozen=True)
class Review:
    id: int
    concept_id: str
    verdict: str | None
    stars: int | None
    reason: str
    reviewer: str
    role: str
    created_at: str


@dataclass(frozen=True)
class SeedRequest:
    """A reviewer's "make more like this": one new seed for the same brand, backend and prompt."""

    id: int
    concept_id: str  # the concept that was liked
    brand: str
    backend: str
    prompt: str
    seed: int
    requested_by: str
    created_at: str


@dataclass(frozen=True)
class IdeaRecord:
    """A float idea from copy ideation (`workbench.copywriting`): a brief, prompt words, a tagline."""

    id: str
    brand: str
    campaign_brief: str  # what the idea was asked for
    brief: str
    prompt_words: list[str]
    tagline: str  # in the kit's language
    language: str
    model: str
    status: str = "proposed"  # proposed -> accepted (used for concepts) or dropped
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)


@dataclass(frozen=True)
class TriageResult:
    """Triage's judgement of one concept image (see `workbench.triage`): the raw measures it read off the
    image, and the score, status and per-check sub-scores and reasons a policy decided from them."""

    concept_id: str
    version: str  # the triage checks' version: a new version measures again
    content_hash: str  # the image file that was measured: a changed file is measured again
    measures: dict[str, Any]
    score: float  # 0-100
    status: str  # passed | flagged | duplicate
    duplicate_of: str | None
    checks: dict[str, dict[str, Any]]  # check name -> {"score": 0-100, "reasons": [...]}
    policy: str  # a hash of the thresholds that decided it: a new policy re-decides without re-reading
    created_at: str = field(default_factory=now_iso)

    @property
    def reasons(self) -> list[str]:
        return [reason for check in self.checks.values() for reason in check.get("reasons", [])]


@dataclass(frozen=True)
class BrandSummary:
    brand: str
    made: int
    reviewed: int
    approved: int

    @property
    def usable_fraction(self) -> float | None:
        return self.approved / self.reviewed if self.reviewed else None


# A film's backdrop plate is recorded like a concept, under a brand no kit can have ("_backdrop" is not a
# slug): galleries, sheets, tallies and triage, which list every brand's concepts, never see it.
BACKDROP_BRAND = "_backdrop"


class Catalog:
    """A campaign's concepts and reviews in `<campaign>/catalog.sqlite` (WAL, short transactions)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A catalog in a folder we cannot write (a read-only mount, an archived campaign) is opened for
        # reading: reports and renders work, and a write says why it cannot be saved.
        self.read_only = not _writable(self.path)
        if self.read_only:
            self._db = _open_read_only(self.path)
            self._db.row_factory = sqlite3.Row
            return
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)  # idempotent; executescript manages its own transaction
        self._migrate()

    def _migrate(self) -> None:
        """Bring a catalog made by an older workbench up to SCHEMA_VERSION, keeping every row and id.

        Version 2 lets reviews carry the role 'triage'. SQLite cannot change a CHECK constraint in place,
        so the reviews table is copied into one with the new constraint (ids and order kept), in one
        transaction; the append-only triggers are made again on the new table.
        """
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            return
        reviews_sql = self._db.execute("SELECT sql FROM sqlite_master WHERE name = 'reviews'").fetchone()[0]

        def migrate(db: sqlite3.Connection) -> None:
            if "'triage'" not in reviews_sql:
                new_sql = reviews_sql.replace("'designer', 'art_director')", "'designer', 'art_director', 'triage')")
                db.execute("DROP TRIGGER IF EXISTS reviews_append_only_update")
                db.execute("DROP TRIGGER IF EXISTS reviews_append_only_delete")
                db.execute("ALTER TABLE reviews RENAME TO reviews_before_v2")
                db.execute(new_sql)
                db.execute("INSERT INTO reviews SELECT * FROM reviews_before_v2 ORDER BY id")
                db.execute("DROP TABLE reviews_before_v2")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

        self._write(migrate)
        self._db.executescript(SCHEMA)  # the index and triggers, on the new reviews table

    @property
    def root(self) -> Path:
        return self.path.parent

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # Concepts -------------------------------------------------------------------------------------

    def add_concept(self, record: ConceptRecord) -> None:
        row = {**record.__dict__, "settings": json.dumps(record.settings, sort_keys=True, ensure_ascii=False)}
        columns = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        self._write(lambda db: db.execute(f"INSERT OR REPLACE INTO concepts ({columns}) VALUES ({marks})", row))

    def concept(self, concept_id: str) -> ConceptRecord | None:
        row = self._db.execute("SELECT * FROM concepts WHERE id = ?", (concept_id,)).fetchone()
        return _concept(row) if row else None

    def concepts(self, brand: str | None = None) -> list[ConceptRecord]:
        """One brand's concepts, or every brand's; the film's backdrop plates only when asked for by BACKDROP_BRAND."""
        if brand is None:
            rows = self._db.execute("SELECT * FROM concepts WHERE brand != ? ORDER BY brand, seed, id", (BACKDROP_BRAND,))
        else:
            rows = self._db.execute("SELECT * FROM concepts WHERE brand = ? ORDER BY seed, id", (brand,))
        return [_concept(r) for r in rows]

    def image_path(self, record: ConceptRecord) -> Path:
        return self.root / record.path

    # Reviews --------------------------------------------------------------------------------------

    def review(
        self,
        concept_id: str,
        verdict: str | None = None,
        stars: int | None = None,
        reason: str = "",
        reviewer: str = "",
        role: str = "designer",
    ) -> Review:
        """Append one decision. A stars-only review keeps the earlier verdict."""
        row = _review_row(concept_id, verdict, stars, reason, reviewer, role, created=now_iso())
        if self.concept(concept_id) is None:
            raise CatalogError(f"concept: no concept {concept_id!r} in {self.path}")
        cursor = self._write(lambda db: db.execute(
            "INSERT INTO reviews (concept_id, verdict, stars, reason, reviewer, role, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", row))
        return Review(cursor.lastrowid, *row)

    def review_many(self, reviews: Iterable[Mapping[str, Any]]) -> int:
        """Append many decisions, each given as the keyword arguments of `review`, in one transaction:
        all are checked before any is written, and a failed or killed import leaves none. Returns how many."""
        created = now_iso()
        rows = [_review_row(**review, created=created) for review in reviews]
        known_ids = {row[0] for row in self._db.execute("SELECT id FROM concepts")}  # one query, not one per row
        for row in rows:
            if row[0] not in known_ids:
                raise CatalogError(f"concept: no concept {row[0]!r} in {self.path}")
        self._write(lambda db: db.executemany(
            "INSERT INTO reviews (concept_id, verdict, stars, reason, reviewer, role, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)", rows))
        return len(rows)

    def history(self, concept_id: str | None = None) -> list[Review]:
        if concept_id is None:
            rows = self._db.execute("SELECT * FROM reviews ORDER BY id")
        else:
            rows = self._db.execute("SELECT * FROM reviews WHERE concept_id = ? ORDER BY id", (concept_id,))
        return [Review(**dict(r)) for r in rows]

    def verdicts(self) -> dict[str, str]:
        """The verdict that counts for each reviewed concept: art director's latest, else designer's."""
        return {concept_id: counting_verdict(by_role) for concept_id, by_role in self.verdicts_by_role().items()}

    def verdicts_by_role(self) -> dict[str, dict[str, str]]:
        """Each reviewed concept's latest verdict per role, e.g. {"c1": {"designer": "approved"}}.

        A person's stars-only review keeps their earlier verdict; triage's empty review withdraws its
        own (a changed policy no longer shortlists or rejects that concept)."""
        latest: dict[str, dict[str, str]] = {}
        rows = self._db.execute("SELECT concept_id, role, verdict, stars FROM reviews"
                                " WHERE verdict IS NOT NULL OR (role = ? AND stars IS NULL) ORDER BY id", (TRIAGE_ROLE,))
        for concept_id, role, verdict, _stars in rows:
            if verdict is None:
                latest.get(concept_id, {}).pop(role, None)
            else:
                latest.setdefault(concept_id, {})[role] = verdict
        return {concept_id: by_role for concept_id, by_role in latest.items() if by_role}

    def stars(self) -> dict[str, int]:
        """Each concept's latest star rating."""
        return {r.concept_id: r.stars for r in self.history() if r.stars is not None}

    def approved(self, brand: str | None = None) -> list[ConceptRecord]:
        verdicts = self.verdicts()
        return [c for c in self.concepts(brand) if verdicts.get(c.id) == "approved"]

    def summary(self, brands: list[str] | None = None) -> list[BrandSummary]:
        """Per brand: concepts made, reviewed, approved. Brands listed but without concepts show zeros."""
        verdicts = self.verdicts()
        return brand_summaries(((concept.brand, verdicts.get(concept.id)) for concept in self.concepts()), brands)

    # Triage ---------------------------------------------------------------------------------------

    def save_triage(self, results: list[TriageResult]) -> None:
        """Write triage results (one row per concept and triage version, replacing that version's row)."""
        rows = [{**result.__dict__, "measures": json.dumps(result.measures, sort_keys=True, ensure_ascii=False),
                 "checks": json.dumps(result.checks, sort_keys=True, ensure_ascii=False)} for result in results]
        for row in rows:
            if row["status"] not in TRIAGE_STATUSES:
                raise CatalogError(f"triage status: expected one of {TRIAGE_STATUSES}, got {row['status']!r}")
        if not rows:
            return
        columns = ", ".join(rows[0])
        marks = ", ".join(f":{k}" for k in rows[0])
        self._write(lambda db: db.executemany(f"INSERT OR REPLACE INTO triage ({columns}) VALUES ({marks})", rows))

    def triage_results(self, version: str | None = None) -> dict[str, TriageResult]:
        """Each concept's triage result: of `version`, or else the most recently written one."""
        if version is not None:
            rows = self._db.execute("SELECT * FROM triage WHERE version = ?", (version,))
        else:
            rows = self._db.execute("SELECT * FROM triage ORDER BY created_at, version")
        return {row["concept_id"]: _triage(row) for row in rows}

    # "Make more like this" ----------------------------------------------------------------------

    def request_more(self, concept_id: str, count: int = 4, requested_by: str = "") -> list[SeedRequest]:
        """Queue `count` new seeds for `concept_id`'s brand, backend and prompt; `generate` makes them.

        The seeds are the next ones above every seed the brand has used or has queued, chosen inside
        the write transaction, so two reviewers asking at once never queue the same seed twice.
        """
        if not (isinstance(count, int) and 1 <= count <= 64):
            raise CatalogError(f"count: expected a whole number from 1 to 64, got {count!r}")
        source = self.concept(concept_id)
        if source is None:
            raise CatalogError(f"concept: no concept {concept_id!r} in {self.path}")
        created = now_iso()

        def queue(db: sqlite3.Connection) -> list[int]:
            highest = db.execute(
                "SELECT MAX(seed) FROM (SELECT seed FROM concepts WHERE brand = :brand"
                " UNION ALL SELECT seed FROM seed_requests WHERE brand = :brand)", {"brand": source.brand},
            ).fetchone()[0]
            seeds = [(highest or 0) + step for step in range(1, count + 1)]
            db.executemany(
                "INSERT INTO seed_requests (concept_id, brand, backend, prompt, seed, requested_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(concept_id, source.brand, source.backend, source.prompt, seed, requested_by, created) for seed in seeds],
            )
            return seeds

        seeds = self._write(queue)
        return [r for r in self.seed_requests(brand=source.brand) if r.seed in seeds]

    def seed_requests(self, brand: str | None = None, pending_only: bool = False) -> list[SeedRequest]:
        """Queued seeds, oldest first. Pending ones have no concept yet with that brand, backend, prompt and seed."""
        query = "SELECT * FROM seed_requests r WHERE (:brand IS NULL OR r.brand = :brand)"
        if pending_only:
            query += (" AND NOT EXISTS (SELECT 1 FROM concepts c WHERE c.brand = r.brand AND c.backend = r.backend"
                      " AND c.prompt = r.prompt AND c.seed = r.seed)")
        rows = self._db.execute(query + " ORDER BY r.id", {"brand": brand})
        return [SeedRequest(**dict(row)) for row in rows]

    # Ideas (copy ideation) -------------------------------------------------------------------------

    def add_idea(self, record: IdeaRecord) -> None:
        if record.status not in IDEA_STATUSES:
            raise CatalogError(f"status: expected one of {IDEA_STATUSES}, got {record.status!r}")
        row = {**record.__dict__, "prompt_words": json.dumps(record.prompt_words, ensure_ascii=False)}
        columns, marks = ", ".join(row), ", ".join(f":{k}" for k in row)
        self._write(lambda db: db.execute(f"INSERT INTO ideas ({columns}) VALUES ({marks})", row))

    def idea(self, idea_id: str) -> IdeaRecord | None:
        row = self._db.execute("SELECT * FROM ideas WHERE id = ?", (idea_id,)).fetchone()
        return _idea(row) if row else None

    def ideas(self, brand: str | None = None, status: str | None = None) -> list[IdeaRecord]:
        rows = self._db.execute(
            "SELECT * FROM ideas WHERE (:brand IS NULL OR brand = :brand) AND (:status IS NULL OR status = :status)"
            " ORDER BY brand, created_at, id", {"brand": brand, "status": status})
        return [_idea(r) for r in rows]

    def update_idea(self, idea_id: str, **changes: Any) -> IdeaRecord:
        """Edit an idea's brief, prompt words, tagline or status (a designer's edits before accepting)."""
        unknown = set(changes) - set(IDEA_EDITABLE)
        if unknown:
            raise CatalogError(f"idea: cannot change {', '.join(sorted(unknown))}; editable: {IDEA_EDITABLE}")
        if "status" in changes and changes["status"] not in IDEA_STATUSES:
            raise CatalogError(f"status: expected one of {IDEA_STATUSES}, got {changes['status']!r}")
        if self.idea(idea_id) is None:
            raise CatalogError(f"idea: no idea {idea_id!r} in {self.path}")
        values = {k: json.dumps(v, ensure_ascii=False) if k == "prompt_words" else v for k, v in changes.items()}
        values.update(updated_at=now_iso(), id=idea_id)
        assignments = ", ".join(f"{k} = :{k}" for k in values if k != "id")
        self._write(lambda db: db.execute(f"UPDATE ideas SET {assignments} WHERE id = :id", values))
        return self.idea(idea_id)

    def link_idea(self, idea_id: str, concept_ids: list[str]) -> None:
        """Record that these concepts were made from this idea."""
        rows = [(idea_id, concept_id) for concept_id in concept_ids]
        self._write(lambda db: db.executemany("INSERT OR IGNORE INTO idea_concepts VALUES (?, ?)", rows))

    def idea_concepts(self, idea_id: str) -> list[str]:
        rows = self._db.execute("SELECT concept_id FROM idea_concepts WHERE idea_id = ? ORDER BY concept_id", (idea_id,))
        return [r[0] for r in rows]

    # ----------------------------------------------------------------------------------------------

    def _write(self, action):
        """Run one write in its own short IMMEDIATE transaction, retrying while another writer holds it."""
        if self.read_only:
            raise CatalogError(f"{self.path}: the catalog's folder is read-only, so nothing can be saved in it")
        for attempt in range(50):
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                time.sleep(min(0.5, 0.01 * 2**attempt))
                continue
            try:
                result = action(self._db)
                self._db.execute("COMMIT")
                return result
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        raise CatalogError(f"{self.path} stayed locked by another writer")


def _review_row(concept_id: str, verdict: str | None = None, stars: int | None = None, reason: str = "",
                reviewer: str = "", role: str = "designer", *, created: str) -> tuple:
    """One review checked against the rules every review follows (alone or in a batch), as its row."""
    if verdict is not None and verdict not in VERDICTS:
        raise CatalogError(f"verdict: expected one of {VERDICTS}, got {verdict!r}")
    if stars is not None and not (isinstance(stars, int) and 1 <= stars <= 5):
        raise CatalogError(f"stars: expected a whole number from 1 to 5, got {stars!r}")
    if role not in REVIEW_ROLES:
        raise CatalogError(f"role: expected one of {REVIEW_ROLES}, got {role!r}")
    if verdict is None and stars is None and role != TRIAGE_ROLE:
        raise CatalogError("a review needs a verdict or stars")  # (triage's empty review withdraws its verdict)
    return (concept_id, verdict, stars, reason, reviewer, role, created)


def _writable(path: Path) -> bool:
    """Whether the catalog can be written: SQLite also writes its -wal and -shm files beside it."""
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a catalog in a folder we cannot write.

    A WAL database normally needs its -shm index, which SQLite cannot create in a read-only folder.
    With a -wal file beside the catalog (a writer is at work, or one was killed), recent commits live
    there, and SQLite reads them through the -shm beside it (mode=ro). Without one, the database file
    holds everything, and SQLite reads it as immutable, needing no -shm at all.
    """
    if not path.is_file():
        raise CatalogError(f"{path}: no catalog here, and its folder is read-only")
    has_wal = path.with_name(path.name + "-wal").exists()
    uri = f"{path.resolve().as_uri()}?{'mode=ro' if has_wal else 'mode=ro&immutable=1'}"
    db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # SQLite opens the file lazily
    except sqlite3.DatabaseError as error:
        db.close()
        raise CatalogError(f"{path}: cannot read the catalog in its read-only folder ({error})") from None
    db.execute("PRAGMA busy_timeout=30000")
    return db


def brand_summaries(brand_verdicts: Iterable[tuple[str, str | None]], brands: list[str] | None = None) -> list[BrandSummary]:
    """The one per-brand tally (the catalog's summary, the gallery's chart): one (brand, verdict that
    counts or None) pair per concept in, one BrandSummary per brand out.

    With `brands`, just those brands, in that order, zeros for one without concepts; without, every
    brand seen, in the order first seen."""
    counts: dict[str, list[int]] = {brand: [0, 0, 0] for brand in brands or []}
    for brand, verdict in brand_verdicts:
        if brands is not None and brand not in counts:
            continue
        made_reviewed_approved = counts.setdefault(brand, [0, 0, 0])
        made_reviewed_approved[0] += 1
        if verdict is not None:
            made_reviewed_approved[1] += 1
            made_reviewed_approved[2] += verdict == "approved"
    return [BrandSummary(brand, *numbers) for brand, numbers in counts.items()]


def counting_verdict(by_role: dict[str, str | None]) -> str | None:
    """The rule for which verdict counts: the art director's where there is one, else the designer's,
    else triage's automatic one (a person's verdict always outranks triage)."""
    return by_role.get("art_director") or by_role.get("designer") or by_role.get(TRIAGE_ROLE)


def _concept(row: sqlite3.Row) -> ConceptRecord:
    data = dict(row)
    data["settings"] = json.loads(data["settings"])
    return ConceptRecord(**data)


def _triage(row: sqlite3.Row) -> TriageResult:
    data = dict(row)
    data["measures"] = json.loads(data["measures"])
    data["checks"] = json.loads(data["checks"])
    return TriageResult(**data)


def _idea(row: sqlite3.Row) -> IdeaRecord:
    data = dict(row)
    data["prompt_words"] = json.loads(data["prompt_words"])
    return IdeaRecord(**data)
