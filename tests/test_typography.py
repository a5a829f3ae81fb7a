"""Chinese brand names render as real glyphs, not missing-glyph boxes."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.typography import FontError, face_for, fit_text, render_text

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
