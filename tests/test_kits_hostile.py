"""Hostile brand kits (issue 11): a kit made to crash, leak or mislead is reported as that kit's own
problem, with file and field, and every other kit and command keeps working.

What could crash the process natively (resvg overflowing its stack or aborting on an allocation) is
run in a subprocess, `workbench kits validate`, so a regression fails the test instead of the run.
"""

from __future__ import annotations

import base64
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import edit_kit
from workbench.kits import KitError, load_kit, load_kits

WORKBENCH = Path(sys.executable).parent / "workbench"
SAMPLE_SLUGS = {"lotus-tea", "kestrel-stride", "polar-scoop"}  # the kits_folder fixture's kits
SVG_HEADER = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


# helpers -------------------------------------------------------------------------------------------


def validate(folder: Path) -> subprocess.CompletedProcess:
    """`workbench kits validate FOLDER`, in its own process: a native crash shows as its exit code."""
    return subprocess.run([str(WORKBENCH), "kits", "validate", str(folder)],
                          capture_output=True, text=True, timeout=180)


def assert_only_invalid_kit(done: subprocess.CompletedProcess, slug: str, *words: str) -> None:
    """Exit 1 (a kit is invalid), not 139 (SIGSEGV) or 134 (abort); `slug`'s line names the problem;
    every other kit is listed as valid."""
    assert done.returncode == 1, f"exit code {done.returncode}; stderr: {done.stderr[-1500:]}"
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.split()}
    for word in words:
        assert word in lines[slug], lines[slug]
    for other in SAMPLE_SLUGS - {slug}:
        assert lines[other].endswith("ok"), lines[other]
    assert f"{len(SAMPLE_SLUGS) - 1} valid, 1 invalid" in done.stdout


