"""AI-content labels on images (GB 45438-2025): the implicit label read back by exiftool and Pillow, the
visible label on delivered images measured by OCR, the folder check, and bad settings."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import write_campaign
from workbench.campaign import CampaignError, load_campaign
from workbench.catalog import Catalog
from workbench.cli import app
from workbench.files import save_png
from workbench.provenance.aigc import (AigcLabel, LabelError, aigc_from_xmp, png_text, read_digital_source_type,
                                       read_label, read_visible_label)
from workbench.provenance.visible import MIN_CONTRAST, label_image, worst_contrast
from workbench.settings import SettingsError, load_provenance_settings

runner = CliRunner()
EXIFTOOL = shutil.which("exiftool")
needs_exiftool = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool (libimage-exiftool-perl) is installed by scripts/setup.sh")
FIELDS = ("Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator", "PropagateID", "ReservedCode2")


def exiftool(path: Path) -> dict:
    """exiftool's reading of every tag, by group:name (it spells the TC260 property `Aigc`)."""
    output = subprocess.run([EXIFTOOL, "-json", "-G1", "-a", "-struct", str(path)], capture_output=True, text=True,
                            check=True).stdout
    return json.loads(output)[0]


@pytest.fixture
def made(tmp_path, kits_folder):
    """A previz campaign with a named producer, generated, one concept of each brand approved."""
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                          generation={"backend": "previz", "seeds": [1, 2], "width": 160, "height": 160},
                          labels={"producer": {"code": "0011TESTSTUDIO00001", "name": "测试工作室"}})
    assert runner.invoke(app, ["generate", str(path)]).exit_code == 0
    campaign = load_campaign(path)
    with Catalog(campaign.catalog_path) as catalog:
        for brand in ("lotus-tea", "kestrel-stride", "polar-scoop"):
            catalog.review(catalog.concepts(brand)[0].id, "approved")
    return path, campaign


@needs_exiftool
def test_every_concept_carries_the_implicit_label_that_exiftool_reads_back(made):
    path, campaign = made
    with Catalog(campaign.catalog_path) as catalog:
        records = catalog.concepts()
        assert len(records) == 6
        for record in records:
            image_path = catalog.image_path(record)
            tags = exiftool(image_path)
            from_xmp = json.loads(tags["XMP-TC260:Aigc"])
            from_chunk = json.loads(tags["PNG:AIGC"])
            assert list(from_xmp) == list(FIELDS) and from_chunk == from_xmp
            assert from_xmp["Label"] == "1" and from_xmp["ContentProducer"] == "0011TESTSTUDIO00001"
            assert catalog.concept(from_xmp["ProduceID"]) == record  # the label leads back to its catalog row
            assert tags["XMP-iptcExt:DigitalSourceType"].endswith("/trainedAlgorithmicMedia")
            assert tags["XMP-dc:Creator"] == ["测试工作室"]
            with Image.open(image_path) as image:  # Pillow, and our own reader, agree
                assert json.loads(image.text["AIGC"]) == from_xmp
            assert read_label(image_path).produce_id == record.id
            assert read_visible_label(image_path) is None  # concepts stay inside the workbench: no visible label


def test_imported_concepts_get_the_labels_at_import(made, tmp_path):
    path, campaign = made
    outside = tmp_path / "midjourney.png"
    Image.new("RGB", (120, 90), (200, 40, 40)).save(outside)  # no metadata at all
    result = runner.invoke(app, ["concepts", "import", str(path), str(outside), "--brand", "lotus-tea",
                                 "--backend", "midjourney"])
    assert result.exit_code == 0, result.output
    with Catalog(campaign.catalog_path) as catalog:
        [imported] = [record for record in catalog.concepts("lotus-tea") if record.backend == "midjourney"]
        label = read_label(catalog.image_path(imported))
    assert label.produce_id == imported.id and label.content_producer == "0011TESTSTUDIO00001"


def ocr_heights(image: Image.Image, wanted: str) -> list[int]:
    """Heights of the OCR boxes whose text contains `wanted` (RapidOCR, the triage reader, on the crop given)."""
    from workbench.triage.ocr import RapidOcrReader

    lines = RapidOcrReader().read(np.asarray(image.convert("RGB")))
    return [line.box[3] - line.box[1] for line in lines if wanted in line.text.replace(" ", "")]


