"""The gallery model: filters, paging, cursor and keys, verdict rules by role, bulk, compare,
"more like this", and two reviewers writing to one catalog at once."""

from __future__ import annotations

import getpass
import multiprocessing
from datetime import datetime, timedelta, timezone

import pytest

from workbench.catalog import TRIAGE_ROLE, Catalog, ConceptRecord, TriageResult
from workbench.curate.gallery import Filters, Gallery, GalleryError, reviewer_name, reviewer_role

BRANDS = ("lotus-tea", "tern-motors", "polar-scoop")
CHECKS = ("lettering", "logo", "palette", "cutout", "craft")


def record(brand: str, seed: int, backend: str = "previz") -> ConceptRecord:
    concept_id = f"{brand}-s{seed}"
    return ConceptRecord(concept_id, brand, backend, "m", f"a float for {brand}", "", seed, {},
                         f"concepts/{brand}/{concept_id}.png", "0" * 64)


@pytest.fixture
def catalog(tmp_path) -> Catalog:
    """3 brands x seeds 1-5; tern-motors' seeds 4 and 5 made by another backend."""
    with Catalog(tmp_path / "campaign" / "catalog.sqlite") as catalog:
        for brand in BRANDS:
            for seed in range(1, 6):
                catalog.add_concept(record(brand, seed, "openai" if brand == "tern-motors" and seed > 3 else "previz"))
        yield catalog


def ids(gallery: Gallery) -> list[str]:
    return [item.id for item in gallery.page_items()]


def test_filters_by_brand_verdict_stars_backend_and_seed_range(catalog):
    catalog.review("lotus-tea-s1", "approved", stars=5)
    catalog.review("lotus-tea-s2", "rejected", stars=2)
    gallery = Gallery(catalog, reviewer="mei", page_size=100)
    assert gallery.item_count() == 15 and gallery.shown_count == 15

    gallery.set_filters(brand="lotus-tea")
    assert ids(gallery) == [f"lotus-tea-s{s}" for s in range(1, 6)]
    gallery.set_filters(verdict="unreviewed")
    assert ids(gallery) == ["lotus-tea-s3", "lotus-tea-s4", "lotus-tea-s5"]
    gallery.set_filters(verdict="approved")
    assert ids(gallery) == ["lotus-tea-s1"]
    gallery.set_filters(verdict=None, min_stars=2)
    assert ids(gallery) == ["lotus-tea-s1", "lotus-tea-s2"]
    gallery.set_filters(min_stars=3)
    assert ids(gallery) == ["lotus-tea-s1"]

    gallery.clear_filters()
    gallery.set_filters(backend="openai")
    assert ids(gallery) == ["tern-motors-s4", "tern-motors-s5"]
    gallery.set_filters(backend=None, seed_min=2, seed_max=3)
    assert ids(gallery) == ["lotus-tea-s2", "lotus-tea-s3", "polar-scoop-s2", "polar-scoop-s3",
                            "tern-motors-s2", "tern-motors-s3"]
    assert gallery.backends() == ["openai", "previz"] and gallery.seed_range() == (1, 5)
    with pytest.raises(GalleryError, match="unknown filter"):
        gallery.set_filters(colour="red")
    with pytest.raises(GalleryError, match="verdict filter"):
        gallery.set_filters(verdict="maybe")


def test_paging_clamps_and_the_cursor_turns_pages(catalog):
    gallery = Gallery(catalog, reviewer="mei", page_size=4)
    assert gallery.page_count == 4  # 15 concepts
    assert ids(gallery) == ["lotus-tea-s1", "lotus-tea-s2", "lotus-tea-s3", "lotus-tea-s4"]
    assert gallery.current == "lotus-tea-s1"
    gallery.next_page()
    assert ids(gallery)[0] == "lotus-tea-s5" and gallery.current == "lotus-tea-s5"
    gallery.go_to_page(99)
    assert gallery.page == 3 and len(ids(gallery)) == 3
    gallery.go_to_page(-5)
    assert gallery.page == 0

    gallery.set_current("lotus-tea-s4")
    gallery.move(+1)  # past the end of page one
    assert (gallery.page, gallery.current) == (1, "lotus-tea-s5")
    gallery.move(-1)
    assert (gallery.page, gallery.current) == (0, "lotus-tea-s4")

    gallery.set_filters(brand="tern-motors", seed_min=99)
    assert gallery.page_items() == [] and gallery.page_count == 1 and gallery.current is None
    assert "no concept" in gallery.press("a")


