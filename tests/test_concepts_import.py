"""Importing concepts made elsewhere: rows and files with their provenance, re-imports skip, --finish puts
the exact brand marks on, and a bad file stops the whole batch before anything is written."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import write_campaign
from workbench.backends.previz import plan_layout
from workbench.campaign import load_campaign
from workbench.catalog import Catalog
from workbench.cli import app
from workbench.concepts_import import campaign_and_kit, import_concepts
from workbench.files import file_hash
from workbench.generate import generate_requested

runner = CliRunner()
BRAND = "lotus-tea"


# ----------------------------------------------------------------------------------------------------
# Test images and helpers


def float_picture(colour: tuple[int, int, int], size: tuple[int, int] = (256, 256)) -> Image.Image:
    """A stand-in for a Midjourney float: a coloured body with a stripe on a plain sky."""
    width, height = size
    image = Image.new("RGB", size, (150, 200, 235))
    image.paste(colour, (width // 5, height // 4, width * 4 // 5, height * 4 // 5))
    image.paste((250, 240, 220), (width // 4, height // 2, width * 3 // 4, height // 2 + 16))
    return image


@pytest.fixture
def pictures(tmp_path) -> list[Path]:
    """Two PNGs and a JPEG, as an agency would bring them."""
    folder = tmp_path / "midjourney"
    folder.mkdir()
    float_picture((200, 40, 40)).save(folder / "lantern-1.png")
    float_picture((40, 140, 60)).save(folder / "lantern-2.png")
    float_picture((230, 170, 20), (256, 192)).save(folder / "dragon.jpg", quality=92)
    return [folder / "lantern-1.png", folder / "lantern-2.png", folder / "dragon.jpg"]


def run_import(campaign_file: Path, files: list[Path], *options: str):
    return runner.invoke(app, ["concepts", "import", str(campaign_file), "--brand", BRAND,
                               *map(str, files), *options])


def expected_id(path: Path) -> str:
    return f"{BRAND}-import-{hashlib.sha256(path.read_bytes()).hexdigest()[:8]}"


def snapshot(campaign_file: Path) -> tuple[list, list]:
    """Everything an import could change: the catalog's rows and every file under the concepts folder."""
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        rows = [(record.id, record.content_hash, json.dumps(record.settings, sort_keys=True))
                for record in catalog.concepts()]
    files = sorted((str(path.relative_to(campaign.concepts_dir)), file_hash(path))
                   for path in campaign.concepts_dir.rglob("*") if path.is_file())
    return rows, files


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares `width` x `height` pixels but holds almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


# ----------------------------------------------------------------------------------------------------
# Importing


def test_import_records_each_file_with_its_provenance(campaign_file, pictures):
    result = run_import(campaign_file, pictures, "--backend", "midjourney", "--prompt", "a lantern float")
    assert result.exit_code == 0, result.output
    assert "made 3, skipped 0" in result.output

    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        records = {record.settings["source"]: record for record in catalog.concepts()}
        assert sorted(records) == ["dragon.jpg", "lantern-1.png", "lantern-2.png"]
        for source in pictures:
            record = records[source.name]
            path = catalog.image_path(record)
            assert record.id == expected_id(source) and record.brand == BRAND
            assert (record.backend, record.model, record.seed) == ("midjourney", "midjourney", 0)
            assert (record.prompt, record.negative_prompt) == ("a lantern float", "")
            assert path == campaign.concepts_dir / BRAND / f"{record.id}.png"
            assert file_hash(path) == record.content_hash
            assert record.id in result.output and str(path) in result.output

            with Image.open(source) as original:
                size = original.size
                original_rgb = np.asarray(original.convert("RGB"))
            settings = record.settings
            assert (settings["width"], settings["height"]) == size
            assert settings["imported"] is True and settings["finished"] is False
            assert "layout" not in settings, "without --finish triage looks for the marks anywhere"

            with Image.open(path) as written:
                assert written.mode == "RGBA" and written.size == size
                assert np.array_equal(np.asarray(written.convert("RGB")), original_rgb), "pixels as imported"
                text = written.text
            assert text["concept_id"] == record.id and text["brand"] == BRAND
            assert text["backend"] == "midjourney" and text["model"] == "midjourney"
            assert text["prompt"] == "a lantern float" and text["seed"] == "0"
            assert json.loads(text["settings"])["source"] == source.name
    assert not list(campaign.concepts_dir.rglob("*.part")), "no temp files left behind"


