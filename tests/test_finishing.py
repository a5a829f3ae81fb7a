"""Finishing: the cut-out follows what was really drawn, and the exact brand marks go back on top."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from workbench import finishing
from workbench.backends import previz
from workbench.backends.previz import PrevizBackend
from workbench.finishing import cut_out, draw_brand_marks, finish
from workbench.kits import load_kits
from workbench.prompts import PromptTemplate, build_prompt

from conftest import SAMPLE_KITS

SIZE = 256


@pytest.fixture(scope="module")
def kits():
    return load_kits(SAMPLE_KITS).kits


@pytest.fixture(scope="module")
def scene(kits):
    """A stand-in for a generated image: the previz float moved a little and blurred over a noisy street.

    Returns (kit, previz concept, raw RGB image, true silhouette of the moved float).
    """
    kit = kits["lotus-tea"]
    [concept] = PrevizBackend().generate(kit, build_prompt(kit, PromptTemplate()), 2, {"width": SIZE, "height": SIZE})
    moved = concept.image.transform(concept.image.size, Image.AFFINE, (1, 0, -5, 0, 1, 4))  # 5 px right, 4 px down
    noise = np.random.default_rng(0).normal(120, 35, (SIZE, SIZE, 3)).clip(0, 255).astype(np.uint8)
    street = Image.fromarray(noise).filter(ImageFilter.GaussianBlur(2)).convert("RGBA")
    street.alpha_composite(moved)
    raw = street.convert("RGB").filter(ImageFilter.GaussianBlur(0.8))
    return kit, concept, raw, np.asarray(moved.getchannel("A")) >= 128


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return (a & b).sum() / (a | b).sum()


def test_cut_out_follows_the_drawn_float_better_than_the_previz_mask(scene):
    _kit, concept, raw, truth = scene
    cut = cut_out(raw, concept.image)
    assert cut.mode == "RGBA" and cut.size == raw.size
    assert np.array_equal(np.asarray(cut.convert("RGB")), np.asarray(raw)), "colours are the raw image's own"
    alpha = np.asarray(cut.getchannel("A"))
    prior = np.asarray(concept.image.getchannel("A")) >= 128
    assert _iou(alpha >= 128, truth) > 0.9
    assert _iou(alpha >= 128, truth) > _iou(prior, truth), "the cut moved towards what was really drawn"


def test_alpha_is_clean_zero_outside_opaque_inside_soft_only_at_edges(scene):
    _kit, concept, raw, _truth = scene
    alpha = np.asarray(cut_out(raw, concept.image).getchannel("A"))
    assert (alpha[:3] == 0).all() and (alpha[:, :3] == 0).all() and (alpha[:, -3:] == 0).all()
    assert (alpha == 255).mean() > 0.3
    partial = (alpha > 0) & (alpha < 255)
    assert 0 < partial.mean() < 0.08, "feathered edges, no haze"


def test_cut_out_is_repeatable(scene):
    _kit, concept, raw, _truth = scene
    first, second = cut_out(raw, concept.image), cut_out(raw, concept.image)
    assert first.tobytes() == second.tobytes()


def test_a_grey_mask_or_another_size_works_like_the_rgba_one(scene):
    _kit, concept, raw, _truth = scene
    from_rgba = np.asarray(cut_out(raw, concept.image).getchannel("A"))
    from_grey = np.asarray(cut_out(raw, concept.image.getchannel("A")).getchannel("A"))
    assert np.array_equal(from_rgba, from_grey)
    from_small = np.asarray(cut_out(raw, concept.image.resize((SIZE // 2, SIZE // 2))).getchannel("A"))
    assert _iou(from_small >= 128, from_rgba >= 128) > 0.95


def test_without_a_mask_the_float_is_found_in_the_middle(kits):
    kit = kits["polar-scoop"]
    [concept] = PrevizBackend().generate(kit, build_prompt(kit, PromptTemplate()), 1, {"width": SIZE, "height": SIZE})
    plain = Image.new("RGBA", concept.image.size, (40, 40, 48, 255))
    plain.alpha_composite(concept.image)
    alpha = np.asarray(cut_out(plain.convert("RGB"), None).getchannel("A"))
    assert _iou(alpha >= 128, np.asarray(concept.image.getchannel("A")) >= 128) > 0.85


def test_keep_boxes_stay_opaque(scene):
    _kit, concept, _raw, _truth = scene
    left, top, right, bottom = box = concept.layout.logo_box
    flat = Image.new("RGB", (SIZE, SIZE), (90, 90, 90))  # nothing to tell float from background
    inside = np.asarray(concept.image.getchannel("A"))[top:bottom, left:right] > 0
    alpha = np.asarray(cut_out(flat, concept.image, keep=[box]).getchannel("A"))[top:bottom, left:right]
    assert (alpha[inside] == 255).all()


def test_finish_puts_the_exact_logo_and_banner_back(scene):
    kit, concept, raw, truth = scene
    before = raw.tobytes()
    finished = finish(raw, kit, concept.layout, mask=concept.image, banner_style=concept.settings["banner"])
    assert raw.tobytes() == before, "the raw image is kept as it was"
    assert finished.mode == "RGBA" and finished.size == raw.size
    left, top, right, bottom = concept.layout.logo_box
    logo = kit.logo_image().resize((right - left, bottom - top), Image.LANCZOS)
    opaque = np.asarray(logo.getchannel("A")) == 255
    placed = np.asarray(finished.crop(concept.layout.logo_box))
    assert np.array_equal(placed[opaque], np.asarray(logo)[opaque]), "pixel-exact where the logo is opaque"
    # Wherever the marks are opaque (banner and logo), the model's pixels are gone: only the marks show.
    marks = np.asarray(draw_brand_marks(Image.new("RGBA", raw.size, (0, 0, 0, 0)), kit, concept.layout,
                                        concept.settings["banner"]))
    solid = marks[..., 3] == 255
    assert solid.mean() > 0.05
    assert np.array_equal(np.asarray(finished)[solid], marks[solid])
    # Wherever no mark is drawn, the colours are the raw image's own and the alpha is the cut-out's (outside
    # the logo box, which is kept opaque for the logo): the float stands clear of the street.
    clear = marks[..., 3] == 0
    assert clear.mean() > 0.5
    pixels = np.asarray(finished)
    assert np.array_equal(pixels[..., :3][clear], np.asarray(raw)[clear])
    outside_logo = clear.copy()
    outside_logo[top:bottom, left:right] = False
    cut_alpha = np.asarray(cut_out(raw, concept.image).getchannel("A"))
    assert np.array_equal(pixels[..., 3][outside_logo], cut_alpha[outside_logo])
    assert _iou(pixels[..., 3] >= 128, truth | solid) > 0.9
    assert (pixels[top:bottom, left:right, 3] == 255).all(), "the logo box is opaque: no street shows through the logo"


def test_previz_draws_its_marks_with_finishing():
    assert previz.draw_brand_marks is finishing.draw_brand_marks
