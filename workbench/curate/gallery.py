"""The gallery's model: what a reviewer sees and does, in plain Python (the widget only draws it).

A `Gallery` holds a snapshot of the catalog (concepts, each role's latest verdict, stars, triage's
scores), the filters, the sort order, the page, the concept under the cursor, the selection for bulk
decisions and the two concepts being compared. Every decision is written to the catalog at once, as a new review row
with the reviewer's name and role; `refresh()` reloads the snapshot, which is how one reviewer
sees another's decisions.

    >>> gallery = Gallery(catalog, kits, reviewer="mei", role="designer")
    >>> gallery.set_filters(brand="lotus-tea", verdict="unreviewed")
    >>> [item.id for item in gallery.page_items()]
    ['lotus-tea-s1-3f2a9c1d', 'lotus-tea-s2-07be11aa']
    >>> gallery.press("a")   # approve the concept under the cursor, move on
    'approved lotus-tea-s1-3f2a9c1d'

Concepts show best triage score first (`set_sort("made")` shows them in catalog order instead), and
`accept_triage_shortlist()` makes triage's shortlist this reviewer's own approvals.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from workbench.catalog import (
    ROLES, TRIAGE_ROLE, TRIAGE_STATUSES, BrandSummary, Catalog, ConceptRecord, Review, SeedRequest, TriageResult,
    brand_summaries, counting_verdict,
)
from workbench.curate.scores import best_first
from workbench.i18n import N_, translator
from workbench.kits import BrandKit

REVIEWER_ENV = "WORKBENCH_REVIEWER"
ROLE_ENV = "WORKBENCH_ROLE"
VERDICT_FILTERS = ("unreviewed", "approved", "rejected")
TRIAGE_FILTERS = (*TRIAGE_STATUSES, "untriaged")
SORTS = ("score", "made")  # best triage score first, or catalog order (brand, seed)
SHORTLIST_REASON = "triage shortlist"
# Which GalleryItem field holds each role's latest verdict.
ROLE_FIELDS = {"designer": "designer", "art_director": "director", TRIAGE_ROLE: "triage_verdict"}

# The keyboard: one key per common action, on the concept under the cursor.
# The actions are also their English names (N_: translated where they are shown).
KEYS: dict[str, str] = {
    "a": N_("approve"),
    "r": N_("reject"),
    "1": N_("1 star"), "2": N_("2 stars"), "3": N_("3 stars"), "4": N_("4 stars"), "5": N_("5 stars"),
    "j": N_("next concept"),
    "k": N_("previous concept"),
    "n": N_("next page"),
    "p": N_("previous page"),
    "x": N_("select for bulk"),
    "c": N_("add to compare"),
    "m": N_("more like this"),
}


class GalleryError(ValueError):
    pass


def reviewer_name(explicit: str | None = None) -> str:
    """Who is deciding: the name given, else $WORKBENCH_REVIEWER, else the login name."""
    return (explicit or "").strip() or os.environ.get(REVIEWER_ENV, "").strip() or getpass.getuser()


def reviewer_role(explicit: str | None = None) -> str:
    """The reviewer's role: the one given, else $WORKBENCH_ROLE, else designer."""
    role = (explicit or "").strip() or os.environ.get(ROLE_ENV, "").strip() or "designer"
    if role not in ROLES:
        raise GalleryError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")
    return role


@dataclass(frozen=True)
class GalleryItem:
    """One concept with each role's latest verdict (designer, art director, triage) and triage's score.
    The verdict that counts follows `counting_verdict`: a person's always outranks triage's."""

    record: ConceptRecord
    designer: str | None = None
    director: str | None = None
    stars: int | None = None
    triage: TriageResult | None = None  # None until triage has scored this concept
    triage_verdict: str | None = None  # triage's automatic decision (auto-reject, shortlist)

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def verdict(self) -> str | None:
        return counting_verdict({"designer": self.designer, "art_director": self.director,
                                 TRIAGE_ROLE: self.triage_verdict})

    @property
    def decided_by_a_person(self) -> bool:
        return self.designer is not None or self.director is not None

    @property
    def to_review(self) -> bool:
        """Still waiting for a person: nobody decided it, and triage did not reject it (its shortlist
        still wants a person's look; what it rejected a person need never see)."""
        return not self.decided_by_a_person and self.triage_verdict != "rejected"

    @property
    def triage_status(self) -> str:
        """"passed", "flagged", "duplicate", or "untriaged"."""
        return self.triage.status if self.triage else "untriaged"


