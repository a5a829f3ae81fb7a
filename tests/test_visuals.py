"""Key visuals: every still at its asked size, with the exact logo and product, the name, and the AI labels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import SAMPLE_KITS, write_campaign
from workbench.campaign import load_campaign
from workbench.catalog import Catalog
from workbench.cli import app
from workbench.generate import generate_campaign
from workbench.kits import load_kits
from workbench.parade.visuals import make_visuals, nearest_aspect
from workbench.triage.ocr import RapidOcrReader

SIZES = {"square": [320, 320], "poster": [300, 400], "story": [270, 480]}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("visuals")
    for slug in ("golden-rabbit-bakery", "tern-motors"):  # one with a product, one without
        shutil.copytree(SAMPLE_KITS / slug, root / "kits" / slug)
    path = write_campaign(root / "campaign.yaml", root / "kits", root / "renders",
                          generation={"backend": "previz", "seeds": [1, 2], "width": 384, "height": 384},
                          visuals={"sizes": SIZES})
    campaign = load_campaign(path)
    kits = load_kits(campaign.kits_folder).select(None)
    with Catalog(campaign.catalog_path) as catalog:
        generate_campaign(campaign, kits, catalog, progress=False)
        for record in catalog.concepts():
            catalog.review(record.id, verdict="approved", stars=record.seed)  # seed 2 has the most stars
        visuals = make_visuals(campaign, kits, catalog)
    return path, {kit.slug: kit for kit in kits}, visuals


def _exact_share(image: Image.Image, mark: Image.Image, box) -> float:
    left, top, right, bottom = box
    placed = np.asarray(mark.resize((right - left, bottom - top), Image.LANCZOS))
    seen = np.asarray(image.convert("RGB").crop(box))
    opaque = placed[..., 3] == 255
    return float(np.mean(np.all(seen[opaque] == placed[opaque][:, :3], axis=1)))


def test_every_brand_gets_every_size_from_its_chosen_float(made):
    _path, kits, visuals = made
    assert sorted((visual.brand, visual.name) for visual in visuals) == sorted(
        (slug, name) for slug in kits for name in SIZES)
    for visual in visuals:
        with Image.open(visual.path) as image:
            assert image.size == tuple(SIZES[visual.name]) == visual.size
        assert visual.concept_id.startswith(f"{visual.brand}-s2")  # the float the film would choose


def test_the_logo_and_the_product_are_exact(made):
    _path, kits, visuals = made
    for visual in visuals:
        kit = kits[visual.brand]
        with Image.open(visual.path) as image:
            assert _exact_share(image, kit.logo_image(), visual.logo_box) > 0.98  # the AI label may not cover it
            if kit.products:
                assert _exact_share(image, kit.product_image(), visual.product_box) == 1.0
            else:
                assert visual.product_box is None


def test_the_name_reads_back(made):
    _path, kits, visuals = made
    reader = RapidOcrReader()
    for visual in visuals:
        if visual.name != "poster":
            continue
        with Image.open(visual.path) as image:
            text = "".join(line.text for line in reader.read(np.asarray(image.convert("RGB"))))
        assert kits[visual.brand].display_name.replace(" ", "") in text.replace(" ", "")


def test_every_still_carries_the_ai_labels(made):
    _path, _kits, visuals = made
    for visual in visuals:
        with Image.open(visual.path) as image:
            label = json.loads(image.text["AIGC"])
        assert label["Label"] and label["ProduceID"] == f"{visual.brand}_{visual.name}"


def test_the_street_is_the_nearest_film_aspect():
    assert nearest_aspect((1200, 1200)) == "1:1" and nearest_aspect((1080, 1920)) == "9:16"
    assert nearest_aspect((1200, 1600)) == "4:5" and nearest_aspect((1920, 1080)) == "16:9"


def test_the_command_makes_them(made):
    path, _kits, _visuals = made
    result = CliRunner().invoke(app, ["visuals", str(path), "--brand", "tern-motors"])
    assert result.exit_code == 0, result.output
    assert "3 stills of 1 brands" in result.output


def test_a_bad_size_is_refused_when_the_campaign_loads(tmp_path):
    path = write_campaign(tmp_path / "campaign.yaml", SAMPLE_KITS, tmp_path / "renders",
                          visuals={"sizes": {"poster": [10, 4000]}})
    with pytest.raises(Exception) as caught:
        load_campaign(path)
    assert "visuals" in str(caught.value) and "poster" in str(caught.value)


def test_the_hand_off_lists_the_key_visuals(made, tmp_path):
    from workbench.curate.handoff import handoff_pages

    path, kits, visuals = made
    campaign = load_campaign(path)
    stills = {slug: sorted(visual.path for visual in visuals if visual.brand == slug) for slug in kits}
    with Catalog(campaign.catalog_path) as catalog:
        plain = handoff_pages(catalog, kits, "Hand-off")
        listed = handoff_pages(catalog, kits, "Hand-off", visuals=stills)
    assert len(listed) == len(plain) + len(kits)  # a page of key visuals per brand
    pictures = [item.path for page in listed for item in page.items if isinstance(getattr(item, "path", None), Path)]
    assert sorted(visual.path for visual in visuals) == sorted(p for p in pictures if p.parent.parent.name == "visuals")
    texts = [item.text for page in listed for item in page.items if hasattr(item, "text")]
    assert any(text.startswith("golden-rabbit-bakery_poster.png") and "300x400" in text for text in texts)


def test_the_film_shows_the_product_on_the_float(made):
    from workbench.parade import prepare_film
    from workbench.triage.image import Subject
    from workbench.triage.logo import search

    path, kits, _visuals = made
    campaign = load_campaign(path).with_changes(film={"sizes": {"16:9": [640, 360]}})
    with Catalog(campaign.catalog_path) as catalog:
        film = prepare_film(campaign, list(kits.values()), catalog, "16:9")
    slot = next(slot for slot in film.timeline.slots if slot.brand == "golden-rabbit-bakery")
    frame = film.parade.frame(slot.hold_mid)
    found = search(Subject.from_image(Image.fromarray(frame)), kits["golden-rabbit-bakery"].product_image())
    assert found["match"] >= 0.8, found
    other = next(slot for slot in film.timeline.slots if slot.brand == "tern-motors")  # no product there
    elsewhere = search(Subject.from_image(Image.fromarray(film.parade.frame(other.hold_mid))),
                       kits["golden-rabbit-bakery"].product_image())
    assert elsewhere["match"] < found["match"] - 0.2