def test_keys_decide_on_the_cursor_and_move_on(catalog):
    started = datetime.now(timezone.utc)
    gallery = Gallery(catalog, reviewer="mei", page_size=5)
    gallery.set_filters(brand="polar-scoop")
    assert gallery.press("a", reason="clear logo") == "approved polar-scoop-s1"
    assert gallery.current == "polar-scoop-s2"
    assert gallery.press("R") == "rejected polar-scoop-s2"
    gallery.press("4")  # stars stay on the same concept
    assert catalog.stars() == {"polar-scoop-s3": 4}
    gallery.press("k")
    assert gallery.current == "polar-scoop-s2"
    gallery.press("x")
    gallery.press("c")
    assert gallery.selected == {"polar-scoop-s2"} and gallery.compared == ["polar-scoop-s2"]
    assert "does nothing" in gallery.press("?")

    [approve] = catalog.history("polar-scoop-s1")
    assert (approve.verdict, approve.reviewer, approve.role, approve.reason) == ("approved", "mei", "designer", "clear logo")
    decided = datetime.fromisoformat(approve.created_at)  # every decision carries its time, as ISO 8601 in UTC
    assert decided.utcoffset() == timedelta(0)
    assert started - timedelta(seconds=1) <= decided <= datetime.now(timezone.utc) <= started + timedelta(minutes=1)
    assert catalog.verdicts() == {"polar-scoop-s1": "approved", "polar-scoop-s2": "rejected"}


def test_art_directors_verdict_counts_and_both_are_kept(catalog):
    designer = Gallery(catalog, reviewer="mei", role="designer")
    director = Gallery(catalog, reviewer="lee", role="art_director")
    designer.decide("lotus-tea-s1", "approved")
    director.decide("lotus-tea-s1", "rejected", reason="off-brand red")
    designer.decide("lotus-tea-s1", "approved")  # the designer insists: kept, but does not count

    for gallery in (designer, director):
        gallery.refresh()
        item = gallery.item("lotus-tea-s1")
        assert (item.designer, item.director, item.verdict) == ("approved", "rejected", "rejected")
    assert catalog.verdicts()["lotus-tea-s1"] == "rejected"
    assert [(r.reviewer, r.role) for r in catalog.history("lotus-tea-s1")] == [
        ("mei", "designer"), ("lee", "art_director"), ("mei", "designer")]


def test_a_decision_shows_at_once_but_the_card_stays_until_the_page_changes(catalog):
    gallery = Gallery(catalog, reviewer="mei", page_size=3)
    gallery.set_filters(brand="lotus-tea", verdict="unreviewed")
    gallery.decide("lotus-tea-s1", "approved")
    assert gallery.item("lotus-tea-s1").verdict == "approved"
    assert ids(gallery)[0] == "lotus-tea-s1"  # no jumping under the reviewer's hand
    gallery.go_to_page(0)
    assert ids(gallery) == ["lotus-tea-s2", "lotus-tea-s3", "lotus-tea-s4"]


def test_bulk_decides_the_selection_and_clears_it(catalog):
    gallery = Gallery(catalog, reviewer="mei", page_size=5)
    gallery.set_filters(brand="tern-motors")
    gallery.select_page()
    gallery.toggle_selected("tern-motors-s5")
    assert gallery.bulk("rejected", reason="wheels melted") == 4
    assert gallery.selected == set()
    assert sorted(catalog.verdicts()) == [f"tern-motors-s{s}" for s in range(1, 5)]
    assert {r.reason for r in catalog.history()} == {"wheels melted"}
    assert gallery.bulk("approved") == 0


def test_compare_keeps_the_two_latest(catalog):
    gallery = Gallery(catalog, reviewer="mei")
    for concept_id in ("lotus-tea-s1", "lotus-tea-s2", "lotus-tea-s2", "polar-scoop-s1"):
        gallery.add_to_compare(concept_id)
    assert [item.id for item in gallery.compare_pair()] == ["lotus-tea-s2", "polar-scoop-s1"]
    with pytest.raises(GalleryError, match="not in this gallery"):
        gallery.add_to_compare("nope")


