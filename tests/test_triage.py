"""Triage: each check on a few real previz floats with injected defects, the scores and reasons in
the catalog, the policy's reviews, re-deciding without re-reading, and the command line.

The rates over many floats are measured by benchmarks/bench_triage.py, not here."""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import SAMPLE_KITS, write_campaign
from workbench.backends.previz import PrevizBackend
from workbench.campaign import TriageSettings, load_campaign
from workbench.catalog import Catalog
from workbench.cli import app
from workbench.kits import load_kits
from workbench.prompts import PromptTemplate, build_prompt
from workbench.triage import triage_campaign, write_report_csv
from workbench.triage.image import Subject
from workbench.triage.ocr import RapidOcrReader
from workbench.triage.scoring import decide_brand, measure_concept

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from triage_defects import DEFECTS, logo_swapped  # noqa: E402

SIZE = 512
KITS = load_kits(SAMPLE_KITS).kits


@pytest.fixture(scope="module")
def reader():
    return RapidOcrReader()


def previz(slug: str, seed: int):
    kit = KITS[slug]
    return kit, PrevizBackend().generate(kit, build_prompt(kit, PromptTemplate()), seed, {"width": SIZE, "height": SIZE})[0]


def measured(image, kit, layout, reader):
    return measure_concept(Subject.from_image(image, layout), kit, reader)


@pytest.fixture(scope="module")
def clean_batch(reader):
    """Three clean floats each of a Chinese and a Latin kit, measured."""
    batch = {}
    for slug in ("golden-rabbit-bakery", "kestrel-stride"):
        for seed in (1, 2, 3):
            kit, concept = previz(slug, seed)
            batch[f"{slug}-{seed}"] = (kit, concept, measured(concept.image, kit, concept.layout, reader))
    return batch


def brand_batch(clean_batch, slug):
    return {cid: m for cid, (kit, _, m) in clean_batch.items() if cid.startswith(slug)}


def test_clean_floats_pass_with_their_names_read_back(clean_batch):
    for slug in ("golden-rabbit-bakery", "kestrel-stride"):
        decisions = decide_brand(brand_batch(clean_batch, slug), KITS[slug], TriageSettings())
        for concept_id, decision in decisions.items():
            assert decision.status == "passed", (concept_id, decision.reasons)
            assert decision.score >= 90 and decision.reasons == []
    read = [line[0] for line in clean_batch["golden-rabbit-bakery-1"][2]["lettering"]["lines"]]
    assert "金兔饼家" in read  # read by the real OCR model off the banner


def test_text_in_the_logo_is_the_logo_not_stray_text(clean_batch):
    """The Kestrel Stride mark carries its own lettering: OCR reads it, triage does not flag it."""
    lines = [line[0] for line in clean_batch["kestrel-stride-1"][2]["lettering"]["lines"]]
    assert "KESTREL" in lines
    decisions = decide_brand(brand_batch(clean_batch, "kestrel-stride"), KITS["kestrel-stride"], TriageSettings())
    assert decisions["kestrel-stride-1"].checks["lettering"].reasons == ()


CHECK_OF = {
    "garbled_text": ("lettering", "stray text"), "name_erased": ("lettering", "not read"),
    "name_misspelt": ("lettering", "not read"), "logo_covered": ("logo", "logo covered"),
    "logo_swapped": ("logo", "logo covered"), "off_palette": ("palette", "brand"), "blurred": ("craft", "blurred"),
    "noise": ("craft", "noisy"), "background_left": ("cutout", "background left in"),
    "cropped": ("cutout", "cut by the"),
}


@pytest.mark.parametrize("kind", sorted(CHECK_OF))
def test_each_defect_is_flagged_with_a_reason(kind, clean_batch, reader):
    slug = "golden-rabbit-bakery" if kind in ("garbled_text", "name_misspelt", "off_palette") else "kestrel-stride"
    kit, concept, _ = clean_batch[f"{slug}-1"]
    rng = random.Random(kind)
    if kind == "logo_swapped":
        image = logo_swapped(concept.image, kit, concept.layout, 2, rng, other=KITS["lotus-tea"])
    else:
        image = DEFECTS[kind](concept.image, kit, concept.layout, 2, rng)
    batch = brand_batch(clean_batch, slug) | {"defective": measured(image, kit, concept.layout, reader)}
    decisions = decide_brand(batch, kit, TriageSettings())
    check, words = CHECK_OF[kind]
    decision = decisions["defective"]
    assert decision.status == "flagged"
    assert decision.checks[check].failed and any(words in reason for reason in decision.checks[check].reasons), \
        decision.reasons
    assert decision.score < min(d.score for cid, d in decisions.items() if cid != "defective")


