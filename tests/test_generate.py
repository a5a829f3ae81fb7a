"""Generation: files and catalog rows agree, PNGs carry their recipe, re-runs resume, failures stay local."""

from __future__ import annotations

import pytest
from PIL import Image

from conftest import write_campaign
from workbench.backends import Concept, UnknownBackend, get_backend
from workbench.campaign import load_campaign
from workbench.catalog import Catalog
from workbench.files import file_hash
from workbench.generate import generate_campaign
from workbench.kits import load_kits


class CountingBackend:
    """A stand-in backend: a flat square in the brand colour; counts calls; can fail for one brand."""

    name = "counting"

    def __init__(self, fail_for: str | None = None):
        self.calls = 0
        self.fail_for = fail_for

    def generate(self, kit, prompt, seed, settings):
        self.calls += 1
        if kit.slug == self.fail_for:
            raise RuntimeError("model crashed")
        image = Image.new("RGBA", (settings["width"], settings["height"]), kit.palette.rgb("primary") + (255,))
        return [Concept(image=image, model="square-1", settings={**settings, "seed_used": seed})]


@pytest.fixture
def setup(tmp_path, kits_folder):
    campaign = load_campaign(write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "renders",
                                            generation={"seeds": [1, 2, 3], "width": 64, "height": 64}))
    kits = list(load_kits(kits_folder).kits.values())
    with Catalog(campaign.catalog_path) as catalog:
        yield campaign, kits, catalog


def test_generation_records_files_and_rows(setup):
    campaign, kits, catalog = setup
    report = generate_campaign(campaign, kits, catalog, CountingBackend(), progress=False)
    assert len(report.made) == 9 and not report.failed
    for record in catalog.concepts():
        path = catalog.image_path(record)
        assert file_hash(path) == record.content_hash
        assert record.settings["seed_used"] == record.seed and record.model == "square-1"
        text = Image.open(path).text
        assert text["concept_id"] == record.id and text["prompt"] == record.prompt
        assert text["seed"] == str(record.seed) and text["backend"] == "counting"
    assert not list(campaign.concepts_dir.rglob("*.part")), "no temp files left behind"


def test_rerun_makes_only_what_is_missing(setup):
    campaign, kits, catalog = setup
    generate_campaign(campaign, kits, catalog, CountingBackend(), progress=False)
    victim = catalog.concepts()[0]
    catalog.image_path(victim).unlink()  # as if a run died after the row, or a file was removed
    backend = CountingBackend()
    report = generate_campaign(campaign, kits, catalog, backend, progress=False)
    assert backend.calls == 1 and report.made == [victim.id] and len(report.skipped) == 8


def test_a_batch_missing_one_image_is_made_again(setup):
    campaign, kits, catalog = setup

    class PairBackend(CountingBackend):
        def generate(self, kit, prompt, seed, settings):
            return super().generate(kit, prompt, seed, settings) * 2

    batched = campaign.with_changes(generation={"options": {"batch_size": 2}})
    report = generate_campaign(batched, kits[:1], catalog, PairBackend(), progress=False)
    assert len(report.made) == 6
    second = catalog.concept(f"{report.made[0]}-1")
    catalog.image_path(second).unlink()  # as if the run died between a seed's two images
    backend = PairBackend()
    again = generate_campaign(batched, kits[:1], catalog, backend, progress=False)
    assert backend.calls == 1 and len(again.skipped) == 2
    assert catalog.image_path(second).is_file()


def test_one_failing_brand_does_not_stop_the_others(setup):
    campaign, kits, catalog = setup
    report = generate_campaign(campaign, kits, catalog, CountingBackend(fail_for="polar-scoop"), progress=False)
    assert len(report.made) == 6
    assert {what.split()[0] for what, _ in report.failed} == {"polar-scoop"}
    assert "model crashed" in str(report)
    assert {c.brand for c in catalog.concepts()} == {"lotus-tea", "kestrel-stride"}


def test_a_different_prompt_is_a_different_concept(setup):
    campaign, kits, catalog = setup
    generate_campaign(campaign, kits[:1], catalog, CountingBackend(), progress=False)
    changed = campaign.with_changes(prompt={"brief": "a night-market float"})
    report = generate_campaign(changed, kits[:1], catalog, CountingBackend(), progress=False)
    assert len(report.made) == 3 and len(catalog.concepts()) == 6


def test_unknown_backend_names_the_known_ones():
    with pytest.raises(UnknownBackend) as caught:
        get_backend("midjourney")
    assert "previz" in str(caught.value)
