"""Chinese brand names render as real glyphs, not missing-glyph boxes."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.typography import FontError, choose_lines, face_for, fit_text, render_text, set_lines

CHINESE_NAMES = ["莲心茶坊", "星河电子", "金兔饼家", "一杯清香，一路同行"]
UNASSIGNED = "\U0010fffd"  # a private-use code point no font draws: renders as the missing-glyph box


def _ink(text: str, face) -> np.ndarray:
    return np.asarray(face.load(48).getmask(text), dtype=np.uint8)


@pytest.mark.parametrize("name", CHINESE_NAMES)
def test_chinese_names_render_as_real_distinct_glyphs(name):
    face = face_for(name)
    assert face.covers(name)
    missing_box = _ink(UNASSIGNED, face)
    glyphs = [_ink(ch, face) for ch in name if not ch.isspace()]
    for ch, glyph in zip(name, glyphs):
        assert glyph.sum() > 0, f"{ch!r} drew nothing"
        same_shape = glyph.shape == missing_box.shape and np.array_equal(glyph, missing_box)
        assert not same_shape, f"{ch!r} drew the missing-glyph box"
    distinct = {g.tobytes() for g in glyphs}
    assert len(distinct) == len(set(name.replace(" ", ""))), "different characters must look different"


def test_rendered_label_is_cropped_rgba_with_ink():
    label = render_text("莲心茶坊 Lotus", size=40, fill=(200, 20, 20))
    alpha = np.asarray(label.getchannel("A"))
    assert label.mode == "RGBA"
    assert alpha[:, 0].max() > 0 and alpha[:, -1].max() > 0  # tight crop: ink touches both sides
    assert (alpha > 128).mean() > 0.1


def test_fit_text_stays_in_the_box():
    label = fit_text("The Grand Northern Hot Air Balloon & Kite Company", 300, 60, (0, 0, 0))
    assert label.width <= 300 and label.height <= 60
    assert label.width > 200  # shrunk to fit, not to nothing


def test_text_no_font_can_draw_is_a_clear_error():
    with pytest.raises(FontError, match="fonts-noto-cjk"):
        face_for("abc" + UNASSIGNED)


def test_choose_lines_keeps_phrases_whole_and_balances_words():
    assert choose_lines("Thanks for watching · 感谢观看", 900, 170, 2)[0] == ["Thanks for watching", "感谢观看"]
    lines, _size = choose_lines("The Grand Northern Hot Air Balloon Company", 400, 200, 3)
    assert len(lines) > 1 and " ".join(lines) == "The Grand Northern Hot Air Balloon Company"
    widest = max(render_text(line, 40, (0, 0, 0)).width for line in lines)
    whole = render_text(" ".join(lines), 40, (0, 0, 0)).width
    assert widest < 0.5 * whole, "balanced, not one long line and a stub"


def test_a_long_unspaced_chinese_name_breaks_between_characters_and_a_short_one_stays_whole():
    lines, _size = choose_lines("金兔糖果老字号点心铺子", 300, 120, 2)
    assert len(lines) == 2 and "".join(lines) == "金兔糖果老字号点心铺子"
    assert choose_lines("金兔饼家", 300, 120, 2)[0] == ["金兔饼家"]


def test_set_lines_fits_its_box_on_the_lines_choose_lines_picks():
    for text, box in [("金兔糖果老字号点心铺子", (300, 120)), ("Thanks for watching · 感谢观看", (900, 170)),
                      ("Kestrel Stride", (260, 60))]:
        image = set_lines(text, *box, max_lines=2, fill=(0, 0, 0))
        assert image.width <= box[0] and image.height <= box[1] * 1.05, (text, image.size)
