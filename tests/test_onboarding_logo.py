"""`workbench kits new SLUG --logo FILE`: a draft kit from one logo (issue 15)."""

from __future__ import annotations

import hashlib

import numpy as np
from PIL import Image, ImageDraw
from skimage.color import deltaE_ciede2000, rgb2lab
from typer.testing import CliRunner

from test_onboarding_sheet import write_png_logo, write_svg_logo
from workbench.cli import app
from workbench.colours import contrast
from workbench.kits import hex_to_rgb, load_kits
from workbench.onboarding.logo_palette import logo_colours, palette_roles, remove_flat_background

MAIN = (196, 38, 64)  # the logo's main colour, a festive red
INK = (24, 36, 84)


def ciede2000(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    lab = rgb2lab(np.array([[a, b]], dtype=np.float64) / 255)[0]
    return float(deltaE_ciede2000(lab[0], lab[1]))


def jpeg_logo_on_white(path, size=(360, 240)):
    """A red roundel with a navy bar, saved as a JPEG on white with some room around it."""
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((70, 30, 250, 210), fill=MAIN)
    draw.rounded_rectangle((200, 95, 330, 145), radius=12, fill=INK)
    draw.ellipse((135, 95, 185, 145), fill=(255, 255, 255))  # a white counter: inside, so it stays
    image.save(path, quality=88)
    return path


def run_new(*args):
    return CliRunner().invoke(app, ["kits", "new", *map(str, args)])


def test_a_jpeg_logo_on_white_gives_its_main_colour_and_a_transparent_background(tmp_path):
    logo = jpeg_logo_on_white(tmp_path / "roundel.jpg")
    into = tmp_path / "brand_kits"
    result = run_new("red-roundel", "--logo", logo, "--name", "红圆", "--latin-name", "Red Roundel",
                     "--category", "bakery", "--into", into)
    assert result.exit_code == 0, result.output
    assert "flat background removed" in result.stdout

    report = load_kits(into)
    assert report.errors == []
    kit = report.kits["red-roundel"]
    palette = {role: hex_to_rgb(getattr(kit.palette, role)) for role in ("primary", "secondary", "accent", "background")}
    assert min(ciede2000(MAIN, colour) for colour in palette.values()) < 5, palette
    assert ciede2000(MAIN, palette["primary"]) < 5  # and it is the primary
    assert ciede2000(INK, palette["secondary"]) < 5  # the navy reads best against it
    darkest = min(palette.values(), key=lambda rgb: sum(rgb))
    assert contrast(palette["background"], darkest) >= 4.5  # light enough for text
    assert kit.language == "zh" and kit.latin_name == "Red Roundel"
    assert kit.motifs and set(kit.motif_shapes) <= {"heart", "star", "ribbon"}  # suggested for a bakery

    logo_image = kit.logo_image()
    alpha = np.asarray(logo_image.getchannel("A"))
    assert kit.logo == "logo.png"
    assert alpha[0, 0] == 0 and alpha[-1, -1] == 0 and (alpha == 0).mean() > 0.2  # the white is gone
    # Trimmed to the logo's box (70, 30)-(330, 210) with a 2% margin (7 px): it starts at about (63, 23)
    # (a pixel or two more where JPEG ringing around the edges is still visible).
    assert 272 <= logo_image.width <= 278 and 192 <= logo_image.height <= 198, logo_image.size
    pixels = np.asarray(logo_image)
    on_roundel = pixels[120 - 23, 100 - 63]
    assert on_roundel[3] == 255 and ciede2000(MAIN, tuple(int(v) for v in on_roundel[:3])) < 5
    # The white counter inside the roundel is part of the logo, not background: no flood reaches it.
    counter = pixels[120 - 23, 160 - 63]
    assert counter[3] == 255 and counter[:3].min() > 230
    text = (into / "red-roundel" / "brand.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Draft kit from the logo roundel.jpg") and "from the logo's colours" in text


def test_png_and_svg_logos_stay_exact(tmp_path):
    png, svg = tmp_path / "mark.png", tmp_path / "mark.svg"
    write_png_logo(png, (20, 120, 200))
    write_svg_logo(svg, (20, 120, 200))
    into = tmp_path / "kits"
    assert run_new("png-mark", "--logo", png, "--into", into).exit_code == 0
    assert run_new("svg-mark", "--logo", svg, "--into", into).exit_code == 0
    for slug, source, name in (("png-mark", png, "logo.png"), ("svg-mark", svg, "logo.svg")):
        written = into / slug / name
        assert hashlib.sha256(written.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
    assert load_kits(into).errors == []


def test_a_png_with_room_around_it_is_cropped_with_its_pixels_untouched(tmp_path):
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((100, 60, 199, 139), fill=(20, 120, 200, 255))
    image.save(tmp_path / "roomy.png")
    into = tmp_path / "kits"
    assert run_new("roomy", "--logo", tmp_path / "roomy.png", "--into", into).exit_code == 0
    with Image.open(into / "roomy" / "logo.png") as written:
        assert written.size == (112, 92)  # the logo and a 2% margin (6 px) on each side
        assert np.array_equal(np.asarray(written), np.asarray(image.crop((94, 54, 206, 146))))


def test_a_logo_on_a_photo_keeps_its_background_and_says_so(tmp_path):
    rng = np.random.default_rng(1)
    noisy = Image.fromarray(rng.integers(0, 255, (80, 120, 3), dtype=np.uint8))
    cut, removed = remove_flat_background(noisy.convert("RGBA"))
    assert not removed and cut.getchannel("A").getextrema() == (255, 255)


def test_roles_for_a_light_logo_still_give_a_background_for_text():
    yellow = Image.new("RGBA", (60, 60), (250, 210, 40, 255))
    palette = palette_roles(logo_colours(yellow))
    rgb = {role: hex_to_rgb(value) for role, value in palette.items()}
    assert ciede2000((250, 210, 40), rgb["primary"]) < 2
    darkest = min(rgb.values(), key=sum)
    assert contrast(rgb["background"], darkest) >= 4.5
    assert contrast(rgb["secondary"], rgb["primary"]) >= 2.0  # a shade that reads against the yellow


def test_bad_input_is_one_line(tmp_path):
    logo = jpeg_logo_on_white(tmp_path / "roundel.jpg")
    into = tmp_path / "kits"
    bad_slug = run_new("Red Roundel", "--logo", logo, "--into", into)
    assert bad_slug.exit_code == 2 and "slug: expected a slug of lowercase letters" in bad_slug.stderr
    missing = run_new("red-roundel", "--logo", tmp_path / "nope.png", "--into", into)
    assert missing.exit_code == 2 and "nope.png" in missing.stderr and "Traceback" not in missing.output
    assert run_new("red-roundel", "--logo", logo, "--into", into).exit_code == 0
    again = run_new("red-roundel", "--logo", logo, "--into", into)
    assert again.exit_code == 2 and "already exists; --update replaces it" in again.stderr
    assert run_new("red-roundel", "--logo", logo, "--into", into, "--update").exit_code == 0
