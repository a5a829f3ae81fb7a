"""Kits from design tokens and from a brand-guide PDF (issue 15), on files the tests make."""

from __future__ import annotations

import json

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from fake_openai import API_KEY_ECHO, FakeOpenAI
from test_onboarding_sheet import write_png_logo
from workbench.cli import app
from workbench.kits import load_kits
from workbench.onboarding.brand_pdf import (
    GuideDraftError, ask_for_fields, colours_in_line, draft_from_guide, read_brand_pdf, role_of,
)
from workbench.onboarding.tokens import TokensError, read_tokens
from workbench.settings import OpenAISettings

KEY = "made-up-test-key-not-a-secret-5c2d"
TOKENS = {
    "color": {
        "$type": "color",
        "jade": {"$value": "#1F6E5A"},
        "brand": {"primary": {"$value": "{color.jade}"}, "secondary": {"$value": "#f3e9d2"}},
        "accent": {"$value": {"colorSpace": "srgb", "components": [0.851, 0.278, 0.247]}},
        "surface": {"background": {"$value": "#FFF8ECFF"}},
    },
    "font": {"$type": "fontFamily", "display": {"$value": ["Noto Serif SC", "serif"]}, "body": {"$value": "Inter"}},
    "spacing": {"small": {"$type": "dimension", "$value": "4px"}},
}


def run(*args):
    return CliRunner().invoke(app, [*map(str, args)])


# Design tokens --------------------------------------------------------------------------------------


def test_design_tokens_give_the_palette_by_role_and_the_fonts_as_a_note(tmp_path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(TOKENS), encoding="utf-8")
    read = read_tokens(tokens)
    assert read.colours["color.brand.primary"] == "#1F6E5A"  # through the alias
    assert read.palette() == {"primary": "#1F6E5A", "secondary": "#F3E9D2", "accent": "#D9473F",
                              "background": "#FFF8EC"}
    assert read.fonts == {"font.display": ["Noto Serif SC", "serif"], "font.body": ["Inter"]}

    logo = tmp_path / "lotus.png"
    write_png_logo(logo, (31, 110, 90))
    into = tmp_path / "kits"
    result = run("kits", "import-tokens", tokens, "--slug", "lotus-tea", "--logo", logo, "--name", "莲心茶坊",
                 "--latin-name", "Lotus Heart Tea House", "--category", "tea house", "--into", into)
    assert result.exit_code == 0, result.output
    kit = load_kits(into).kits["lotus-tea"]
    assert (kit.palette.primary, kit.palette.accent, kit.palette.background) == ("#1F6E5A", "#D9473F", "#FFF8EC")
    text = (into / "lotus-tea" / "brand.yaml").read_text(encoding="utf-8")
    assert "# font families in the tokens (font.display: Noto Serif SC / serif, font.body: Inter)" in text


def test_tokens_naming_only_some_roles_get_the_rest_from_the_logo(tmp_path):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"brand": {"primary": {"$type": "color", "$value": "#0A84FF"}}}), encoding="utf-8")
    logo = tmp_path / "mark.png"
    write_png_logo(logo, (10, 132, 255))
    result = run("kits", "import-tokens", tokens, "--slug", "tern", "--logo", logo, "--into", tmp_path / "kits")
    assert result.exit_code == 0, result.output
    assert load_kits(tmp_path / "kits").kits["tern"].palette.primary == "#0A84FF"


@pytest.mark.parametrize("content, expected", [
    ('{"color": {"a": {"$type": "color", "$value": "#12"}}}', "color.a: expected a hex colour like '#1F6E5A', got '#12'"),
    ('{"a": {"$type": "color", "$value": "{b}"}, "b": {"$value": "{a}"}}', "a: aliases go round in a circle: a -> b -> a"),
    ('{"a": {"$type": "color", "$value": "{nowhere.x}"}}', "a: refers to 'nowhere.x', which is not a token"),
    ('{"color": {"a": ', "line 1, column 17: malformed JSON: Expecting value"),
    ("[" * 100_000 + "]" * 100_000, "nested deeper than"),
    ("[1, 2]", "(top level): expected an object of token groups"),
])
def test_bad_tokens_are_one_line_naming_the_token(tmp_path, content, expected):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(content, encoding="utf-8")
    with pytest.raises(TokensError) as raised:
        read_tokens(tokens)
    assert expected in str(raised.value)
    logo = tmp_path / "mark.png"
    write_png_logo(logo, (10, 132, 255))
    result = run("kits", "import-tokens", tokens, "--slug", "x", "--logo", logo, "--into", tmp_path / "kits")
    assert result.exit_code == 2 and expected in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "kits").exists()


# Brand-guide PDF ------------------------------------------------------------------------------------


def make_guide(path, with_logo: bool = True):
    """A two-page guide as agencies get them: colour lines in several notations, an embedded PNG logo."""
    logo = path.parent / "guide-logo.png"
    image = Image.new("RGBA", (240, 150), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 10, 220, 140), fill=(31, 110, 90, 255))
    draw.ellipse((90, 45, 150, 105), fill=(243, 233, 210, 255))
    image.save(logo)
    small = path.parent / "icon.png"
    Image.new("RGBA", (64, 64), (217, 71, 63, 255)).save(small)
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    for line in ("Lotus Heart Tea House - Brand Guidelines", "Our colours",
                 "Primary colour: Jade Green #1F6E5A", "Secondary: Cream  RGB 243 233 210  CMYK 0 4 14 5",
                 "Accent: Lantern Red  HEX D9473F  Pantone 7621 C", "Pantone 2258 C (print only)",
                 "Background: R255 G248 B236"):
        pdf.cell(text=line)
        pdf.ln(9)
    if with_logo:
        pdf.image(str(logo), x=20, y=110, w=80)
    pdf.add_page()
    pdf.cell(text="Tagline: A cup of calm, all the way.")
    if with_logo:
        pdf.image(str(small), x=20, y=40, w=20)
    pdf.output(str(path))
    return path