def test_a_near_copy_is_a_duplicate_of_the_better_one(clean_batch, reader):
    kit, concept, _ = clean_batch["kestrel-stride-2"]
    copy = DEFECTS["near_copy"](concept.image, kit, concept.layout, 1, random.Random(1))
    batch = brand_batch(clean_batch, "kestrel-stride") | {"copy": measured(copy, kit, concept.layout, reader)}
    decisions = decide_brand(batch, kit, TriageSettings())
    pair = {decisions["copy"].duplicate_of, decisions["kestrel-stride-2"].duplicate_of}
    assert pair & {"copy", "kestrel-stride-2"}, pair
    copies = [cid for cid in ("copy", "kestrel-stride-2") if decisions[cid].status == "duplicate"]
    assert len(copies) == 1 and decisions[copies[0]].reasons[-1].startswith("near-copy of")
    assert decisions["kestrel-stride-1"].status == "passed"


def test_an_image_from_a_random_weight_pipeline_fails(clean_batch, reader):
    kit, concept, _ = clean_batch["kestrel-stride-1"]
    generator = np.random.default_rng(0)
    pixels = generator.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
    noise = Image.fromarray(pixels).convert("RGBA")
    batch = brand_batch(clean_batch, "kestrel-stride") | {"noise": measured(noise, kit, None, reader)}
    decision = decide_brand(batch, kit, TriageSettings())["noise"]
    assert decision.status == "flagged" and decision.score < 30
    assert {"craft", "cutout", "logo", "lettering"} <= {name for name, check in decision.checks.items() if check.failed}


def test_a_concept_made_elsewhere_is_searched_for_its_logo_and_name(clean_batch, reader):
    """No planned layout: the logo is found by template matching, the name by OCR anywhere."""
    kit, concept, _ = clean_batch["golden-rabbit-bakery-2"]
    scaled = concept.image.resize((400, 400), Image.LANCZOS)
    found = measured(scaled, kit, None, reader)
    assert found["logo"]["mode"] == "search" and found["logo"]["match"] > 0.7
    decisions = decide_brand({"imported": found}, kit, TriageSettings())
    assert decisions["imported"].checks["logo"].failed is False
    assert decisions["imported"].checks["lettering"].failed is False, decisions["imported"].reasons
    other = KITS["tern-motors"]
    wrong = decide_brand({"imported": measured(scaled, other, None, reader)}, other, TriageSettings())["imported"]
    assert wrong.checks["logo"].failed and wrong.checks["lettering"].failed


# The stage: catalog, policy, re-deciding, command line ----------------------------------------------


