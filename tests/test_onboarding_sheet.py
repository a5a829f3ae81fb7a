"""`workbench kits import`: 50 kits from a client's sheet and a folder of logos (issue 15).

The sheet is made here with openpyxl, as a client would send it: a title row over the header,
Chinese and English headers, Chinese and English names, PNG, SVG and JPEG logos matched by file name
or named in a Logo column, one row with a bad colour and one whose logo is missing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import yaml
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from workbench.cli import app
from workbench.kits import load_kits
from workbench.onboarding.sheet import SheetError, check_sheet, header_key, normalise_colour, read_sheet, slug_from

ROWS = 50
BAD_COLOUR_ROW = 17  # index among the data rows (sheet row = index + 3: title row, header row)
MISSING_LOGO_ROW = 33
HEADERS = ["品牌", "English name", "Primary colour", "辅色", "Accent", "背景色", "Tagline", "品类", "Logo"]
CHARACTERS = "金银星月花茶山海云龙凤竹"  # distinct pinyin, so Chinese-only rows get distinct slugs
WORDS = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris", "jasper", "kite", "lumen",
         "maple", "nova", "onyx", "pearl", "quill", "raven", "sage", "tide", "umber", "vale", "willow", "xenon",
         "yarrow", "zephyr", "aster", "basil", "coral", "dune", "echo", "flint", "garnet", "heron", "indigo", "juniper",
         "kelp", "lotus", "mist", "nectar", "olive", "plume", "quartz", "ridge", "slate", "thistle", "ultra", "violet",
         "wren", "yonder"]


def sheet_row(index: int) -> int:
    return index + 3


def colour(index: int, role: int) -> str:
    rng = np.random.default_rng(index * 4 + role)
    return "#{:02X}{:02X}{:02X}".format(*rng.integers(20, 230, 3))


def write_png_logo(path: Path, rgb: tuple[int, int, int], size=(96, 64)) -> None:
    """A logo reaching nearly to its edges on transparency (nothing to trim: it is copied exactly)."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((1, 1, size[0] - 2, size[1] - 2), radius=10, fill=(*rgb, 255))
    draw.ellipse((size[0] * 0.3, size[1] * 0.25, size[0] * 0.7, size[1] * 0.75), fill=(250, 250, 250, 255))
    image.save(path)


def write_svg_logo(path: Path, rgb: tuple[int, int, int]) -> None:
    fill = "#{:02X}{:02X}{:02X}".format(*rgb)
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 80" width="120" height="80">'
                    f'<rect x="4" y="4" width="112" height="72" rx="12" fill="{fill}"/>'
                    f'<circle cx="60" cy="40" r="18" fill="#FFFFFF"/></svg>', encoding="utf-8")


def write_jpeg_logo(path: Path, rgb: tuple[int, int, int], size=(120, 80)) -> None:
    """A logo as clients send them: a JPEG on a white background."""
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((size[0] * 0.2, size[1] * 0.1, size[0] * 0.8, size[1] * 0.9), fill=rgb)
    draw.rectangle((size[0] * 0.42, size[1] * 0.4, size[0] * 0.58, size[1] * 0.6), fill=(30, 30, 40))
    image.save(path, quality=90)


