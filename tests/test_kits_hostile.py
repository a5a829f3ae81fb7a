"""Hostile brand kits (issue 11): a kit made to crash, leak or mislead is reported as that kit's own
problem, with file and field, and every other kit and command keeps working.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import edit_kit
from workbench.kits import KitError, load_kit

WORKBENCH = Path(sys.executable).parent / "workbench"


# helpers -------------------------------------------------------------------------------------------


def validate(folder: Path) -> subprocess.CompletedProcess:
    """`workbench kits validate FOLDER`, in its own process: a native crash shows as its exit code."""
    return subprocess.run([str(WORKBENCH), "kits", "validate", str(folder)],
                          capture_output=True, text=True, timeout=180)


def load_error(folder: Path) -> KitError:
    with pytest.raises(KitError) as caught:
        load_kit(folder)
    return caught.value


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


def test_names_in_other_scripts_still_load(kits_folder):
    edit_kit(kits_folder / "lotus-tea", display_name="莲心茶坊 · Lotus Tea", tagline="مرحبا 👩\u200d👩\u200d👧")
    assert load_kit(kits_folder / "lotus-tea").display_name == "莲心茶坊 · Lotus Tea"