@needs_exiftool
def test_contact_sheet_and_handoff_show_a_visible_label_of_at_least_5_percent_and_carry_the_implicit_one(made):
    path, campaign = made
    assert campaign.label_text == "AI生成"  # the campaign's end card is Chinese
    assert runner.invoke(app, ["review", "sheet", str(path)]).exit_code == 0
    assert runner.invoke(app, ["review", "handoff", str(path)]).exit_code == 0
    sheet_path = campaign.gallery_dir / "contact_sheet.png"
    pages = sorted((campaign.gallery_dir / "handoff").glob("contact_sheet_p*.png"))
    assert pages
    for image_path in [sheet_path, *pages]:
        visible = read_visible_label(image_path)
        assert visible["text"] == "AI生成" and visible["corner"] == "bottom-right"
        with Image.open(image_path) as image:
            short_side = min(image.size)
            corner = image.crop((image.width // 2, image.height - image.height // 3, image.width, image.height))
            heights = ocr_heights(corner, "AI生成")
        assert heights, f"{image_path.name}: the label is not read in its corner"
        assert max(heights) >= 0.05 * short_side, (image_path.name, heights, short_side)
        tags = exiftool(image_path)
        assert json.loads(tags["XMP-TC260:Aigc"])["ProduceID"].startswith("test-parade/")
        assert tags["XMP-iptcExt:DigitalSourceType"].endswith("/compositeWithTrainedAlgorithmicMedia")
    pdf_tags = exiftool(campaign.gallery_dir / "handoff" / "contact_sheet.pdf")
    assert json.loads(pdf_tags["XMP-TC260:Aigc"])["ProduceID"] == "test-parade/handoff"
    assert read_label(campaign.gallery_dir / "handoff" / "contact_sheet.pdf").content_producer == "0011TESTSTUDIO00001"


def test_the_label_cap_height_meets_the_rule_and_its_type_contrasts_on_white_and_black():
    assert worst_contrast() >= MIN_CONTRAST
    for text in ("AI生成", "AI-generated"):
        for short_side in (180, 1080, 2160):
            pill = np.asarray(label_image(text, short_side, 0.05))
            white_type = (pill[..., :3].min(axis=2) > 200) & (pill[..., 3] > 200)
            rows = np.flatnonzero(white_type.any(axis=1))
            assert rows[-1] - rows[0] + 1 >= 0.05 * short_side  # the ink of the whole line
    for backdrop in (0, 255):  # the pill over a black and a white backdrop: type and pill stay apart
        frame = Image.new("RGBA", (400, 200), (backdrop, backdrop, backdrop, 255))
        pill = label_image("AI-generated", 200, 0.05)
        frame.alpha_composite(pill, (10, 10))
        pixels = np.asarray(frame.convert("L"), dtype=float)[10:10 + pill.height, 10:10 + pill.width]
        lum = np.sort(pixels.ravel())
        assert lum[-1] - np.median(lum) > 120  # the type is far lighter than the pill it sits on


def test_provenance_show_and_check(made, tmp_path):
    path, campaign = made
    with Catalog(campaign.catalog_path) as catalog:
        record = catalog.concepts("lotus-tea")[0]
        concept = catalog.image_path(record)
    result = runner.invoke(app, ["provenance", "show", str(concept), "--campaign", str(path)])
    assert result.exit_code == 0, result.output
    assert f"ProduceID: '{record.id}'" in result.output and "trainedAlgorithmicMedia" in result.output
    assert f"catalog: {record.id} (lotus-tea, seed 1, previz)" in result.output
    assert "C2PA: no manifest" in result.output

    assert runner.invoke(app, ["provenance", "check", str(campaign.root)]).exit_code == 0
    stray = campaign.concepts_dir / "stray.png"
    Image.new("RGB", (8, 8)).save(stray)  # a file someone dropped in: no label
    unnamed = campaign.concepts_dir / "unnamed.png"
    save_png(Image.new("RGB", (8, 8)), unnamed, png_text(AigcLabel(content_producer="", produce_id="x")))
    result = runner.invoke(app, ["provenance", "check", str(campaign.root)])
    assert result.exit_code == 1
    assert f"{stray}: no implicit AI-content label" in result.output
    assert f"{unnamed}: the implicit label names no ContentProducer" in result.output
    assert "2 file(s) without a complete label" in result.output


def test_damaged_and_hostile_labels_are_one_line_errors(tmp_path):
    broken = tmp_path / "broken.png"
    save_png(Image.new("RGB", (8, 8)), broken, {"AIGC": "{not json"})
    with pytest.raises(LabelError, match=r"broken\.png.*AIGC.*not JSON"):
        read_label(broken)
    partial = tmp_path / "partial.png"
    save_png(Image.new("RGB", (8, 8)), partial, {"AIGC": json.dumps({"Label": "1"})})
    with pytest.raises(LabelError, match="missing ContentProducer, ProduceID"):
        read_label(partial)
    laughs = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
              '<x:xmpmeta xmlns:x="adobe:ns:meta/">&b;</x:xmpmeta>')
    with pytest.raises(LabelError, match="declares a DTD"):
        aigc_from_xmp(laughs, tmp_path / "hostile.png")
    result = runner.invoke(app, ["provenance", "show", str(broken)])
    assert result.exit_code == 0 and "implicit label: unreadable" in result.output
    plain = tmp_path / "plain.png"
    Image.new("RGB", (8, 8)).save(plain)
    assert read_label(plain) is None and read_digital_source_type(plain) is None


@pytest.mark.parametrize("labels, field", [
    ({"film": {"corner": "middle"}}, "labels.film.corner"),
    ({"film": {"opening_seconds": 1.0}}, "labels.film.opening_seconds"),
    ({"images": {"height": 0.02}}, "labels.images.height"),
    ({"text": "Made with love"}, "labels.text"),
    ({"shown": "whole"}, "labels.shown"),
])
def test_bad_label_settings_name_the_setting(tmp_path, kits_folder, labels, field):
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders", labels=labels)
    with pytest.raises(CampaignError) as error:
        load_campaign(path)
    assert field in str(error.value) and "\n" not in str(error.value)


def test_signing_settings_are_checked_and_name_the_setting(tmp_path):
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'[c2pa]\nkey = "{tmp_path / "missing.key"}"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="c2pa.certificates"):
        load_provenance_settings(settings_file, environ={}).signing()
    settings_file.write_text('[labels]\nproducer_code = 7\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="labels.producer_code"):
        load_provenance_settings(settings_file, environ={})
    named = load_provenance_settings(settings_file, environ={"PARADE_WORKBENCH_AIGC_PRODUCER_CODE": "ENV-CODE"})
    assert named.producer_code == "ENV-CODE"


def test_thumbnails_carry_their_concepts_label(made):
    from workbench.curate.thumbnails import thumbnail

    path, campaign = made
    with Catalog(campaign.catalog_path) as catalog:
        record = catalog.concepts("polar-scoop")[1]
        preview = thumbnail(catalog, record, 64)
    assert read_label(preview).produce_id == record.id
    assert read_digital_source_type(preview) == "trainedAlgorithmicMedia"


def test_with_a_signing_key_configured_concepts_are_signed_and_their_hash_is_the_signed_file(
        tmp_path, kits_folder, monkeypatch):
    from test_provenance_c2pa import make_chain
    from workbench.files import file_hash

    chain = make_chain(tmp_path / "keys")
    monkeypatch.setenv("PARADE_WORKBENCH_C2PA_KEY", str(chain.key))
    monkeypatch.setenv("PARADE_WORKBENCH_C2PA_CERTIFICATES", str(chain.certificates))
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders", brands=["lotus-tea"],
                          generation={"backend": "previz", "seeds": [3], "width": 96, "height": 96})
    assert runner.invoke(app, ["generate", str(path)]).exit_code == 0
    campaign = load_campaign(path)
    with Catalog(campaign.catalog_path) as catalog:
        [record] = catalog.concepts("lotus-tea")
        image_path = catalog.image_path(record)
    assert file_hash(image_path) == record.content_hash  # the row records the signed bytes
    result = runner.invoke(app, ["provenance", "show", str(image_path), "--trust", str(chain.root)])
    assert result.exit_code == 0, result.output
    assert "C2PA: Trusted" in result.output and "brand='lotus-tea'" in result.output
    assert read_label(image_path).produce_id == record.id  # the implicit label survives signing

    monkeypatch.setenv("PARADE_WORKBENCH_C2PA_KEY", str(tmp_path / "nowhere.key"))
    result = runner.invoke(app, ["generate", str(path)])
    assert result.exit_code != 0 and "c2pa.key" in result.output and "Traceback" not in result.output