def names(index: int) -> tuple[str, str]:
    """(Chinese name, English name): both on most rows, English only on some, Chinese only on others."""
    chinese = CHARACTERS[index % len(CHARACTERS)] + CHARACTERS[(index // len(CHARACTERS) + 3) % len(CHARACTERS)] + "坊"
    english = f"{WORDS[index].title()} Works"
    if index % 5 == 1:
        return "", english
    if index % 7 == 3:
        return chinese, ""
    return chinese, english


def make_sheet(folder: Path, rows: int = ROWS, defects: bool = True, logo_scale: int = 1) -> tuple[Path, Path]:
    """The client's sheet and logos folder; returns (sheet, logos). `defects`: the bad colour and the missing
    logo rows; `logo_scale`: raster logos this many times their small test size (the benchmark's are larger)."""
    logos = folder / "logos"
    logos.mkdir(parents=True)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Spring parade · brand list (from the client)"])
    sheet.append(HEADERS)
    for index in range(rows):
        chinese, english = names(index)
        main = colour(index, 0)
        rgb = tuple(int(main[i:i + 2], 16) for i in (1, 3, 5))
        kind = ("png", "svg", "jpg")[index % 3]
        # Logos named after the English name (spaces and case as a person writes them), or the Logo column.
        stem = english if english else f"logo-{index:02d}"
        named = "" if english and index % 2 == 0 else f"{stem}.{kind}"
        if index != MISSING_LOGO_ROW or not defects:
            if kind == "svg":
                write_svg_logo(logos / f"{stem}.svg", rgb)
            else:
                size = (96 * logo_scale, 64 * logo_scale) if kind == "png" else (120 * logo_scale, 80 * logo_scale)
                (write_png_logo if kind == "png" else write_jpeg_logo)(logos / f"{stem}.{kind}", rgb, size)
        primary = "#12G45Z" if index == BAD_COLOUR_ROW and defects else main.lower().lstrip("#") if index % 4 == 0 else main
        sheet.append([chinese, english, primary, colour(index, 1), colour(index, 2), "#FFFBF0",
                      "一路同行" if chinese else "Along for the ride", "tea house" if index % 2 else "bakery", named])
    path = folder / "brands.xlsx"
    workbook.save(path)
    return path, logos


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kit_folders(into: Path) -> list[Path]:
    return sorted(p for p in into.iterdir() if p.is_dir() and not p.name.startswith(".")) if into.exists() else []


@pytest.fixture(scope="module")
def client_sheet(tmp_path_factory):
    return make_sheet(tmp_path_factory.mktemp("client"))


def test_the_whole_sheet_is_checked_first_and_bad_rows_block_every_write(client_sheet, tmp_path):
    sheet, logos = client_sheet
    into = tmp_path / "brand_kits"
    result = CliRunner().invoke(app, ["kits", "import", str(sheet), "--logos", str(logos), "--into", str(into)])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, result.stderr
    bad, missing = errors
    assert f"brands.xlsx:row {sheet_row(BAD_COLOUR_ROW)}, column \"Primary colour\": expected a hex colour" in bad
    assert "'#12G45Z'" in bad
    assert f"brands.xlsx:row {sheet_row(MISSING_LOGO_ROW)}, column \"Logo\": logo file not found" in missing
    assert "2 of 50 row(s) have problems; nothing written" in result.stderr
    assert not into.exists()


def test_partial_writes_the_48_good_rows_as_valid_kits(client_sheet, tmp_path):
    sheet, logos = client_sheet
    into = tmp_path / "brand_kits"
    result = CliRunner().invoke(app, ["kits", "import", str(sheet), "--logos", str(logos), "--into", str(into),
                                      "--partial"])
    assert result.exit_code == 2, result.output  # rows were left out: still bad input, said so
    assert "wrote 48 kit(s)" in result.stdout
    assert f"not imported: row(s) {sheet_row(BAD_COLOUR_ROW)}, {sheet_row(MISSING_LOGO_ROW)}" in result.stderr
    report = load_kits(into)
    assert report.errors == [] and len(report.kits) == 48
    assert len(kit_folders(into)) == 48 and not list(into.glob(".*"))  # no staging folder left behind

    # Chinese name as display name, English as Latin name; Chinese-only rows get a pinyin slug.
    both = report.kits["amber-works"]
    assert (both.display_name, both.latin_name, both.language) == (names(0)[0], "Amber Works", "zh")
    chinese_only = next(kit for kit in report.kits.values() if kit.latin_name is None)
    assert chinese_only.slug == slug_from(chinese_only.display_name) and chinese_only.slug.isascii()
    english_only = report.kits["birch-works"]
    assert (english_only.display_name, english_only.language) == ("Birch Works", "en")
    # A colour written without '#' in lower case is read as the hex it is; palettes are the sheet's.
    assert both.palette.primary == colour(0, 0) and both.palette.secondary == colour(0, 1)
    # Motifs come from the category when the sheet has none.
    assert both.motifs and both.category == "bakery"

    # PNG and SVG logos are copied exactly; a JPEG's white background is removed.
    png = report.kits["amber-works"]
    assert png.logo == "logo.png" and digest(png.logo_path) == digest(logos / "Amber Works.png")
    svg = report.kits["birch-works"]
    assert svg.logo == "logo.svg" and digest(svg.logo_path) == digest(logos / "Birch Works.svg")
    jpeg = report.kits["cedar-works"]
    with Image.open(jpeg.logo_path) as written:
        assert written.mode == "RGBA" and written.getpixel((0, 0))[3] == 0
    text = (into / "cedar-works" / "brand.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Imported from brands.xlsx, row 5")


def test_an_existing_kit_is_kept_without_update_and_updated_with_its_comments(tmp_path):
    sheet, logos = make_sheet(tmp_path / "client", rows=3)
    into = tmp_path / "brand_kits"
    runner = CliRunner()
    args = ["kits", "import", str(sheet), "--logos", str(logos), "--into", str(into)]
    assert runner.invoke(app, args).exit_code == 0
    kit_yaml = into / "amber-works" / "brand.yaml"
    kit_yaml.write_text("# Checked by the art director, keep this note.\n" + kit_yaml.read_text(encoding="utf-8"),
                        encoding="utf-8")
    before = kit_yaml.read_bytes()

    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "kit 'amber-works' already exists" in again.stderr and "--update replaces it" in again.stderr
    assert kit_yaml.read_bytes() == before

    workbook = openpyxl.load_workbook(sheet)
    workbook.active["G3"] = "A new tagline"
    workbook.save(sheet)
    updated = runner.invoke(app, [*args, "--update"])
    assert updated.exit_code == 0, updated.output
    text = kit_yaml.read_text(encoding="utf-8")
    assert text.startswith("# Checked by the art director, keep this note.\n")
    assert yaml.safe_load(text)["tagline"] == "A new tagline"
    assert load_kits(into).errors == []


# Reading what clients write -------------------------------------------------------------------------


def test_headers_colours_and_slugs_as_clients_write_them():
    assert header_key("Primary Color") == header_key("primary colour") == header_key(" PRIMARY-colour ")
    assert header_key("Logo 文件") == header_key("logo文件")
    assert header_key("Ｐｒｉｍａｒｙ ｃｏｌｏｕｒ") == header_key("primary colour")  # full-width letters
    assert normalise_colour("1f6e5a") == normalise_colour("#1F6E5A") == "#1F6E5A"
    assert normalise_colour("rgb(31, 110, 90)") == normalise_colour("31,110,90") == "#1F6E5A"
    assert normalise_colour("#1e5") == "#11EE55"
    assert normalise_colour("jade") == "jade"  # left for the kit's validation to refuse in its own words
    assert slug_from("莲心茶坊") == "lian-xin-cha-fang"
    assert slug_from("Maison Véloura & Co.") == "maison-veloura-co"


def test_a_csv_saved_by_excel_in_china_reads_in_gb18030(tmp_path):
    logos = tmp_path / "logos"
    logos.mkdir()
    write_png_logo(logos / "lian-xin-cha-fang.png", (31, 110, 90))
    sheet = tmp_path / "brands.csv"
    sheet.write_bytes("品牌,主色,辅色,点缀色,背景色,口号\n莲心茶坊,#1F6E5A,#F3E9D2,#D9473F,#FFF8EC,一杯清香\n"
                      .encode("gb18030"))
    checked = check_sheet(sheet, logos, tmp_path / "kits")
    assert checked.problems == ()
    [(row, draft)] = checked.drafts
    assert row == 2 and draft.fields["display_name"] == "莲心茶坊" and draft.fields["tagline"] == "一杯清香"


def test_missing_colours_come_from_the_logo(tmp_path):
    logos = tmp_path / "logos"
    logos.mkdir()
    write_jpeg_logo(logos / "Red Dot.jpg", (200, 30, 60))
    sheet = tmp_path / "brands.csv"
    sheet.write_text("Brand,Primary colour\nRed Dot,#C81E3C\n", encoding="utf-8")
    checked = check_sheet(sheet, logos, tmp_path / "kits")
    [(_, draft)] = checked.drafts
    palette = draft.fields["palette"]
    assert palette["primary"] == "#C81E3C" and set(palette) == {"primary", "secondary", "accent", "background"}
    assert any("from the logo's colours" in line for line in draft.comments)


# Hostile input: one clear line each -----------------------------------------------------------------


def hostile_sheet(tmp_path: Path, logo_cell: str, tagline: str = "ok") -> tuple[Path, Path]:
    logos = tmp_path / "logos"
    logos.mkdir(exist_ok=True)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Brand", "Primary colour", "辅色", "点缀色", "背景色", "Tagline", "Logo"])
    workbook.active.append(["Odd Co", "#1F6E5A", "#F3E9D2", "#D9473F", "#FFF8EC", tagline, logo_cell])
    path = tmp_path / "odd.xlsx"
    workbook.save(path)
    return path, logos


def import_errors(sheet: Path, logos: Path, into: Path) -> list[str]:
    result = CliRunner().invoke(app, ["kits", "import", str(sheet), "--logos", str(logos), "--into", str(into)])
    assert result.exit_code == 2, result.output
    assert not into.exists() or kit_folders(into) == []
    assert "Traceback" not in result.output
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_a_huge_cell_is_one_line_naming_row_and_column(tmp_path):
    sheet, logos = hostile_sheet(tmp_path, "odd.png", tagline="x" * 30_000)
    write_png_logo(logos / "odd.png", (31, 110, 90))
    [line] = import_errors(sheet, logos, tmp_path / "kits")
    assert 'odd.xlsx:row 2, column "Tagline": the cell holds 30,000 characters; at most 2,000' in line


def test_a_malformed_workbook_is_one_line(tmp_path):
    sheet = tmp_path / "brands.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a workbook" * 10)
    (tmp_path / "logos").mkdir()
    [line] = import_errors(sheet, tmp_path / "logos", tmp_path / "kits")
    assert "brands.xlsx: file: not an .xlsx workbook" in line
    with pytest.raises(SheetError):
        read_sheet(sheet)


def test_an_svg_logo_with_an_external_reference_is_refused(tmp_path):
    sheet, logos = hostile_sheet(tmp_path, "odd.svg")
    (logos / "odd.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
                                   ' viewBox="0 0 10 10"><image xlink:href="file:///etc/hostname" width="10" height="10"/>'
                                   '</svg>', encoding="utf-8")
    [line] = import_errors(sheet, logos, tmp_path / "kits")
    assert 'odd.xlsx:row 2, column "Logo": odd.svg: <image> refers to' in line and "self-contained" in line


def test_a_logo_outside_the_logos_folder_is_refused(tmp_path):
    write_png_logo(tmp_path / "elsewhere.png", (31, 110, 90))
    sheet, logos = hostile_sheet(tmp_path, "../elsewhere.png")
    [line] = import_errors(sheet, logos, tmp_path / "kits")
    assert "'../elsewhere.png' is outside the logos folder" in line and 'column "Logo"' in line