def test_more_like_this_queues_fresh_seeds_for_the_same_prompt(catalog):
    gallery = Gallery(catalog, reviewer="mei")
    queued = gallery.more_like_this("lotus-tea-s2", count=3)
    assert [r.seed for r in queued] == [6, 7, 8]  # above every seed the brand has
    assert {(r.brand, r.backend, r.prompt, r.requested_by) for r in queued} == {
        ("lotus-tea", "previz", "a float for lotus-tea", "mei")}
    assert [r.seed for r in Gallery(catalog, reviewer="lee").more_like_this("lotus-tea-s1", 1)] == [9]
    assert [r.seed for r in catalog.seed_requests(pending_only=True)] == [6, 7, 8, 9]
    catalog.add_concept(record("lotus-tea", 7))  # what `generate` does for a queued seed
    assert [r.seed for r in catalog.seed_requests(pending_only=True)] == [6, 8, 9]
    detail = gallery.detail("lotus-tea-s2")
    assert [r.seed for r in detail.requests] == [6, 7, 8]
    assert detail.image_path == catalog.root / "concepts/lotus-tea/lotus-tea-s2.png"


def test_brand_stats_flag_brands_that_need_concepts(catalog):
    for seed in range(1, 6):
        catalog.review(f"polar-scoop-s{seed}", "rejected")
    catalog.review("lotus-tea-s1", "approved")
    catalog.review("lotus-tea-s2", "rejected")
    gallery = Gallery(catalog, reviewer="mei", brands=[*BRANDS, "golden-rabbit-bakery"])
    stats = {s.brand: s for s in gallery.brand_stats()}
    assert (stats["lotus-tea"].made, stats["lotus-tea"].reviewed, stats["lotus-tea"].approved) == (5, 2, 1)
    assert stats["lotus-tea"].usable_fraction == 0.5 and stats["lotus-tea"].to_review == 3
    assert [s.brand for s in stats.values() if s.needs_concepts] == ["golden-rabbit-bakery", "polar-scoop"]
    assert stats["golden-rabbit-bakery"].made == 0
    assert not stats["tern-motors"].needs_concepts  # nothing approved, but 5 still to review


def test_reviewer_and_role_come_from_settings(monkeypatch):
    monkeypatch.setenv("WORKBENCH_REVIEWER", "ad-lee")
    monkeypatch.setenv("WORKBENCH_ROLE", "art_director")
    assert reviewer_name() == "ad-lee" and reviewer_name("mei") == "mei"
    assert reviewer_role() == "art_director" and reviewer_role("designer") == "designer"
    monkeypatch.delenv("WORKBENCH_REVIEWER")
    monkeypatch.delenv("WORKBENCH_ROLE")
    assert reviewer_name() == getpass.getuser() and reviewer_role() == "designer"  # the login name
    monkeypatch.setenv("WORKBENCH_REVIEWER", "  ")  # a blank setting is no name: the login name again
    assert reviewer_name() == getpass.getuser() and reviewer_name(" ") == getpass.getuser()
    with pytest.raises(GalleryError, match="role"):
        reviewer_role("boss")


def test_filters_admit_unreviewed_without_stars():
    item_filter = Filters(min_stars=1)
    from workbench.curate.gallery import GalleryItem

    assert not item_filter.admits(GalleryItem(record("lotus-tea", 1)))


def _review_many(path: str, reviewer: str, role: str, concept_ids: list[str], ready, go) -> None:
    with Catalog(path) as catalog:
        gallery = Gallery(catalog, reviewer=reviewer, role=role)
        ready.set()
        go.wait(30)
        for index, concept_id in enumerate(concept_ids):
            gallery.decide(concept_id, "approved" if index % 2 else "rejected", stars=1 + index % 5)


def test_two_reviewers_in_two_processes_lose_no_decision(catalog):
    """2 x 500 decisions on one catalog at the same time: every row is there, and each sees the other's."""
    everything = [r.id for r in catalog.concepts()]
    context = multiprocessing.get_context("spawn")  # a fresh interpreter, like a second kernel
    go = context.Event()
    workers, readies = [], []
    for reviewer, role in (("mei", "designer"), ("lee", "art_director")):
        ready = context.Event()
        plan = [everything[i % len(everything)] for i in range(500)]
        worker = context.Process(target=_review_many, args=(str(catalog.path), reviewer, role, plan, ready, go))
        worker.start()
        workers.append(worker)
        readies.append(ready)
    for ready in readies:
        assert ready.wait(60)
    go.set()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    history = catalog.history()
    assert len(history) == 1000
    assert sorted(r.reviewer for r in history).count("mei") == 500
    assert len({r.id for r in history}) == 1000
    gallery = Gallery(catalog, reviewer="someone")  # a third reviewer's refresh sees both roles
    assert gallery.page_items() and all(item.designer and item.director for item in gallery.page_items())


