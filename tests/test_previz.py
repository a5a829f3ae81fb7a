"""The previz backend: deterministic, clean-alpha parade floats with the exact logo and the name banner."""

from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLE_KITS
from workbench.backends import FloatLayout, get_backend
from workbench.backends.previz import BODIES, PrevizBackend, choose_design, draw_brand_marks, plan_layout
from workbench.kits import load_kits
from workbench.prompts import PromptTemplate, build_prompt

SIZE = {"width": 384, "height": 384}
FLAT = (97, 143, 201)  # the flat colour both sides are composited over before template matching


@pytest.fixture(scope="module")
def kits():
    report = load_kits(SAMPLE_KITS)
    assert not report.errors, report.errors
    assert len(report.kits) >= 10
    return report.kits


@pytest.fixture(scope="module")
def render(kits):
    """render(slug, seed, **settings) -> Concept, memoised: each float is drawn once per module."""
    backend = get_backend("previz")
    made = {}

    def _render(slug, seed, **settings):
        key = (slug, seed, tuple(sorted(settings.items())))
        if key not in made:
            kit = kits[slug]
            prompt = build_prompt(kit, PromptTemplate())
            [concept] = backend.generate(kit, prompt, seed, {**SIZE, **settings})
            made[key] = concept
        return made[key]

    return _render


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _alpha(image: Image.Image) -> np.ndarray:
    return np.asarray(image.getchannel("A"))


def _over_flat(image: Image.Image) -> np.ndarray:
    flat = Image.new("RGBA", image.size, FLAT + (255,))
    flat.alpha_composite(image)
    return np.asarray(flat.convert("RGB"))


ALL_SLUGS = sorted(p.name for p in SAMPLE_KITS.iterdir() if (p / "brand.yaml").is_file())


def test_registry_builds_the_previz_backend():
    backend = get_backend("previz")
    assert isinstance(backend, PrevizBackend)
    assert backend.name == "previz"


def test_one_rgba_concept_with_model_settings_and_layout(render):
    concept = render("lotus-tea", 1)
    assert concept.image.mode == "RGBA"
    assert concept.model == "previz-1"
    assert isinstance(concept.layout, FloatLayout)
    settings = json.loads(json.dumps(concept.settings))  # JSON-able, as the catalog stores it
    assert settings["width"] == 384 and settings["height"] == 384
    assert settings["body"] in BODIES
    for key in ("arrangement", "trim", "medallion", "banner", "hero_motif"):
        assert key in settings


def test_same_seed_gives_identical_png_bytes(kits):
    kit = kits["golden-rabbit-bakery"]
    prompt = build_prompt(kit, PromptTemplate())
    first = PrevizBackend().generate(kit, prompt, 7, dict(SIZE))[0]
    second = PrevizBackend().generate(kit, prompt, 7, dict(SIZE))[0]
    assert _png_bytes(first.image) == _png_bytes(second.image)
    assert first.layout == second.layout
    assert first.settings == second.settings


@pytest.mark.parametrize("slug", ["bumble-blocks", "grand-northern-balloons", "xinghe-electronics"])
def test_different_seeds_give_different_designs(render, slug):
    concepts = [render(slug, seed) for seed in (1, 2, 3)]
    assert len({c.settings["body"] for c in concepts}) == 3  # three different silhouettes
    masks = [_alpha(c.image) > 0 for c in concepts]
    for i in range(3):
        for j in range(i + 1, 3):
            changed = masks[i] != masks[j]
            union = masks[i] | masks[j]
            assert changed.mean() > 0.05, (slug, i, j, changed.mean())
            assert changed.sum() / union.sum() > 0.1


@pytest.mark.parametrize("width, height", [(320, 200), (200, 320), (384, 384)])
def test_output_size_honours_settings(render, width, height):
    concept = render("tallybird", 2, width=width, height=height)
    assert concept.image.size == (width, height)
    assert (concept.settings["width"], concept.settings["height"]) == (width, height)
    for box in (concept.layout.logo_box, concept.layout.banner_box):
        left, top, right, bottom = box
        assert 0 <= left < right <= width and 0 <= top < bottom <= height


def test_default_size_is_768(kits):
    kit = kits["kestrel-stride"]
    [concept] = PrevizBackend().generate(kit, build_prompt(kit, PromptTemplate()), 1, {})
    assert concept.image.size == (768, 768)