def test_colours_in_a_line_in_the_notations_guides_use():
    assert colours_in_line("Primary colour: Jade Green #1F6E5A") == ["#1F6E5A"]
    assert colours_in_line("Secondary RGB 243 233 210  CMYK 0 4 14 5") == ["#F3E9D2"]
    assert colours_in_line("Accent HEX d9473f, rgb(1, 2, 3)") == ["#D9473F", "#010203"]
    assert colours_in_line("R255 G248 B236") == ["#FFF8EC"]
    assert colours_in_line("Pantone 7621 C, CMYK 0 80 70 10") == []
    assert colours_in_line("Order number 123456") == []  # a bare number is not a colour
    assert role_of("主色：翡翠绿") == "primary" and role_of("背景色") == "background" and role_of("Our story") is None


def test_a_brand_guide_gives_its_colours_and_its_largest_image_as_the_logo(tmp_path):
    guide = make_guide(tmp_path / "guide.pdf")
    read = read_brand_pdf(guide)
    assert read.palette() == {"primary": "#1F6E5A", "secondary": "#F3E9D2", "accent": "#D9473F",
                              "background": "#FFF8EC"}
    assert [c.image.size for c in read.candidates] == [(240, 150), (64, 64)]
    assert any("Pantone 2258 C" in note for note in read.notes)  # a print-only line is said, not guessed

    into = tmp_path / "kits"
    result = run("kits", "import-pdf", guide, "--slug", "lotus-tea", "--name", "莲心茶坊", "--category", "tea house",
                 "--into", into)
    assert result.exit_code == 0, result.output
    assert "no OpenAI key" in result.stdout
    kit = load_kits(into).kits["lotus-tea"]
    assert kit.palette.primary == "#1F6E5A" and kit.display_name == "莲心茶坊"
    logo = kit.logo_image()
    assert logo.getpixel((0, 0))[3] == 0 and logo.getpixel((logo.width // 2, 12))[:3] == (31, 110, 90)
    text = (into / "lotus-tea" / "brand.yaml").read_text(encoding="utf-8")
    assert "logo: the guide's largest image (page 1, 240x150); other candidates: page 2" in text


def test_without_images_a_guide_needs_a_logo(tmp_path):
    guide = make_guide(tmp_path / "guide.pdf", with_logo=False)
    result = run("kits", "import-pdf", guide, "--slug", "lotus-tea", "--into", tmp_path / "kits")
    assert result.exit_code == 2 and "no image in the guide could be the logo; give one with --logo" in result.stderr
    logo = tmp_path / "mark.png"
    write_png_logo(logo, (31, 110, 90))
    result = run("kits", "import-pdf", guide, "--slug", "lotus-tea", "--logo", logo, "--into", tmp_path / "kits")
    assert result.exit_code == 0, result.output


def test_not_a_pdf_is_one_line(tmp_path):
    fake = tmp_path / "guide.pdf"
    fake.write_bytes(b"%PDF-1.7\n this is not really a pdf")
    result = run("kits", "import-pdf", fake, "--slug", "x", "--into", tmp_path / "kits")
    assert result.exit_code == 2 and "guide.pdf: file: not a readable PDF" in result.stderr
    assert "Traceback" not in result.output


# The chat model's draft (the fake OpenAI on 127.0.0.1) ----------------------------------------------


@pytest.fixture
def fake():
    server = FakeOpenAI().start()
    yield server
    server.stop()


def test_with_a_key_the_chat_model_drafts_the_other_fields_marked_for_checking(fake, tmp_path):
    fake.chat_content = json.dumps({
        "display_name": "莲心茶坊", "latin_name": "Lotus Heart Tea House", "category": "tea house", "language": "zh",
        "tagline": "A cup of calm, all the way.", "motifs": ["lotus flowers", "tea leaves"],
        "style_words": ["calm", "jade and cream"], "negative_words": ["neon colours"]}, ensure_ascii=False)
    guide = make_guide(tmp_path / "guide.pdf")
    read = read_brand_pdf(guide)
    fields = ask_for_fields(read.text, settings=OpenAISettings(api_key=KEY, base_url=fake.base_url), max_retries=0)
    [request] = fake.requests_to("/chat/completions")
    sent = request.json()
    assert "Primary colour: Jade Green #1F6E5A" in sent["messages"][1]["content"]
    assert sent["response_format"]["type"] == "json_schema"

    draft = draft_from_guide("lotus-tea", read, tmp_path / "kits", ai_fields=fields, category="tea shop")
    assert draft.fields["display_name"] == "莲心茶坊" and draft.fields["motifs"] == ["lotus flowers", "tea leaves"]
    assert draft.fields["category"] == "tea shop"  # what the person gave wins over the model
    assert any("read from the guide by a chat model; a person checks them" in line for line in draft.comments)


def test_a_failed_or_echoing_chat_call_never_shows_the_key(fake, tmp_path):
    settings = OpenAISettings(api_key=KEY, base_url=fake.base_url)
    fake.plan("401")
    with pytest.raises(GuideDraftError) as raised:
        ask_for_fields("guide text", settings=settings, max_retries=0)
    assert "rejected the API key (401)" in str(raised.value) and KEY not in str(raised.value)
    fake.chat_content = json.dumps({"tagline": f"leaked {API_KEY_ECHO}"})
    fields = ask_for_fields("guide text", settings=settings, max_retries=0)
    assert KEY not in fields.tagline and "[redacted]" in fields.tagline