# Triage ------------------------------------------------------------------------------------------


def triaged(concept_id: str, score: float, status: str = "passed", duplicate_of: str | None = None,
            failing: str | None = None) -> TriageResult:
    """A triage row as `workbench triage` writes it: five checks, `failing` one failed with a reason."""
    checks = {name: {"score": 95.0, "failed": False, "reasons": []} for name in CHECKS}
    if failing:
        checks[failing] = {"score": 20.0, "failed": True, "reasons": [f"{failing} problem on {concept_id}"]}
    if duplicate_of:
        checks["craft"]["reasons"] = [f"near-copy of {duplicate_of}"]
    return TriageResult(concept_id, "t1", "0" * 64, {}, score, status, duplicate_of, checks, "p1")


@pytest.fixture
def triage_catalog(catalog) -> Catalog:
    """lotus-tea scored (s2 best, s4 flagged, s5 a near-copy of s2), polar-scoop-s1 tied with lotus-tea-s2,
    everything else untriaged; triage shortlisted lotus-tea s1-s3 and polar-scoop-s1, and rejected s4."""
    catalog.save_triage([
        triaged("lotus-tea-s1", 72), triaged("lotus-tea-s2", 91), triaged("lotus-tea-s3", 80),
        triaged("lotus-tea-s4", 35, "flagged", failing="logo"),
        triaged("lotus-tea-s5", 88, "duplicate", duplicate_of="lotus-tea-s2"),
        triaged("polar-scoop-s1", 91),
    ])
    for concept_id in ("lotus-tea-s1", "lotus-tea-s2", "lotus-tea-s3", "polar-scoop-s1"):
        catalog.review(concept_id, "approved", reason="shortlist", reviewer="triage", role=TRIAGE_ROLE)
    catalog.review("lotus-tea-s4", "rejected", reason="auto-reject", reviewer="triage", role=TRIAGE_ROLE)
    return catalog


def test_gallery_sorts_by_triage_score_then_the_untriaged_in_catalog_order(triage_catalog):
    gallery = Gallery(triage_catalog, reviewer="mei", page_size=100)
    assert gallery.sort == "score"
    assert ids(gallery)[:6] == ["lotus-tea-s2", "polar-scoop-s1",  # a tie keeps catalog order
                                "lotus-tea-s5", "lotus-tea-s3", "lotus-tea-s1", "lotus-tea-s4"]
    assert ids(gallery)[6:] == [f"polar-scoop-s{s}" for s in range(2, 6)] + [f"tern-motors-s{s}" for s in range(1, 6)]
    assert gallery.current == "lotus-tea-s2"

    gallery.set_sort("made")
    assert ids(gallery) == [r.id for r in triage_catalog.concepts()]
    gallery.set_filters(brand="lotus-tea")
    gallery.set_sort("score")
    assert ids(gallery) == ["lotus-tea-s2", "lotus-tea-s5", "lotus-tea-s3", "lotus-tea-s1", "lotus-tea-s4"]
    with pytest.raises(GalleryError, match="sort"):
        gallery.set_sort("stars")


def test_triage_filter_shows_passed_flagged_duplicates_or_the_untriaged(triage_catalog):
    gallery = Gallery(triage_catalog, reviewer="mei", page_size=100)
    gallery.set_filters(triage="flagged")
    assert ids(gallery) == ["lotus-tea-s4"]
    gallery.set_filters(triage="duplicate")
    assert ids(gallery) == ["lotus-tea-s5"]
    gallery.set_filters(triage="passed")
    assert ids(gallery) == ["lotus-tea-s2", "polar-scoop-s1", "lotus-tea-s3", "lotus-tea-s1"]
    gallery.set_filters(triage="untriaged", brand="polar-scoop")
    assert ids(gallery) == [f"polar-scoop-s{s}" for s in range(2, 6)]
    gallery.set_filters(triage=None)
    assert gallery.shown_count == 5
    with pytest.raises(GalleryError, match="triage filter"):
        gallery.set_filters(triage="maybe")