@dataclass(frozen=True)
class Filters:
    """Which concepts show. None means "any"."""

    brand: str | None = None
    verdict: str | None = None  # "unreviewed" (see GalleryItem.to_review), "approved" or "rejected" (the verdict that counts)
    min_stars: int | None = None
    backend: str | None = None
    seed_min: int | None = None
    seed_max: int | None = None
    triage: str | None = None  # "passed", "flagged", "duplicate" or "untriaged"

    def admits(self, item: GalleryItem) -> bool:
        record = item.record
        return (
            (self.brand is None or record.brand == self.brand)
            and (self.verdict is None or (item.to_review if self.verdict == "unreviewed" else item.verdict == self.verdict))
            and (self.min_stars is None or (item.stars or 0) >= self.min_stars)
            and (self.backend is None or record.backend == self.backend)
            and (self.seed_min is None or record.seed >= self.seed_min)
            and (self.seed_max is None or record.seed <= self.seed_max)
            and (self.triage is None or item.triage_status == self.triage)
        )


@dataclass(frozen=True)
class BrandStats(BrandSummary):
    """A brand's review progress, for the usable-fraction chart: the catalog's BrandSummary (counted by
    `brand_summaries`, so the chart and `workbench review report` agree) plus what only the gallery knows."""

    name: str
    needs_concepts: bool  # even approving everything left to review would not reach the wanted count

    @property
    def to_review(self) -> int:
        return self.made - self.reviewed


@dataclass(frozen=True)
class ConceptDetail:
    """Everything the detail view shows about one concept."""

    item: GalleryItem
    image_path: Path
    history: list[Review]
    requests: list[SeedRequest]  # "more like this" seeds queued from this concept


