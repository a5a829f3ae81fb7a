"""The catalog: concepts, append-only reviews, and the verdict that counts."""

from __future__ import annotations

import sqlite3

import pytest

from workbench.catalog import Catalog, CatalogError, ConceptRecord


def _concept(concept_id: str, brand: str = "lotus-tea", seed: int = 1) -> ConceptRecord:
    return ConceptRecord(concept_id, brand, "previz", "previz-1", "a float", "blurry", seed,
                         {"width": 64}, f"concepts/{brand}/{concept_id}.png", "0" * 64)


@pytest.fixture
def catalog(tmp_path):
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        for index, brand in enumerate(["lotus-tea", "lotus-tea", "polar-scoop"]):
            catalog.add_concept(_concept(f"c{index}", brand, seed=index))
        yield catalog


def test_concepts_round_trip(catalog):
    record = catalog.concept("c0")
    assert record.settings == {"width": 64} and record.seed == 0
    assert [c.id for c in catalog.concepts("lotus-tea")] == ["c0", "c1"]
    assert catalog.image_path(record) == catalog.root / "concepts/lotus-tea/c0.png"


def test_reviews_are_append_only_and_keep_history(catalog):
    catalog.review("c0", "approved", reviewer="mei")
    catalog.review("c0", "rejected", reviewer="mei", reason="logo too small")
    assert [r.verdict for r in catalog.history("c0")] == ["approved", "rejected"]
    assert catalog.verdicts() == {"c0": "rejected"}
    for statement in ("UPDATE reviews SET verdict = 'approved'", "DELETE FROM reviews"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            catalog._db.execute(statement)
    assert len(catalog.history("c0")) == 2


def test_art_director_verdict_wins_over_later_designer_verdict(catalog):
    catalog.review("c0", "rejected", role="art_director", reviewer="ad")
    catalog.review("c0", "approved", role="designer", reviewer="mei")
    assert catalog.verdicts()["c0"] == "rejected"
    assert catalog.approved() == []


def test_stars_only_review_keeps_the_verdict(catalog):
    catalog.review("c1", "approved")
    catalog.review("c1", stars=5)
    assert catalog.verdicts()["c1"] == "approved" and catalog.stars()["c1"] == 5


def test_summary_counts_and_usable_fraction(catalog):
    catalog.review("c0", "approved")
    catalog.review("c1", "rejected")
    summary = {s.brand: s for s in catalog.summary(["lotus-tea", "polar-scoop", "tern-motors"])}
    assert (summary["lotus-tea"].made, summary["lotus-tea"].reviewed, summary["lotus-tea"].approved) == (2, 2, 1)
    assert summary["lotus-tea"].usable_fraction == 0.5
    assert summary["polar-scoop"].usable_fraction is None
    assert summary["tern-motors"].made == 0


@pytest.mark.parametrize("kwargs, field", [
    ({"verdict": "maybe"}, "verdict"), ({"stars": 6}, "stars"), ({"verdict": "approved", "role": "boss"}, "role"),
    ({}, "verdict or stars"),
])
def test_bad_reviews_are_refused(catalog, kwargs, field):
    with pytest.raises(CatalogError, match=field):
        catalog.review("c0", **kwargs)
    assert catalog.history() == []


def test_review_of_unknown_concept_is_refused(catalog):
    with pytest.raises(CatalogError, match="no concept 'nope'"):
        catalog.review("nope", "approved")


def test_two_connections_see_each_others_decisions(tmp_path, catalog):
    other = Catalog(catalog.path)
    other.review("c2", "approved", reviewer="ad")
    assert catalog.verdicts() == {"c2": "approved"}
    other.close()


def test_triage_verdicts_never_outrank_a_person_and_can_be_withdrawn(catalog):
    catalog.review("c0", "approved", reviewer="triage", role="triage", reason="shortlist")
    assert catalog.verdicts() == {"c0": "approved"}
    catalog.review("c0", "rejected", reviewer="mei", role="designer")
    assert catalog.verdicts() == {"c0": "rejected"}
    catalog.review("c1", "rejected", reviewer="triage", role="triage")
    catalog.review("c1", None, reviewer="triage", role="triage", reason="policy changed")
    assert "c1" not in catalog.verdicts()
    assert [r.role for r in catalog.history("c0")] == ["triage", "designer"]
    with pytest.raises(CatalogError, match="verdict or stars"):
        catalog.review("c1", None, reviewer="mei")


def test_triage_results_round_trip_by_version(catalog):
    from workbench.catalog import TriageResult

    first = TriageResult("c0", "1", "0" * 64, {"sharpness": 12.5}, 81.0, "passed", None,
                         {"logo": {"score": 100.0, "reasons": []}, "palette": {"score": 60.0, "reasons": ["off-brand"]}},
                         "p1")
    catalog.save_triage([first])
    assert catalog.triage_results()["c0"] == first
    assert catalog.triage_results()["c0"].reasons == ["off-brand"]
    newer = TriageResult("c0", "2", "0" * 64, {}, 20.0, "flagged", None, {}, "p1")
    catalog.save_triage([newer])
    assert catalog.triage_results("1")["c0"].score == 81.0
    assert catalog.triage_results()["c0"].version == "2"
    with pytest.raises(CatalogError, match="status"):
        catalog.save_triage([TriageResult("c1", "1", "", {}, 0, "maybe", None, {}, "p1")])


def test_an_old_catalog_is_migrated_with_its_reviews_kept(tmp_path):
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    from workbench.catalog import SCHEMA

    old.executescript(SCHEMA.replace("'designer', 'art_director', 'triage')", "'designer', 'art_director')"))
    old.execute("INSERT INTO concepts VALUES ('c0', 'lotus-tea', 'previz', 'm', 'p', 'n', 1, '{}', 'x.png', 'h', 't', 'ok', '')")
    old.execute("INSERT INTO reviews (id, concept_id, verdict, reviewer, role, created_at)"
                " VALUES (7, 'c0', 'approved', 'mei', 'designer', 't')")
    old.commit()
    old.close()
    with Catalog(path) as catalog:
        assert [(r.id, r.verdict, r.reviewer) for r in catalog.history("c0")] == [(7, "approved", "mei")]
        catalog.review("c0", "rejected", reviewer="triage", role="triage")
        assert catalog._db.execute("PRAGMA user_version").fetchone()[0] == 2
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            catalog._db.execute("DELETE FROM reviews")
