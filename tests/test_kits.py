"""Brand kits: the samples load, and each kind of bad input is reported with file and field."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLE_KITS, edit_kit
from workbench.kits import KitError, load_kit, load_kits, read_logo


def test_every_sample_kit_is_valid_and_varied():
    report = load_kits(SAMPLE_KITS)
    assert report.errors == []
    kits = list(report.kits.values())
    assert len(kits) >= 6
    assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in k.display_name) for k in kits) >= 2
    assert max(len(k.display_name) for k in kits) >= 30
    assert len({k.palette.primary for k in kits}) == len(kits)
    assert {k.logo_path.suffix for k in kits} == {".png", ".svg"}
    for kit in kits:
        logo = kit.logo_image()
        assert logo.mode == "RGBA"
        alpha = np.asarray(logo.getchannel("A"))
        assert alpha.min() == 0 and alpha.max() == 255, f"{kit.slug}: logo needs real transparency"


def _error(folder) -> KitError:
    with pytest.raises(KitError) as caught:
        load_kit(folder)
    return caught.value


def test_malformed_yaml_names_file_and_line(kits_folder):
    path = kits_folder / "lotus-tea" / "brand.yaml"
    path.write_text("slug: lotus-tea\npalette: [unclosed\n", encoding="utf-8")
    error = _error(path.parent)
    assert error.file == path
    assert error.field.startswith("line ")
    assert "malformed YAML" in str(error)


def test_one_bad_kit_does_not_stop_the_others(kits_folder):
    (kits_folder / "lotus-tea" / "brand.yaml").write_text("slug: [", encoding="utf-8")
    report = load_kits(kits_folder)
    assert sorted(report.kits) == ["kestrel-stride", "polar-scoop"]
    assert [e.file.parent.name for e in report.errors] == ["lotus-tea"]


def test_missing_required_field(kits_folder):
    edit_kit(kits_folder / "lotus-tea", palette=None)
    error = _error(kits_folder / "lotus-tea")
    assert (error.field, error.message) == ("palette", "required field is missing")


def test_wrong_type_names_nested_field(kits_folder):
    edit_kit(kits_folder / "lotus-tea", motifs=5)
    assert _error(kits_folder / "lotus-tea").field == "motifs"
    edit_kit(kits_folder / "lotus-tea", motifs=["tea"], palette={
        "primary": "green", "secondary": "#FFFFFF", "accent": "#000000", "background": "#FFFFFF"})
    error = _error(kits_folder / "lotus-tea")
    assert error.field == "palette.primary"
    assert "#1F6E5A" in error.message and "'green'" in error.message


def test_unknown_field_is_reported(kits_folder):
    edit_kit(kits_folder / "lotus-tea", colour="#FFFFFF")
    error = _error(kits_folder / "lotus-tea")
    assert error.field == "colour" and "unknown field" in error.message


@pytest.mark.parametrize("slug", ["../escape", "a/b", "a\\b", "..", "Lotus Tea"])
def test_slug_with_path_parts_is_refused(kits_folder, slug):
    edit_kit(kits_folder / "lotus-tea", slug=slug)
    error = _error(kits_folder / "lotus-tea")
    assert error.field == "slug" and "no '/'" in error.message


def test_slug_must_match_folder(kits_folder):
    edit_kit(kits_folder / "lotus-tea", slug="lotus-cafe")
    assert "folder name" in _error(kits_folder / "lotus-tea").message


@pytest.mark.parametrize("logo", ["../kestrel-stride/logo.png", "/etc/passwd"])
def test_logo_outside_the_kit_is_refused(kits_folder, logo):
    edit_kit(kits_folder / "lotus-tea", logo=logo)
    error = _error(kits_folder / "lotus-tea")
    assert error.field == "logo" and "inside the kit folder" in error.message


def test_missing_logo_file(kits_folder):
    (kits_folder / "lotus-tea" / "logo.svg").unlink()
    error = _error(kits_folder / "lotus-tea")
    assert error.field == "logo" and "not found" in error.message
    assert error.file.name == "brand.yaml"


def test_corrupt_logo(kits_folder):
    (kits_folder / "kestrel-stride" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 50)
    error = _error(kits_folder / "kestrel-stride")
    assert error.field == "logo" and "cannot decode" in error.message


def test_corrupt_svg_logo(kits_folder):
    (kits_folder / "lotus-tea" / "logo.svg").write_text("<svg><g>", encoding="utf-8")
    error = _error(kits_folder / "lotus-tea")
    assert error.field == "logo" and "SVG" in error.message


def test_cmyk_jpeg_logo_is_converted(kits_folder):
    folder = kits_folder / "kestrel-stride"
    Image.new("CMYK", (64, 32), (0, 255, 255, 0)).save(folder / "logo.jpg", quality=95)  # pure red in CMYK
    edit_kit(folder, logo="logo.jpg")
    logo = load_kit(folder).logo_image()
    assert logo.mode == "RGBA" and logo.size == (64, 32)
    r, g, b, a = logo.getpixel((32, 16))
    assert r > 200 and g < 60 and b < 60 and a == 255


def test_16_bit_png_logos_are_converted_not_clipped(kits_folder):
    import cv2

    folder = kits_folder / "kestrel-stride"
    grey = np.full((32, 64), 32768, dtype=np.uint16)  # mid grey in 16 bits
    Image.fromarray(grey).save(folder / "logo.png")
    assert Image.open(folder / "logo.png").mode.startswith("I")
    assert abs(read_logo(folder / "logo.png").getpixel((5, 5))[0] - 128) <= 1

    bgra = np.zeros((32, 64, 4), dtype=np.uint16)
    bgra[..., 2] = 65535  # red
    bgra[:, :32, 3] = 65535  # left half opaque, right half transparent
    cv2.imwrite(str(folder / "logo.png"), bgra)
    logo = load_kit(folder).logo_image()
    assert logo.getpixel((5, 5)) == (255, 0, 0, 255)
    assert logo.getpixel((60, 5))[3] == 0


def test_fully_transparent_logo_is_refused(kits_folder):
    Image.new("RGBA", (32, 32), (0, 0, 0, 0)).save(kits_folder / "kestrel-stride" / "logo.png")
    assert "transparent" in _error(kits_folder / "kestrel-stride").message


def test_unknown_brand_is_named_with_the_known_ones(kits_folder):
    report = load_kits(kits_folder)
    with pytest.raises(KitError) as caught:
        report.select(["lotus-tea", "no-such-brand"])
    assert caught.value.field == "brand"
    assert "no-such-brand" in caught.value.message and "lotus-tea" in caught.value.message


def test_selecting_a_broken_kit_reports_its_own_problem(kits_folder):
    edit_kit(kits_folder / "lotus-tea", palette=None)
    with pytest.raises(KitError) as caught:
        load_kits(kits_folder).select(["lotus-tea"])
    assert caught.value.field == "palette"