def test_importing_again_skips_and_never_duplicates(campaign_file, pictures):
    assert run_import(campaign_file, pictures).exit_code == 0
    before = snapshot(campaign_file)

    again = run_import(campaign_file, pictures + pictures[:1])  # and one file twice in the batch
    assert again.exit_code == 0, again.output
    assert "made 0, skipped 4" in again.output
    assert snapshot(campaign_file) == before

    campaign = load_campaign(campaign_file)
    lost = campaign.concepts_dir / BRAND / f"{expected_id(pictures[0])}.png"
    lost.unlink()  # a removed image is written again under the same id
    restored = run_import(campaign_file, pictures)
    assert "made 1, skipped 2" in restored.output and lost.is_file()
    assert snapshot(campaign_file) == before


def test_finish_cuts_out_and_puts_the_exact_logo_on(campaign_file, pictures):
    result = run_import(campaign_file, pictures[:1], "--finish", "--backend", "midjourney")
    assert result.exit_code == 0, result.output

    campaign, kit = campaign_and_kit(campaign_file, BRAND)
    with Catalog(campaign.catalog_path) as catalog:
        [record] = catalog.concepts()
        finished = Image.open(catalog.image_path(record))
    assert finished.mode == "RGBA"
    alpha = np.asarray(finished.getchannel("A"))
    assert alpha[0, 0] == alpha[0, -1] == alpha[-1, 0] == alpha[-1, -1] == 0, "the sky is cut away"
    assert alpha.max() == 255

    layout = plan_layout(kit, finished.width, finished.height, seed=1)
    assert record.settings["layout"] == {"logo_box": list(layout.logo_box), "banner_box": list(layout.banner_box)}
    assert record.settings["finished"] is True

    left, top, right, bottom = layout.logo_box
    logo = np.asarray(kit.logo_image().resize((right - left, bottom - top), Image.LANCZOS))
    placed = np.asarray(finished.crop(layout.logo_box))
    opaque = logo[..., 3] == 255
    assert opaque.sum() > 100
    assert np.array_equal(placed[opaque], logo[opaque]), "the logo's pixels, exactly"

    raw_path = campaign.concepts_dir / BRAND / f"{record.id}.raw.png"
    with Image.open(raw_path) as raw, Image.open(pictures[0]) as original:
        assert np.array_equal(np.asarray(raw.convert("RGB")), np.asarray(original.convert("RGB")))
        assert raw.text["concept_id"] == record.id and raw.text["layer"] == "raw"


def test_finish_keeps_the_cut_of_an_image_already_cut_out(campaign_file, tmp_path):
    cut = Image.new("RGBA", (256, 256), (0, 0, 0, 0))
    cut.paste((200, 40, 40, 255), (40, 60, 216, 210))
    cut.save(tmp_path / "cutout.png")
    campaign, kit = campaign_and_kit(campaign_file, BRAND)
    with Catalog(campaign.catalog_path) as catalog:
        report = import_concepts(campaign, kit, [tmp_path / "cutout.png"], catalog, backend="photoshop", finish=True)
        finished = Image.open(catalog.image_path(catalog.concept(report.made[0])))
    alpha = np.asarray(finished.getchannel("A"))
    assert alpha[20, 20] == 0 and alpha[130, 60] == 255, "its own alpha says where the float is"


