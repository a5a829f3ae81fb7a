"""The kit editor's Python side without a browser: checking as typed, the float, logo upload, saving."""

from __future__ import annotations

import shutil

import pytest
import yaml
from PIL import Image

from conftest import SAMPLE_KITS
from test_onboarding_logo import jpeg_logo_on_white
from workbench.kits import load_kit
from workbench.onboarding.editor import KitEditor, data_from_form, form_values


@pytest.fixture
def editor(tmp_path):
    kits = tmp_path / "brand_kits"
    for slug in ("lotus-tea", "tern-motors"):
        shutil.copytree(SAMPLE_KITS / slug, kits / slug)
    drawn = []

    def draw(kit, seed):  # a tiny stand-in for the previz float, recording what it was asked for
        drawn.append((kit.slug, kit.palette.primary, seed))
        return Image.new("RGBA", (8, 8), (*kit.palette.rgb("primary"), 255))

    widget = KitEditor(kits, slug="tern-motors", draw=draw)
    widget.drawn = drawn
    return widget


def with_primary(editor, colour):
    editor.form = {**editor.form, "palette": {**editor.form["palette"], "primary": colour}}


def test_each_change_is_checked_and_a_valid_one_redrawn(editor):
    assert editor.slugs == ["lotus-tea", "tern-motors"] and editor.problems == []
    assert editor.drawn == [("tern-motors", "#0A84FF", 1)]
    first = editor.preview

    with_primary(editor, "electric blue")
    assert editor.problems == [{"field": "palette.primary",
                                "message": "expected a hex colour like '#1F6E5A', got 'electric blue'"}]
    assert not editor.preview_current and editor.preview == first and len(editor.drawn) == 1

    with_primary(editor, "#2255EE")
    assert editor.problems == [] and editor.preview_current and editor.preview != first
    assert editor.drawn[-1] == ("tern-motors", "#2255EE", 1)

    editor.form = {**editor.form, "motifs": [], "display_name": ""}
    fields = {problem["field"] for problem in editor.problems}
    assert fields == {"display_name", "motifs"}  # every problem at once, not only the first


def test_saving_keeps_the_file_and_refuses_an_invalid_form(editor):
    path = editor.folder / "brand.yaml"
    path.write_text("# tern: keep me\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    editor.slug = "lotus-tea"
    editor.slug = "tern-motors"  # opened again, with the comment
    with_primary(editor, "nope")
    editor.save()
    assert "not saved" in editor.status and "nope" not in path.read_text(encoding="utf-8")
    with_primary(editor, "#2255EE")
    editor.form = {**editor.form, "tagline": "Glide further."}
    editor.save()
    assert editor.status.endswith("kits validate: ok") and not editor.dirty
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# tern: keep me\nslug: tern-motors\n")
    assert yaml.safe_load(text)["tagline"] == "Glide further."
    assert load_kit(editor.folder).palette.primary == "#2255EE"


def test_an_uploaded_jpeg_logo_loses_its_background_and_is_written_on_save(editor, tmp_path):
    jpeg = jpeg_logo_on_white(tmp_path / "new-logo.jpg")
    old_logo = (editor.folder / "logo.png").read_bytes()
    editor.upload_logo("new-logo.jpg", jpeg.read_bytes())
    assert editor.form["logo"] == "logo.png" and editor.problems == []
    assert (editor.folder / "logo.png").read_bytes() == old_logo  # nothing is written before Save
    editor.save()
    assert (editor.folder / "logo.png").read_bytes() != old_logo
    kit = load_kit(editor.folder)
    assert kit.logo == "logo.png" and kit.logo_image().getpixel((0, 0))[3] == 0


def test_a_hostile_upload_is_one_line_and_changes_nothing(editor):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 9 9">'
           b'<image xlink:href="/etc/hostname" width="9" height="9"/></svg>')
    before = dict(editor.form)
    editor.upload_logo("evil.svg", svg)
    assert editor.status.startswith("logo: evil.svg: <image> refers to") and "self-contained" in editor.status
    assert editor.form == before
    editor.upload_logo("notes.txt", b"hello")
    assert editor.status.startswith("logo: expected one of")


def test_form_values_round_trip_and_show_wrong_types_as_text():
    data = {"slug": "x", "display_name": 42, "palette": {"primary": "#112233"}, "motifs": "lanterns",
            "latin_name": None}
    form = form_values(data)
    assert form["display_name"] == "42" and form["motifs"] == ["lanterns"] and form["latin_name"] == ""
    back = data_from_form(form)
    assert back["latin_name"] is None and back["palette"]["primary"] == "#112233"


def test_every_word_the_front_end_draws_comes_from_python():
    """editor.js draws only words it looks up with t(...); each is in EDITOR_WORDS, translated by Python."""
    import re
    from pathlib import Path

    from workbench.onboarding import editor as module

    script = Path(module.__file__).with_name("editor.js").read_text(encoding="utf-8")
    looked_up = set(re.findall(r'\bt\("([^"]+)"\)', script))
    through_field = {word for pair in re.findall(r'field\("([^"]+)", "([^"]*)"', script) for word in pair if word}
    in_tables = {word for row in re.findall(r'\["[a-z_]+", "([^"]+)", "([^"]+)"\]', script) for word in row}
    assert looked_up and through_field and in_tables
    assert looked_up | through_field | in_tables <= set(module.EDITOR_WORDS)