@pytest.mark.parametrize("slug", ALL_SLUGS)
def test_alpha_is_clean(render, slug):
    for seed in (1, 2):
        alpha = _alpha(render(slug, seed).image)
        h, w = alpha.shape
        assert alpha[0, 0] == alpha[0, -1] == alpha[-1, 0] == alpha[-1, -1] == 0
        assert (alpha[:2] == 0).all() and (alpha[-2:] == 0).all(), "the float must not touch the top/bottom"
        assert (alpha == 255).mean() > 0.3, "the float body is opaque"
        # Only edges are partly transparent: no haze. Compare with the outline's length.
        contours, _ = cv2.findContours((alpha >= 128).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
        perimeter = sum(cv2.arcLength(c, True) for c in contours)
        mid = int(((alpha > 0) & (alpha < 255)).sum())
        assert mid <= 1.5 * perimeter, (mid, perimeter)
        # No stray specks: everything visible is one connected float.
        count, _labels = cv2.connectedComponents((alpha > 0).astype(np.uint8), connectivity=8)
        assert count - 1 == 1


@pytest.mark.parametrize("slug", ALL_SLUGS)
def test_exact_logo_sits_at_the_logo_box(render, kits, slug):
    concept = render(slug, 3)
    left, top, right, bottom = concept.layout.logo_box
    logo = kits[slug].logo_image().resize((right - left, bottom - top), Image.LANCZOS)
    template = _over_flat(logo)
    mask = (np.asarray(logo.getchannel("A")) == 255).astype(np.uint8)
    assert mask.mean() > 0.2
    pad = 4
    image = _over_flat(concept.image)
    region = image[top - pad:bottom + pad, left - pad:right + pad]
    scores = cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED, mask=mask)
    _, best, _, where = cv2.minMaxLoc(np.nan_to_num(scores, nan=-1.0))
    assert best >= 0.99, (slug, best)
    assert where == (pad, pad), (slug, where)
    # Pixel-exact: where the logo is opaque, the float shows the logo's own pixels.
    placed = image[top:bottom, left:right].astype(int)
    assert np.abs(placed - template.astype(int))[mask.astype(bool)].max() <= 1


@pytest.mark.parametrize("slug", ALL_SLUGS)
def test_banner_holds_text_inside_the_image(render, slug):
    concept = render(slug, 1)
    width, height = concept.image.size
    left, top, right, bottom = concept.layout.banner_box
    assert 0 <= left < right <= width and 0 <= top < bottom <= height
    logo = concept.layout.logo_box
    assert logo[3] <= top or bottom <= logo[1] or logo[2] <= left or right <= logo[0], "banner must not cover the logo"
    crop = concept.image.crop(concept.layout.banner_box)
    alpha = _alpha(crop)
    assert (alpha == 255).mean() > 0.6
    grey = np.asarray(crop.convert("L"))[alpha == 255].astype(float)
    assert grey.std() > 20, "the banner carries lettering, not a flat panel"
    # The middle band of the banner, where the name is, has strong dark/light contrast.
    middle = np.asarray(crop.convert("L"))[(bottom - top) // 4:(bottom - top) // 2, (right - left) // 4:3 * (right - left) // 4]
    assert np.ptp(middle) > 80


def test_layout_comes_from_plan_layout(render, kits):
    concept = render("polar-scoop", 4)
    assert plan_layout(kits["polar-scoop"], 384, 384, 4) == concept.layout


def test_draw_brand_marks_puts_the_exact_logo_on_any_image(kits):
    kit = kits["maison-veloura"]
    layout = plan_layout(kit, 384, 384, 2)
    backdrop = Image.new("RGBA", (384, 384), (30, 160, 90, 255))
    result = draw_brand_marks(backdrop, kit, layout)
    assert result is not backdrop and backdrop.getpixel((0, 0)) == (30, 160, 90, 255)
    left, top, right, bottom = layout.logo_box
    logo = kit.logo_image().resize((right - left, bottom - top), Image.LANCZOS)
    expected = backdrop.copy()
    expected.alpha_composite(logo, (left, top))
    assert np.array_equal(np.asarray(result.crop(layout.logo_box)), np.asarray(expected.crop(layout.logo_box)))
    assert np.asarray(result.crop(layout.banner_box)).std() > 20


def test_settings_can_pin_the_body_and_reject_unknown_values(render, kits):
    assert render("tern-motors", 1, body="wagon").settings["body"] == "wagon"
    with pytest.raises(ValueError, match="body"):
        choose_design(kits["tern-motors"], 1, {"body": "spaceship"})