def png_bytes(width: int, height: int, idat: bytes) -> bytes:
    """A greyscale 8-bit PNG declaring width x height, with the compressed pixel data given."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def blank_png_bytes(width: int, height: int) -> bytes:
    """A real, fully decodable black PNG of width x height, compressed row by row (never in memory whole)."""
    compressor = zlib.compressobj(1)
    row = b"\x00" * (width + 1)  # filter byte + one grey byte a pixel
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return png_bytes(width, height, idat)


def red_png(path: Path, size: tuple[int, int] = (64, 64)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGBA", size, (255, 0, 0, 255)).save(path)
    return path


def load_error(folder: Path) -> KitError:
    with pytest.raises(KitError) as caught:
        load_kit(folder)
    return caught.value


# finding 1: one hostile logo takes down every command -----------------------------------------------


def test_deeply_nested_svg_is_that_kits_problem_not_a_crash(kits_folder):
    depth = 300  # resvg overflowed its stack at about 240 (exit 139)
    svg = SVG_HEADER + ' width="64" height="64">' + "<g>" * depth + '<rect width="9" height="9"/>' + "</g>" * depth + "</svg>"
    (kits_folder / "lotus-tea" / "logo.svg").write_text(svg, encoding="utf-8")
    assert_only_invalid_kit(validate(kits_folder), "lotus-tea", "logo.svg", "nested more than 64 levels")


def test_svg_with_a_huge_canvas_is_that_kits_problem_not_a_crash(kits_folder):
    svg = SVG_HEADER + ' width="100000" height="100000"><rect width="9" height="9"/></svg>'  # was a 40 GB allocation (exit 134)
    (kits_folder / "lotus-tea" / "logo.svg").write_text(svg, encoding="utf-8")
    assert_only_invalid_kit(validate(kits_folder), "lotus-tea", "logo.svg", "100000x100000", "16384 px a side")


def test_a_renderer_crash_the_checks_cannot_foresee_costs_only_its_kit(kits_folder):
    # 300 <use> each pointing at a group holding the previous one: 3 elements deep in the file, 300
    # deep for resvg, which overflows its stack. The rasterising subprocess dies, not the command.
    chain = [f'<g id="g{i}"><use href="#g{i - 1}"/></g>' for i in range(1, 300)]
    svg = SVG_HEADER + ' width="64" height="64"><defs><rect id="g0" width="9" height="9"/>' + "".join(chain) + \
        '</defs><use href="#g299"/></svg>'
    (kits_folder / "lotus-tea" / "logo.svg").write_text(svg, encoding="utf-8")
    assert_only_invalid_kit(validate(kits_folder), "lotus-tea", "logo.svg", "renderer crashed", "SIGSEGV")


def test_png_declaring_100000x100000_pixels_is_that_kits_problem(kits_folder):
    bomb = png_bytes(100_000, 100_000, zlib.compress(b"\x00" * 1000))
    assert len(bomb) < 500
    (kits_folder / "kestrel-stride" / "logo.png").write_bytes(bomb)
    report = load_kits(kits_folder)
    assert sorted(report.kits) == ["lotus-tea", "polar-scoop"]
    [error] = report.errors
    assert (error.file.parent.name, error.field) == ("kestrel-stride", "logo")
    assert "logo.png" in error.message and "4096 px a side" in error.message
    # Commands for another brand pick their kits from the same report: they work.
    assert [kit.slug for kit in report.select(["lotus-tea"])] == ["lotus-tea"]
    assert_only_invalid_kit(validate(kits_folder), "kestrel-stride", "logo.png", "4096 px a side")


# finding 3: an SVG logo can read any image on the machine --------------------------------------------


@pytest.mark.parametrize("attribute, reference", [
    ("href", "{secret}"),
    ("xlink:href", "{secret}"),
    ("href", "file://{secret}"),
    ("xlink:href", "../../outside/secret.png"),  # relative: resvg resolved it from the working directory
])
def test_svg_cannot_reach_an_image_outside_the_kit(kits_folder, monkeypatch, attribute, reference):
    secret = red_png(kits_folder.parent / "outside" / "secret.png")
    kit = kits_folder / "lotus-tea"
    monkeypatch.chdir(kit)
    reference = reference.format(secret=secret)
    svg = SVG_HEADER + f' width="64" height="64"><image {attribute}="{reference}" width="64" height="64"/></svg>'
    (kit / "logo.svg").write_text(svg, encoding="utf-8")
    error = load_error(kit)
    assert error.field == "logo" and error.file == kit / "brand.yaml"
    assert error.message.startswith("logo.svg: <image> refers to")
    assert reference in error.message and "self-contained" in error.message


def test_svg_may_embed_an_image_within_the_limits(kits_folder):
    embedded = base64.b64encode((red_png(kits_folder.parent / "red.png")).read_bytes()).decode()
    svg = SVG_HEADER + f' width="64" height="64"><image href="data:image/png;base64,{embedded}" width="64" height="64"/></svg>'
    (kits_folder / "lotus-tea" / "logo.svg").write_text(svg, encoding="utf-8")
    logo = load_kit(kits_folder / "lotus-tea").logo_image()
    assert logo.size == (512, 512) and logo.getpixel((256, 256)) == (255, 0, 0, 255)


def test_svg_embedding_a_pixel_bomb_is_refused(kits_folder):
    bomb = base64.b64encode(png_bytes(100_000, 100_000, zlib.compress(b"\x00" * 1000))).decode()
    svg = SVG_HEADER + f' width="64" height="64"><image xlink:href="data:image/png;base64,{bomb}" width="9" height="9"/></svg>'
    (kits_folder / "lotus-tea" / "logo.svg").write_text(svg, encoding="utf-8")
    error = load_error(kits_folder / "lotus-tea")
    assert error.field == "logo" and "<image> embeds an image" in error.message and "4096 px a side" in error.message


def test_svg_entities_are_refused_but_a_plain_doctype_is_fine(kits_folder):
    logo = kits_folder / "lotus-tea" / "logo.svg"
    body = logo.read_text(encoding="utf-8")
    doctype = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    logo.write_text(doctype + body, encoding="utf-8")
    assert load_kit(logo.parent).logo_image().size == (512, 512)

    laughs = '<!DOCTYPE svg [<!ENTITY a "hahahahaha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    logo.write_text(laughs + body.replace("Lotus", "&b;", 1), encoding="utf-8")
    error = load_error(logo.parent)
    assert error.field == "logo" and "DOCTYPE with declarations" in error.message


def test_logo_linking_to_a_file_outside_the_kit_is_refused(kits_folder):
    secret = red_png(kits_folder.parent / "outside" / "secret.png")
    logo = kits_folder / "kestrel-stride" / "logo.png"
    logo.unlink()
    logo.symlink_to(secret)
    error = load_error(logo.parent)
    assert error.field == "logo" and "outside the kit folder" in error.message


# finding 8: names that mislead the terminal or the banner ---------------------------------------------


def test_slug_with_a_trailing_newline_is_refused(kits_folder):
    edit_kit(kits_folder / "lotus-tea", slug="lotus-tea\n")
    error = load_error(kits_folder / "lotus-tea")
    assert error.field == "slug" and "expected a slug" in error.message


def test_colour_with_a_trailing_newline_is_refused(kits_folder):
    edit_kit(kits_folder / "lotus-tea", palette={
        "primary": "#1F6E5A\n", "secondary": "#FFFFFF", "accent": "#000000", "background": "#FFFFFF"})
    assert load_error(kits_folder / "lotus-tea").field == "palette.primary"


@pytest.mark.parametrize("field_name", ["display_name", "latin_name", "tagline", "category"])
@pytest.mark.parametrize("text, code", [
    ("Lotus \x1b[31mTea", "U+001B"),  # a terminal escape: `kits validate` would colour the terminal
    ("Lotus\nTea", "U+000A"),  # the banner sets one line: 'Tea' silently vanished
    ("Lotus \u202eaeT", "U+202E"),  # right-to-left override: shows as 'Lotus Tea'
])
def test_names_with_control_characters_are_refused(kits_folder, field_name, text, code):
    edit_kit(kits_folder / "lotus-tea", **{field_name: text})
    error = load_error(kits_folder / "lotus-tea")
    assert (error.field, error.message) == (field_name, f"control character {code} is not allowed")


def test_word_lists_with_control_characters_are_refused(kits_folder):
    edit_kit(kits_folder / "lotus-tea", motifs=["lotus", "tea\x07"])
    error = load_error(kits_folder / "lotus-tea")
    assert (error.field, error.message) == ("motifs.1", "control character U+0007 is not allowed")


def test_kits_validate_never_writes_a_control_character_to_the_terminal(kits_folder):
    edit_kit(kits_folder / "lotus-tea", display_name="Lotus \x1b[2J\x1b[31mTea")
    edit_kit(kits_folder / "polar-scoop", **{"colour\x1b[2J": "#FFFFFF"})  # an unknown field is echoed by name
    done = validate(kits_folder)
    assert done.returncode == 1
    assert "\x1b" not in done.stdout + done.stderr
    assert "control character U+001B" in done.stdout and "colour\\x1b[2J" in done.stdout


def test_a_kit_folder_named_with_a_terminal_escape_is_shown_escaped(kits_folder):
    """The folder name is the kit's name in `kits validate` and in every error line."""
    odd = kits_folder / "tea\x1b[2Jhouse"
    (kits_folder / "lotus-tea").rename(odd)
    done = validate(kits_folder)
    assert done.returncode == 1
    assert "\x1b" not in done.stdout + done.stderr and "tea\\x1b[2Jhouse" in done.stdout