def test_an_animation_imports_its_first_frame(campaign_file, tmp_path):
    frames = [float_picture((200, 40, 40)), float_picture((40, 40, 200))]
    frames[0].save(tmp_path / "spin.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    campaign, kit = campaign_and_kit(campaign_file, BRAND)
    with Catalog(campaign.catalog_path) as catalog:
        report = import_concepts(campaign, kit, [tmp_path / "spin.gif"], catalog)
        record = catalog.concept(report.made[0])
        imported = Image.open(catalog.image_path(record)).convert("RGB")
    assert record.backend == "import" and record.prompt == "" and record.settings["source"] == "spin.gif"
    red, _, blue = imported.getpixel((128, 100))
    assert red > 150 and blue < 100, "the first frame (red), not the second (blue)"


def test_more_like_this_on_an_imported_concept_is_reported_not_made(campaign_file, pictures):
    campaign, kit = campaign_and_kit(campaign_file, BRAND)
    with Catalog(campaign.catalog_path) as catalog:
        report = import_concepts(campaign, kit, pictures[:1], catalog, backend="midjourney")
        catalog.request_more(report.made[0], count=2)
        requested = generate_requested(campaign, [kit], catalog)
        assert requested.made == [] and len(requested.failed) == 2
        assert "not a workbench backend" in requested.failed[0][1]
        assert len(catalog.concepts()) == 1


# ----------------------------------------------------------------------------------------------------
# Bad input: one line naming the file, exit code 2, nothing written for any file of the batch


def _missing(folder: Path) -> Path:
    return folder / "not-there.png"


def _folder(folder: Path) -> Path:
    (folder / "a-folder.png").mkdir()
    return folder / "a-folder.png"


def _not_an_image(folder: Path) -> Path:
    (folder / "notes.png").write_text("prompt: a lantern float\n", encoding="utf-8")
    return folder / "notes.png"


def _over_50_mb(folder: Path) -> Path:
    with open(folder / "huge.png", "wb") as handle:
        handle.truncate(51_000_000)  # sparse: no time or disk spent
    return folder / "huge.png"


def _over_40_megapixels(folder: Path) -> Path:
    (folder / "poster.png").write_bytes(png_declaring(8000, 6000))
    return folder / "poster.png"


def _decompression_bomb(folder: Path) -> Path:
    (folder / "bomb.png").write_bytes(png_declaring(20000, 20000))  # past PIL's own limit too
    return folder / "bomb.png"


def _truncated(folder: Path) -> Path:
    noise = np.random.default_rng(0).integers(0, 256, (256, 256, 3), np.uint8)
    Image.fromarray(noise).save(folder / "cut-short.png")
    data = (folder / "cut-short.png").read_bytes()
    (folder / "cut-short.png").write_bytes(data[: len(data) // 2])  # an interrupted download
    return folder / "cut-short.png"


def _too_small(folder: Path) -> Path:
    float_picture((200, 40, 40), (48, 48)).save(folder / "thumb.png")
    return folder / "thumb.png"


@pytest.mark.parametrize("make_bad_file, field", [
    (_missing, "file"), (_folder, "file"), (_not_an_image, "image"), (_over_50_mb, "file size"),
    (_over_40_megapixels, "pixels"), (_decompression_bomb, "pixels"), (_truncated, "image"), (_too_small, "pixels"),
])
def test_a_bad_file_stops_the_whole_batch(campaign_file, pictures, tmp_path, make_bad_file, field):
    assert run_import(campaign_file, pictures[:1]).exit_code == 0  # a catalog and a concepts folder to keep
    before = snapshot(campaign_file)
    bad = make_bad_file(tmp_path)

    result = run_import(campaign_file, [pictures[1], bad, pictures[2]], "--finish")
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"error: {bad}: {field}: "), line
    assert snapshot(campaign_file) == before, "nothing written for the good files either"


def test_a_brand_outside_the_campaign(tmp_path, kits_folder, pictures):
    campaign_file = write_campaign(tmp_path / "two.yaml", kits_folder, tmp_path / "renders",
                                   brands=["lotus-tea", "kestrel-stride"])
    result = runner.invoke(app, ["concepts", "import", str(campaign_file), "--brand", "polar-scoop", str(pictures[0])])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert str(campaign_file) in line and "brands" in line and "polar-scoop" in line
    assert not load_campaign(campaign_file).catalog_path.exists()


def test_a_brand_that_is_not_a_kit(campaign_file, pictures):
    result = runner.invoke(app, ["concepts", "import", str(campaign_file), "--brand", "no-such-brand", str(pictures[0])])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert "no-such-brand" in line and "brand" in line and "lotus-tea" in line
    assert not load_campaign(campaign_file).catalog_path.exists()


def test_a_workbench_backend_name_is_refused(campaign_file, pictures):
    result = run_import(campaign_file, pictures[:1], "--backend", "previz")
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert "backend" in line and "'previz'" in line
    assert snapshot(campaign_file) == ([], [])