def test_triage_verdict_counts_only_until_a_person_decides(triage_catalog):
    gallery = Gallery(triage_catalog, reviewer="mei", page_size=100)
    flagged = gallery.item("lotus-tea-s4")
    assert (flagged.triage_verdict, flagged.designer, flagged.verdict) == ("rejected", None, "rejected")
    assert flagged.triage.status == "flagged" and flagged.triage.reasons == ["logo problem on lotus-tea-s4"]
    assert gallery.item("tern-motors-s1").triage is None and gallery.item("tern-motors-s1").triage_status == "untriaged"

    gallery.decide("lotus-tea-s4", "approved", reason="the logo is fine, triage misread it")
    assert gallery.item("lotus-tea-s4").verdict == "approved"  # at once, before a refresh
    gallery.refresh()
    rescued = gallery.item("lotus-tea-s4")
    assert (rescued.triage_verdict, rescued.designer, rescued.verdict) == ("rejected", "approved", "approved")
    gallery.set_filters(verdict="unreviewed", brand="lotus-tea")
    # still for a person: triage's shortlist and the undecided, best first; not s4, which a person decided
    assert ids(gallery) == ["lotus-tea-s2", "lotus-tea-s5", "lotus-tea-s3", "lotus-tea-s1"]


def test_accept_triage_shortlist_approves_what_no_person_decided(triage_catalog):
    triage_catalog.review("lotus-tea-s2", "rejected", reason="too busy", reviewer="ann")  # a designer said no
    triage_catalog.review("lotus-tea-s3", "approved", stars=4, reviewer="lee", role="art_director")
    triage_catalog.review("lotus-tea-s1", stars=3, reviewer="ann")  # stars alone decide nothing
    gallery = Gallery(triage_catalog, reviewer="mei", page_size=2)
    gallery.set_filters(brand="lotus-tea")
    assert gallery.triage_shortlist_to_accept() == ["lotus-tea-s1"]  # on page two, still shown by the filters
    assert gallery.accept_triage_shortlist() == 1

    [accepted] = [r for r in triage_catalog.history("lotus-tea-s1") if r.verdict and r.role != TRIAGE_ROLE]
    assert (accepted.verdict, accepted.reviewer, accepted.role, accepted.reason) == (
        "approved", "mei", "designer", "triage shortlist")
    assert gallery.item("lotus-tea-s1").designer == "approved"
    verdicts = triage_catalog.verdicts_by_role()
    assert verdicts["lotus-tea-s2"] == {TRIAGE_ROLE: "approved", "designer": "rejected"}  # not overridden
    assert triage_catalog.verdicts()["lotus-tea-s2"] == "rejected"
    assert "designer" not in verdicts["polar-scoop-s1"]  # not shown, so not accepted
    assert gallery.accept_triage_shortlist() == 0 and gallery.triage_shortlist_to_accept() == []

    director = Gallery(triage_catalog, reviewer="lee", role="art_director")
    assert director.accept_triage_shortlist() == 1  # polar-scoop-s1, in the director's own name
    assert triage_catalog.verdicts_by_role()["polar-scoop-s1"]["art_director"] == "approved"


def test_to_review_keeps_triages_shortlist_and_leaves_out_its_rejections(tmp_path):
    """A person still has to look at what triage shortlisted; what triage rejected they need never see."""
    from workbench.catalog import Catalog, ConceptRecord
    from workbench.curate.gallery import Gallery

    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        for index in range(4):
            catalog.add_concept(ConceptRecord(f"c{index}", "lotus-tea", "previz", "m", "p", "", index, {},
                                              f"concepts/c{index}.png", "0" * 64))
        catalog.review("c0", "approved", reviewer="triage", role="triage")
        catalog.review("c1", "rejected", reviewer="triage", role="triage")
        catalog.review("c2", "rejected", reviewer="mei")
        gallery = Gallery(catalog, reviewer="mei")
        gallery.set_filters(verdict="unreviewed")
        assert gallery.page_ids() == ["c0", "c3"]
        gallery.set_filters(verdict="rejected")
        assert sorted(gallery.page_ids()) == ["c1", "c2"]