def test_names_in_other_scripts_still_load(kits_folder):
    edit_kit(kits_folder / "lotus-tea", display_name="莲心茶坊 · Lotus Tea", tagline="مرحبا 👩\u200d👩\u200d👧")
    assert load_kit(kits_folder / "lotus-tea").display_name == "莲心茶坊 · Lotus Tea"


# finding 9: near-bomb logos and fonts --------------------------------------------------------------


def test_12000x12000_png_is_refused_before_it_is_decoded(kits_folder):
    logo = kits_folder / "kestrel-stride" / "logo.png"
    logo.write_bytes(blank_png_bytes(12_000, 12_000))
    assert logo.stat().st_size < 1_000_000  # small on disk, 144 million pixels once decoded
    error = load_error(logo.parent)
    assert error.field == "logo"
    assert error.message == "logo.png: logo is 12000x12000 pixels; use one of at most 4096 px a side"


def test_big_logo_within_the_limit_is_downscaled_once_at_load(kits_folder):
    logo = kits_folder / "kestrel-stride" / "logo.png"
    pixels = np.zeros((1024, 4096, 4), np.uint8)
    pixels[:, :2048] = (20, 120, 200, 255)  # left half opaque blue, right half transparent
    Image.fromarray(pixels).save(logo)
    image = load_kit(logo.parent).logo_image()
    assert image.size == (1024, 256)
    assert image.getpixel((100, 100)) == (20, 120, 200, 255) and image.getpixel((900, 100))[3] == 0


def test_oversized_logo_file_is_refused_unread(kits_folder):
    logo = kits_folder / "kestrel-stride" / "logo.png"
    with open(logo, "r+b") as file:
        file.truncate(21 * 1024 * 1024)  # sparse: costs no disk
    error = load_error(logo.parent)
    assert error.field == "logo" and "a logo may be at most 20 MB" in error.message


def test_oversized_font_file_is_refused_unread(kits_folder):
    font = kits_folder / "lotus-tea" / "brand.ttf"
    with open(font, "wb") as file:
        file.truncate(51 * 1024 * 1024)
    edit_kit(font.parent, font="brand.ttf")
    error = load_error(font.parent)
    assert (error.field, error.message) == ("font", "brand.ttf is 51 MB; a font may be at most 50 MB")
