"""Products in a kit: cut out at load, placed on a plinth by previz, put back exact by finishing."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import SAMPLE_KITS, edit_kit
from workbench.backends.previz import PRODUCT_U, choose_design, plan_layout, render_float
from workbench.cluster import ShippedKit
from workbench.finishing import finish
from workbench.kits import KitError, load_kit
from workbench.marks import FloatLayout


def _packshot(background: tuple[int, int, int, int] | None = None) -> Image.Image:
    """A bottle: a blue body, a white label and a red cap, on `background` (None: transparent)."""
    image = Image.new("RGBA", (120, 200), background or (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((20, 50, 100, 190), radius=14, fill=(30, 80, 200, 255))
    draw.rectangle((45, 10, 75, 52), fill=(210, 40, 40, 255))
    draw.rectangle((28, 100, 92, 150), fill=(250, 250, 250, 255))
    draw.ellipse((48, 110, 72, 140), fill=(30, 160, 90, 255))
    return image


@pytest.fixture
def product_kit(tmp_path):
    folder = tmp_path / "kits" / "lotus-tea"
    shutil.copytree(SAMPLE_KITS / "lotus-tea", folder)
    _packshot().save(folder / "bottle.png")
    edit_kit(folder, products=[{"file": "bottle.png", "name": "Jade Bottle"}])
    return folder


def _exact_share(image: Image.Image, product: Image.Image, box) -> float:
    """The share of the product's opaque pixels that are the same in `image` at `box`."""
    left, top, right, bottom = box
    placed = np.asarray(product.resize((right - left, bottom - top), Image.LANCZOS))
    seen = np.asarray(image.convert("RGBA").crop(box))
    opaque = placed[..., 3] == 255
    return float(np.mean(np.all(seen[opaque][:, :3] == placed[opaque][:, :3], axis=1)))


def _correlation(image: Image.Image, product: Image.Image, box) -> float:
    """Normalised cross-correlation of the product's opaque pixels with the image at `box`."""
    left, top, right, bottom = box
    placed = np.asarray(product.resize((right - left, bottom - top), Image.LANCZOS)).astype(float)
    seen = np.asarray(image.convert("RGBA").crop(box)).astype(float)
    opaque = placed[..., 3] == 255
    a, b = placed[opaque][:, :3].ravel(), seen[opaque][:, :3].ravel()
    a, b = a - a.mean(), b - b.mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


def test_previz_stands_the_product_on_its_plinth_exact(product_kit):
    kit = load_kit(product_kit)
    sides = set()
    for seed in range(1, 7):
        design = choose_design(kit, seed)
        image, layout = render_float(kit, design, 384, 384)
        assert layout == plan_layout(kit, 384, 384, seed)
        assert layout.product_box is not None and design.product_side in PRODUCT_U
        sides.add(design.product_side)
        assert _correlation(image, kit.product_image(), layout.product_box) >= 0.99
        assert _exact_share(image, kit.product_image(), layout.product_box) == 1.0
        left, top, right, bottom = layout.product_box  # clear of the logo and above the banner
        assert right <= layout.logo_box[0] or left >= layout.logo_box[2]
        assert bottom <= layout.banner_box[1]
        assert design.settings()["product_side"] == design.product_side
    assert sides == {"left", "right"}  # the seed chooses the corner


def test_a_placement_pins_the_corner(product_kit):
    edit_kit(product_kit, products=[{"file": "bottle.png", "name": "Jade Bottle", "placement": "left"}])
    kit = load_kit(product_kit)
    assert {choose_design(kit, seed).product_side for seed in range(1, 9)} == {"left"}


def test_a_kit_without_products_records_no_product():
    kit = load_kit(SAMPLE_KITS / "lotus-tea")
    design = choose_design(kit, 3)
    _image, layout = render_float(kit, design, 256, 256)
    assert layout.product_box is None and "product_side" not in design.settings()
    assert "product_box" not in layout.as_settings()
    assert FloatLayout.from_settings({"layout": layout.as_settings()}) == layout


def test_the_layout_record_keeps_the_product_box(product_kit):
    layout = plan_layout(load_kit(product_kit), 384, 384, 2)
    assert FloatLayout.from_settings({"layout": layout.as_settings()}) == layout


def test_finishing_puts_the_product_back_exact_over_a_model_image(product_kit):
    kit = load_kit(product_kit)
    previz, layout = render_float(kit, choose_design(kit, 4), 256, 256)
    noise = np.random.default_rng(4).integers(0, 256, (256, 256, 3), dtype=np.uint8)  # a model's raw image
    finished = finish(Image.fromarray(noise), kit, layout, mask=previz)
    assert _exact_share(finished, kit.product_image(), layout.product_box) == 1.0