@pytest.fixture
def campaign_file(tmp_path, kits_folder):
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                          generation={"backend": "previz", "seeds": [1, 2, 3], "width": 384, "height": 384},
                          triage={"shortlist": 1})
    result = CliRunner().invoke(app, ["generate", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _break_one(catalog: Catalog, brand: str) -> str:
    """Blur one concept's image in place (and record its new hash): a concept a designer rejects."""
    from workbench.files import file_hash

    record = catalog.concepts(brand)[0]
    path = catalog.image_path(record)
    image = DEFECTS["background_left"](Image.open(path), None, None, 2, random.Random(0))
    image.save(path)
    catalog._db.execute("UPDATE concepts SET content_hash = ? WHERE id = ?", (file_hash(path), record.id))
    return record.id


def test_triage_writes_scores_and_its_policy_as_reviews(campaign_file, reader, monkeypatch):
    campaign = load_campaign(campaign_file)
    kits = list(load_kits(campaign.kits_folder).select(campaign.brands))
    with Catalog(campaign.catalog_path) as catalog:
        broken = _break_one(catalog, "lotus-tea")
        report = triage_campaign(campaign, kits, catalog, reader=reader, progress=False)
        assert report.measured == 9 and report.reused == 0
        results = catalog.triage_results()
        assert len(results) == 9 and results[broken].status == "flagged"
        assert any("background left in" in reason for reason in results[broken].reasons)
        verdicts = catalog.verdicts_by_role()
        assert verdicts[broken] == {"triage": "rejected"}
        shortlisted = [cid for cid, roles in verdicts.items() if roles.get("triage") == "approved"]
        assert len(shortlisted) == 3 and broken not in shortlisted  # one per brand
        assert {r.reviewer for r in catalog.history(broken)} == {"triage"}

        # a person's verdict stands; triage does not write over it or again
        catalog.review(broken, "approved", reviewer="mei", role="art_director")

        # changed thresholds re-decide from the stored measures: no image is read again
        def no_reading(*args, **kwargs):
            raise AssertionError("an image was read again")

        monkeypatch.setattr(Subject, "open", no_reading)
        stricter = campaign.with_changes(triage={"shortlist": 2, "auto_reject": None})
        again = triage_campaign(stricter, kits, catalog, reader=reader, progress=False)
        assert again.measured == 0 and again.reused == 9
        assert len(again.shortlisted) == 3 and again.withdrawn == [broken]  # no auto-reject any more
        assert catalog.verdicts()[broken] == "approved"
        assert [r.verdict for r in catalog.history(broken)] == ["rejected", "approved", None]
        fewer = triage_campaign(campaign.with_changes(triage={"shortlist": 0}), kits, catalog, reader=reader,
                                progress=False)
        assert len(fewer.withdrawn) == 6 and fewer.rejected == []  # the art director approved the broken one
        assert not [cid for cid, roles in catalog.verdicts_by_role().items() if "triage" in roles]
        assert catalog.verdicts() == {broken: "approved"}


def test_triage_command_prints_per_brand_and_writes_the_report(campaign_file, tmp_path):
    report_file = tmp_path / "triage.csv"
    result = CliRunner().invoke(app, ["triage", str(campaign_file), "--report", str(report_file), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "passed" in result.output and "莲心茶坊" in result.output
    assert "triaged 9 concepts (measured 9, reused 0)" in result.output
    rows = list(csv.DictReader(report_file.open(encoding="utf-8")))
    assert list(rows[0]) == ["concept_id", "brand", "source", "score", "flagged", "reasons"]
    assert len(rows) == 9 and all(float(row["score"]) >= 90 for row in rows)
    again = CliRunner().invoke(app, ["triage", str(campaign_file), "--workers", "1"])
    assert "measured 0, reused 9" in again.output


def _png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims width x height pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_unreadable_concepts_are_reported_and_the_rest_are_triaged(campaign_file):
    """A truncated file, and a tiny one declaring 100000 x 100000 pixels: one line each, no crash."""
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        truncated, bomb = catalog.concepts("polar-scoop")[:2]
        catalog.image_path(truncated).write_bytes(b"\x89PNG\r\n\x1a\n truncated")
        catalog.image_path(bomb).write_bytes(_png_declaring(100_000, 100_000))
    result = CliRunner().invoke(app, ["triage", str(campaign_file), "--workers", "1"])
    assert result.exit_code == 1
    assert f"failed {truncated.id}: " in result.output and f"failed {bomb.id}: " in result.output
    assert "measured 7" in result.output and "Traceback" not in result.output
    with Catalog(campaign.catalog_path) as catalog:
        assert {truncated.id, bomb.id}.isdisjoint(catalog.triage_results()) and len(catalog.triage_results()) == 7


def test_imported_concepts_carry_their_source_into_the_report(campaign_file, tmp_path, reader):
    kit, concept = previz("polar-scoop", 5)
    original = tmp_path / "mj_polar_0042.png"
    concept.image.save(original)
    result = CliRunner().invoke(app, ["concepts", "import", str(campaign_file), "--brand", "polar-scoop",
                                      str(original), "--backend", "midjourney"])
    assert result.exit_code == 0, result.output
    campaign = load_campaign(campaign_file)
    kits = list(load_kits(campaign.kits_folder).select(campaign.brands))
    with Catalog(campaign.catalog_path) as catalog:
        triage_campaign(campaign, kits, catalog, reader=reader, progress=False)
        rows = list(csv.DictReader(write_report_csv(catalog, kits, tmp_path / "r.csv").open(encoding="utf-8")))
    imported = [row for row in rows if row["source"] == "mj_polar_0042.png"]
    assert len(imported) == 1 and imported[0]["flagged"] == "no", imported


def test_the_demo_triages_and_its_first_selection_is_triages_shortlist(tmp_path, kits_folder):
    path = write_campaign(tmp_path / "demo.yaml", kits_folder, tmp_path / "renders",
                          film={"aspects": ["16:9"], "sizes": {"16:9": [320, 180]}, "fps": 10, "title_seconds": 0.5,
                                "end_seconds": 0.5, "seconds_per_brand": 1.0, "preset": "ultrafast"})
    result = CliRunner().invoke(app, ["demo", str(path)])
    assert result.exit_code == 0, result.output
    assert "triage:" in result.output and "shortlisted 3" in result.output
    campaign = load_campaign(path)
    with Catalog(campaign.catalog_path) as catalog:
        assert len(catalog.triage_results()) == 6
        approved = {c.id for c in catalog.approved()}
        by_role = catalog.verdicts_by_role()
        assert len(approved) == 3 and all(by_role[cid] == {"triage": "approved"} for cid in approved)
    manifest = (campaign.films_dir / f"{campaign.name}_16x9.json").read_text(encoding="utf-8")
    assert all(cid in manifest for cid in approved)