class Gallery:
    """The reviewer's view of one campaign catalog: filters, pages, cursor, selection, compare, decisions."""

    def __init__(
        self,
        catalog: Catalog,
        kits: dict[str, BrandKit] | None = None,
        reviewer: str | None = None,
        role: str | None = None,
        page_size: int = 12,
        brands: list[str] | None = None,
        wanted_per_brand: int = 1,
        lang: str | None = None,
    ):
        if page_size < 1:
            raise GalleryError(f"page_size: expected at least 1, got {page_size}")
        self.catalog = catalog
        self.tr = translator(lang)  # the language of what the gallery says (None: the process's)
        self.kits = kits or {}
        self.reviewer = reviewer_name(reviewer)
        self.role = reviewer_role(role)
        self.page_size = page_size
        self.brands = list(brands) if brands is not None else None  # the campaign's brands, concepts or not
        self.wanted_per_brand = wanted_per_brand
        self.filters = Filters()
        self.sort = "score"
        self.page = 0
        self.current: str | None = None
        self.selected: set[str] = set()
        self.compared: list[str] = []  # at most two ids, oldest first
        self._items: dict[str, GalleryItem] = {}
        self._shown: list[str] = []  # ids that pass the filters, in the sort order
        self.refresh()

    # The snapshot ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload concepts, decisions and triage results from the catalog (other reviewers' included)."""
        by_role = self.catalog.verdicts_by_role()
        stars = self.catalog.stars()
        triage = self.catalog.triage_results()
        records = self.catalog.concepts()
        if self.brands is not None:
            records = [r for r in records if r.brand in self.brands]
        self._items = {}
        for record in records:
            if record.status != "ok":
                continue
            verdicts = by_role.get(record.id, {})
            self._items[record.id] = GalleryItem(
                record, designer=verdicts.get("designer"), director=verdicts.get("art_director"),
                stars=stars.get(record.id), triage=triage.get(record.id), triage_verdict=verdicts.get(TRIAGE_ROLE))
        self._apply_filters()

    def _apply_filters(self) -> None:
        """Settle which concepts show, and in what order. A decision alone does not re-run this, so a
        card never jumps away under the reviewer's hand; the next refresh, filter, sort or page change does."""
        admitted = [item for item in self._items.values() if self.filters.admits(item)]  # catalog order
        if self.sort == "score":
            admitted = best_first(admitted, lambda item: item.triage)
        self._shown = [item.id for item in admitted]
        self.page = min(self.page, self.page_count - 1)
        self.selected &= set(self._shown)
        if self.current not in self.page_ids():
            ids = self.page_ids()
            self.current = ids[0] if ids else None

    def item(self, concept_id: str) -> GalleryItem:
        try:
            return self._items[concept_id]
        except KeyError:
            raise GalleryError(f"concept {concept_id!r} is not in this gallery") from None

    def item_count(self) -> int:
        return len(self._items)

    def brand_names(self) -> dict[str, str]:
        """Slug -> display name for every brand in the gallery (and the campaign's brands without concepts)."""
        slugs = sorted({item.record.brand for item in self._items.values()} | set(self.brands or []))
        return {slug: self.kits[slug].display_name if slug in self.kits else slug for slug in slugs}

    def backends(self) -> list[str]:
        return sorted({item.record.backend for item in self._items.values()})

    def seed_range(self) -> tuple[int, int]:
        seeds = [item.record.seed for item in self._items.values()] or [0]
        return min(seeds), max(seeds)

    # Filters and pages -----------------------------------------------------------------------------

    def set_filters(self, **changes) -> None:
        """Change some filters (`brand="lotus-tea"`, `verdict="unreviewed"`, ...); back to page one."""
        known = {f.name for f in fields(Filters)}
        unknown = set(changes) - known
        if unknown:
            raise GalleryError(f"unknown filter(s) {sorted(unknown)}; known: {', '.join(sorted(known))}")
        if changes.get("verdict") not in (None, *VERDICT_FILTERS):
            raise GalleryError(f"verdict filter: expected one of {VERDICT_FILTERS} or None, got {changes['verdict']!r}")
        if changes.get("triage") not in (None, *TRIAGE_FILTERS):
            raise GalleryError(f"triage filter: expected one of {TRIAGE_FILTERS} or None, got {changes['triage']!r}")
        self.filters = replace(self.filters, **changes)
        self.page = 0
        self._apply_filters()

    def clear_filters(self) -> None:
        self.filters = Filters()
        self.page = 0
        self._apply_filters()

    def set_sort(self, sort: str) -> None:
        """"score" (best triage score first, the untriaged after) or "made" (catalog order); back to page one."""
        if sort not in SORTS:
            raise GalleryError(f"sort: expected one of {SORTS}, got {sort!r}")
        self.sort = sort
        self.page = 0
        self._apply_filters()

    @property
    def shown_count(self) -> int:
        return len(self._shown)

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self._shown) // self.page_size))

    def page_ids(self) -> list[str]:
        start = self.page * self.page_size
        return self._shown[start:start + self.page_size]

    def page_items(self) -> list[GalleryItem]:
        return [self._items[item_id] for item_id in self.page_ids()]

    def go_to_page(self, page: int) -> None:
        """Show page `page` (0-based, clamped); re-applies the filters, so decided cards may leave."""
        self.page = max(0, min(page, self.page_count - 1))
        self._apply_filters()
        ids = self.page_ids()
        self.current = ids[0] if ids else None

    def next_page(self) -> None:
        self.go_to_page(self.page + 1)

    def previous_page(self) -> None:
        self.go_to_page(self.page - 1)

    # Cursor, selection, compare --------------------------------------------------------------------

    def set_current(self, concept_id: str) -> None:
        self.item(concept_id)
        self.current = concept_id

    def move(self, step: int) -> None:
        """Move the cursor along the filtered concepts, turning the page at its ends."""
        if not self._shown:
            return
        position = self._shown.index(self.current) if self.current in self._shown else 0
        target = max(0, min(position + step, len(self._shown) - 1))
        if target // self.page_size != self.page:
            self.page = target // self.page_size
        self.current = self._shown[target]

    def toggle_selected(self, concept_id: str) -> None:
        self.item(concept_id)
        self.selected ^= {concept_id}

    def select_page(self) -> None:
        self.selected |= set(self.page_ids())

    def clear_selection(self) -> None:
        self.selected.clear()

    def add_to_compare(self, concept_id: str) -> None:
        """Put a concept in the compare view; with two there already, the older one makes room."""
        self.item(concept_id)
        if concept_id in self.compared:
            return
        self.compared = (self.compared + [concept_id])[-2:]

    def compare_pair(self) -> list[GalleryItem]:
        return [self._items[c] for c in self.compared if c in self._items]

    # Decisions -------------------------------------------------------------------------------------

    def decide(self, concept_id: str, verdict: str | None = None, stars: int | None = None, reason: str = "") -> Review:
        """Write one decision (as this reviewer, in this role) and show it at once."""
        self.item(concept_id)
        review = self.catalog.review(concept_id, verdict=verdict, stars=stars, reason=reason.strip(),
                                     reviewer=self.reviewer, role=self.role)
        self._note(review)
        return review

    def bulk(self, verdict: str, reason: str = "") -> int:
        """Give every selected concept the same verdict; clears the selection. Returns how many."""
        chosen = [item_id for item_id in self._shown if item_id in self.selected]
        for concept_id in chosen:
            self.decide(concept_id, verdict=verdict, reason=reason)
        self.selected.clear()
        return len(chosen)

    def triage_shortlist_to_accept(self) -> list[str]:
        """The shown concepts triage approved (its shortlist) that no person has decided yet."""
        return [item_id for item_id in self._shown
                if self._items[item_id].triage_verdict == "approved" and not self._items[item_id].decided_by_a_person]

    def accept_triage_shortlist(self) -> int:
        """Approve, as this reviewer, every shown concept triage shortlisted and no person has decided
        (a person's verdict, approval or rejection, is left alone). Returns how many."""
        chosen = self.triage_shortlist_to_accept()
        for concept_id in chosen:
            self.decide(concept_id, verdict="approved", reason=SHORTLIST_REASON)
        return len(chosen)

    def more_like_this(self, concept_id: str, count: int = 4) -> list[SeedRequest]:
        """Queue `count` new seeds for this concept's brand and prompt; `workbench generate` makes them."""
        self.item(concept_id)
        return self.catalog.request_more(concept_id, count, requested_by=self.reviewer)

    def detail(self, concept_id: str) -> ConceptDetail:
        item = self.item(concept_id)
        requests = [r for r in self.catalog.seed_requests(brand=item.record.brand) if r.concept_id == concept_id]
        return ConceptDetail(item, self.catalog.image_path(item.record), self.catalog.history(concept_id), requests)

    def press(self, key: str, reason: str = "") -> str:
        """Do what `key` means (see KEYS) to the concept under the cursor; returns what happened."""
        tr = self.tr
        action = KEYS.get(key.lower())
        if action is None:
            return tr._("key {key!r} does nothing; keys: {keys}").format(
                key=key, keys=", ".join(key + " " + tr._(action) for key, action in KEYS.items()))
        if action in ("next page", "previous page"):
            if action == "next page":
                self.next_page()
            else:
                self.previous_page()
            return tr._("page {page} of {pages}").format(page=self.page + 1, pages=self.page_count)
        concept_id = self.current
        if concept_id is None:
            return tr._("no concept here: change the filters")
        if action in ("approve", "reject"):
            self.decide(concept_id, verdict="approved" if action == "approve" else "rejected", reason=reason)
            self.move(+1)  # the review flow: decide, look at the next one
            said = tr._("approved {id}") if action == "approve" else tr._("rejected {id}")
            return said.format(id=concept_id)
        if action.endswith(("star", "stars")):
            stars = int(key)
            self.decide(concept_id, stars=stars, reason=reason)
            return f"{stars}★ {concept_id}"
        if action in ("next concept", "previous concept"):
            self.move(+1 if action == "next concept" else -1)
            return tr._("at {id}").format(id=self.current)
        if action == "select for bulk":
            self.toggle_selected(concept_id)
            return tr._("{count} selected").format(count=len(self.selected))
        if action == "add to compare":
            self.add_to_compare(concept_id)
            return tr._("comparing {ids}").format(ids=tr._(" and ").join(self.compared))
        seeds = [r.seed for r in self.more_like_this(concept_id)]
        return tr._("queued seeds {seeds} like {id}").format(seeds=", ".join(map(str, seeds)), id=concept_id)

    def _note(self, review: Review) -> None:
        item = self._items[review.concept_id]
        if review.verdict is not None:
            item = replace(item, **{ROLE_FIELDS[review.role]: review.verdict})
        if review.stars is not None:
            item = replace(item, stars=review.stars)
        self._items[review.concept_id] = item

    # The usable-fraction chart ---------------------------------------------------------------------

    def brand_stats(self) -> list[BrandStats]:
        """Per brand (the campaign's brands included, even without concepts): made, reviewed, approved."""
        names = self.brand_names()
        summaries = brand_summaries(((item.record.brand, item.verdict) for item in self._items.values()), list(names))
        return [
            BrandStats(**vars(summary), name=names[summary.brand],
                       needs_concepts=summary.approved + (summary.made - summary.reviewed) < self.wanted_per_brand)
            for summary in summaries
        ]