def test_a_photo_on_a_plain_background_is_cut_out(product_kit):
    _packshot((255, 255, 255, 255)).convert("RGB").save(product_kit / "bottle.jpg", quality=95)
    edit_kit(product_kit, products=[{"file": "bottle.jpg", "name": "Jade Bottle"}])
    product = load_kit(product_kit).product_image()
    alpha = np.asarray(product.getchannel("A"))
    assert alpha[0, 0] == 0 and alpha[alpha.shape[0] // 2, alpha.shape[1] // 2] == 255
    assert 0.3 < np.mean(alpha > 128) < 0.9  # the bottle kept, the white around it gone


def test_a_photo_that_cannot_be_cut_out_is_refused_in_one_line(product_kit):
    noise = np.random.default_rng(1).integers(0, 256, (200, 120, 3), dtype=np.uint8)
    photo = Image.fromarray(noise)
    photo.paste(_packshot().convert("RGB"), (0, 0), _packshot())
    photo.save(product_kit / "bottle.jpg", quality=95)
    edit_kit(product_kit, products=[{"file": "bottle.jpg", "name": "Jade Bottle"}])
    with pytest.raises(KitError) as caught:
        load_kit(product_kit)
    assert caught.value.field == "products.0.file" and "bottle.jpg" in str(caught.value)
    assert "cut out" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("file, problem", [("missing.png", "expected a"), ("../lotus-tea.png", "inside the kit folder")])
def test_a_product_file_outside_or_missing_is_refused(product_kit, file, problem):
    edit_kit(product_kit, products=[{"file": file, "name": "Jade Bottle"}])
    with pytest.raises(KitError) as caught:
        load_kit(product_kit)
    assert "products" in caught.value.field and problem in str(caught.value)


def test_the_cluster_ships_the_product_photo(product_kit):
    shipped = ShippedKit.of(load_kit(product_kit))
    assert shipped.files["bottle.png"] == (product_kit / "bottle.png").read_bytes()


def test_triage_finds_the_product_exact_and_flags_it_covered(product_kit):
    from workbench.campaign import TriageThresholds
    from workbench.triage import product
    from workbench.triage.image import Subject

    kit = load_kit(product_kit)
    image, layout = render_float(kit, choose_design(kit, 2), 384, 384)
    measures = product.measure(Subject.from_image(image, layout), kit)
    verdict = product.judge(measures, TriageThresholds())
    assert measures["mode"] == "planned" and measures["match"] == 1.0 and not verdict.failed

    covered = image.copy()
    left, top, right, bottom = layout.product_box
    ImageDraw.Draw(covered).rectangle((left, top, right, (top + bottom) // 2), fill=(240, 200, 40, 255))
    verdict = product.judge(product.measure(Subject.from_image(covered, layout), kit), TriageThresholds())
    assert verdict.failed and "product covered or altered" in verdict.reasons[0]

    found = product.measure(Subject.from_image(image, None), kit)  # a concept made elsewhere: searched for
    assert found["mode"] == "search" and not product.judge(found, TriageThresholds()).failed


@pytest.mark.parametrize("strength", [0.3, 1.0])
def test_harmonising_moves_the_product_toward_the_float_within_the_tolerance(product_kit, strength):
    from workbench.colour_transfer import lab_of

    kit = load_kit(product_kit)
    previz, layout = render_float(kit, choose_design(kit, 4), 256, 256)
    warm = np.zeros((256, 256, 3), np.uint8)
    warm[...] = (200, 120, 40)  # a model's image in warm evening light
    exact = finish(Image.fromarray(warm), kit, layout, mask=previz)
    assert _correlation(exact, kit.product_image(), layout.product_box) >= 0.99  # before harmonising: exact
    harmonised = finish(Image.fromarray(warm), kit, layout, mask=previz, product_harmonise=strength, product_tolerance=6.0)
    box = layout.product_box
    before = lab_of(np.asarray(exact.convert("RGB").crop(box)))
    after = lab_of(np.asarray(harmonised.convert("RGB").crop(box)))
    placed = np.asarray(kit.product_image().resize((box[2] - box[0], box[3] - box[1]), Image.LANCZOS))
    opaque = placed[..., 3] == 255
    difference = np.linalg.norm(after[opaque] - before[opaque], axis=1)
    assert 0.5 < difference.mean() <= 6.0 + 0.5  # moved toward the light, never more than the tolerance (+ rounding)
    outside = np.asarray(harmonised)[:, : box[0] - 1]
    assert np.array_equal(outside, np.asarray(exact)[:, : box[0] - 1])  # only the product is touched
    assert _exact_share(harmonised, kit.logo_image(), layout.logo_box) == 1.0


def test_the_tiny_diffusers_pipeline_keeps_the_product_at_its_box(product_kit, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    import huggingface_hub.constants

    from tiny_models import build
    from workbench.backends.diffusers import DiffusersBackend
    from workbench.prompts import PromptTemplate, build_prompt

    huggingface_hub.constants.HF_HUB_OFFLINE = True
    kit = load_kit(product_kit)
    settings = {"width": 96, "height": 96, "model": str(build("sd", tmp_path)), "steps": 2, "local_files_only": True,
                "mode": "img2img"}
    exact = DiffusersBackend().generate(kit, build_prompt(kit, PromptTemplate()), 3, settings)[0]
    layout = exact.layout
    assert layout.product_box == plan_layout(kit, 96, 96, 3).product_box
    assert _correlation(exact.image, kit.product_image(), layout.product_box) >= 0.99
    assert _exact_share(exact.image, kit.product_image(), layout.product_box) == 1.0
    soft = DiffusersBackend().generate(kit, build_prompt(kit, PromptTemplate()), 3,
                                       {**settings, "product_harmonise": 1.0, "product_tolerance": 4.0})[0]
    assert soft.layout == layout and _exact_share(soft.image, kit.product_image(), layout.product_box) < 1.0
