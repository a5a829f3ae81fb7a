"""Issue 11, "Seams": one merge rule for generation reports, one verdict rule, one per-brand tally."""

from __future__ import annotations

from conftest import write_campaign
from workbench.backends import BackendUnusable, ConceptRefused
from workbench.campaign import load_campaign
from workbench.catalog import BrandSummary, Catalog, ConceptRecord
from workbench.curate.gallery import Gallery
from workbench.generate import generate_campaign, generate_requested
from workbench.kits import load_kits
from workbench.parade import concept_provenance


class RefusesThenStops:
    """Declines its first prompt, then says nothing more can succeed (as a rejected API key would)."""

    name = "previz"  # the queued seeds' backend, so the requests match

    def __init__(self):
        self.calls: list[tuple[str, int]] = []

    def generate(self, kit, prompt, seed, settings):
        self.calls.append((kit.slug, seed))
        if len(self.calls) == 1:
            raise ConceptRefused("declined by the content policy", model="fake-1")
        raise BackendUnusable("the API key was rejected")


def _two_brand_campaign(tmp_path, kits_folder, size: int):
    """A previz campaign of lotus-tea and polar-scoop, one seed each, and their kits."""
    campaign_file = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                                   brands=["lotus-tea", "polar-scoop"], generation={
                                       "backend": "previz", "seeds": [1], "width": size, "height": size})
    kits = [kit for kit in load_kits(kits_folder).kits.values() if kit.slug in ("lotus-tea", "polar-scoop")]
    return load_campaign(campaign_file), kits


def test_a_stopped_sub_batch_stops_the_queued_seeds_and_keeps_refused_and_stopped(tmp_path, kits_folder, monkeypatch):
    campaign, kits = _two_brand_campaign(tmp_path, kits_folder, size=96)
    with Catalog(campaign.catalog_path) as catalog:
        generate_campaign(campaign, kits, catalog, progress=False)
        for brand in ("lotus-tea", "polar-scoop"):  # lotus-tea's seeds are queued first
            catalog.request_more(catalog.concepts(brand)[0].id, count=2)
        fake = RefusesThenStops()
        monkeypatch.setattr("workbench.generate.get_backend", lambda name: fake)

        report = generate_requested(campaign, kits, catalog)

        assert fake.calls == [("lotus-tea", 2), ("lotus-tea", 3)]  # polar-scoop's seeds never attempted
        assert report.stopped == "the API key was rejected"
        assert report.refused == [catalog.concepts("lotus-tea")[1].id]  # seed 2, recorded as refused
        assert catalog.concepts("lotus-tea")[1].status == "refused"
        assert report.failed == [("lotus-tea seed 3", "the API key was rejected")]
        assert "refused 1" in str(report) and "stopped: the API key was rejected" in str(report)


def _concept(concept_id: str, brand: str, seed: int = 1) -> ConceptRecord:
    return ConceptRecord(concept_id, brand, "previz", "previz-1", "a float", "", seed,
                         {"width": 64}, f"concepts/{brand}/{concept_id}.png", "0" * 64)


def test_the_film_credits_the_review_whose_verdict_counts(tmp_path):
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        catalog.add_concept(_concept("c1", "lotus-tea"))
        catalog.review("c1", "approved", reviewer="mei", role="designer")
        catalog.review("c1", "approved", reviewer="triage", role="triage")  # later, but a person outranks triage
        assert concept_provenance(catalog.concept("c1"), catalog)["reviewer"] == "mei"
        catalog.review("c1", "approved", reviewer="ad-lee", role="art_director")
        catalog.review("c1", "approved", reviewer="jo", role="designer")  # later, but the art director outranks
        credited = concept_provenance(catalog.concept("c1"), catalog)
        assert (credited["reviewer"], credited["reviewer_role"]) == ("ad-lee", "art_director")


def test_the_gallery_chart_and_the_catalog_summary_count_alike(tmp_path):
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        for seed, brand in enumerate(["lotus-tea", "lotus-tea", "lotus-tea", "polar-scoop"], start=1):
            catalog.add_concept(_concept(f"{brand}-s{seed}", brand, seed))
        catalog.review("lotus-tea-s1", "approved", reviewer="mei")
        catalog.review("lotus-tea-s2", "rejected", reviewer="triage", role="triage")
        catalog.review("lotus-tea-s2", "approved", reviewer="ad-lee", role="art_director")  # outranks triage
        catalog.review("lotus-tea-s3", "rejected", reviewer="triage", role="triage")
        brands = ["lotus-tea", "polar-scoop", "tern-motors"]
        gallery_rows = Gallery(catalog, reviewer="mei", brands=brands).brand_stats()
        assert [BrandSummary(s.brand, s.made, s.reviewed, s.approved) for s in gallery_rows] == catalog.summary(brands)
        assert catalog.summary(brands)[0] == BrandSummary("lotus-tea", made=3, reviewed=3, approved=2)
        assert [s.usable_fraction for s in gallery_rows] == [s.usable_fraction for s in catalog.summary(brands)]


def test_queued_seeds_of_a_backend_the_campaign_cannot_drive_are_reported_not_raised(tmp_path, kits_folder):
    """A seed queued for the diffusers backend, on a campaign whose options are previz's (no model named):
    reported as failed with the field, and the other queued seeds made."""
    campaign, kits = _two_brand_campaign(tmp_path, kits_folder, size=100)
    with Catalog(campaign.catalog_path) as catalog:
        generate_campaign(campaign, kits, catalog, progress=False)
        lotus = catalog.concepts("lotus-tea")[0]
        catalog._db.execute("UPDATE concepts SET backend = 'diffusers' WHERE id = ?", (lotus.id,))
        catalog.request_more(lotus.id, count=1)
        catalog.request_more(catalog.concepts("polar-scoop")[0].id, count=1)
        report = generate_requested(campaign, kits, catalog)
    assert [what for what, _ in report.failed] == ["lotus-tea seed 2"]
    assert "'diffusers'" in report.failed[0][1] and "generation.options.model" in report.failed[0][1]
    assert len(report.made) == 1 and report.made[0].startswith("polar-scoop-s2-")
