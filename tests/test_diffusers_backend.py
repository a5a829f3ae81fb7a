"""The diffusers backend on a tiny random-weight Stable Diffusion pipeline built here, loaded offline."""

from __future__ import annotations

import json
import os

os.environ["HF_HUB_OFFLINE"] = "1"  # before diffusers / huggingface_hub read it: these tests never go online

from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
transformers = pytest.importorskip("transformers")

from workbench.backends import BackendUnusable, FloatLayout, get_backend  # noqa: E402
from workbench.backends.diffusers import (  # noqa: E402
    DiffusersBackend, DiffusersOptions, ModelUnavailable, SchedulerUnavailable, control_image,
)
from workbench.backends.previz import PrevizBackend  # noqa: E402
from workbench.campaign import load_campaign  # noqa: E402
from workbench.catalog import Catalog  # noqa: E402
from workbench.errors import InputError  # noqa: E402
from workbench.generate import generate_campaign  # noqa: E402
from workbench.kits import load_kits  # noqa: E402
from workbench.prompts import Prompt, PromptTemplate, build_prompt  # noqa: E402

from conftest import SAMPLE_KITS, write_campaign  # noqa: E402
from tiny_models import build  # noqa: E402

SIZE = 64
STEPS = 2


# ----------------------------------------------------------------------------------------------------
# A tiny Stable Diffusion, written to disk the way a real one is


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    import huggingface_hub.constants

    huggingface_hub.constants.HF_HUB_OFFLINE = True  # in case another module imported it before the env was set
    root = tmp_path_factory.mktemp("tiny-models")
    return {"sd": build("sd", root), "controlnet": build("controlnet", root)}


@pytest.fixture(scope="module")
def kits():
    return load_kits(SAMPLE_KITS).kits


@pytest.fixture(scope="module")
def backend():
    return DiffusersBackend()  # one instance for the module: its pipeline cache is part of what is tested


def settings_for(models, **changes) -> dict:
    return {"width": SIZE, "height": SIZE, "model": str(models["sd"]), "steps": STEPS, "local_files_only": True,
            **changes}


def make(backend, kits, slug, seed, settings):
    kit = kits[slug]
    return backend.generate(kit, build_prompt(kit, PromptTemplate()), seed, settings)


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


# ----------------------------------------------------------------------------------------------------
# Modes, sizes, seeds


def test_registry_builds_the_diffusers_backend():
    assert isinstance(get_backend("diffusers"), DiffusersBackend)


@pytest.mark.parametrize("mode", ["txt2img", "img2img", "controlnet"])
@pytest.mark.parametrize("width, height", [(64, 64), (96, 64)])
def test_each_mode_makes_finished_images_of_the_asked_size(backend, models, kits, mode, width, height):
    settings = settings_for(models, mode=mode, width=width, height=height, controlnet=str(models["controlnet"]))
    [concept] = make(backend, kits, "lotus-tea", 1, settings)
    assert concept.image.size == (width, height) and concept.image.mode == "RGBA"
    raw = concept.extra_images["raw"]
    assert raw.size == (width, height) and raw.mode == "RGB"
    assert ("control" in concept.extra_images) == (mode == "controlnet")
    assert isinstance(concept.layout, FloatLayout)
    alpha = np.asarray(concept.image.getchannel("A"))
    assert alpha[0, 0] == 0 and (alpha == 255).mean() > 0.2, "cut out: transparent around, opaque float"
    expected_pipeline = {"txt2img": "StableDiffusionPipeline", "img2img": "StableDiffusionImg2ImgPipeline",
                         "controlnet": "StableDiffusionControlNetPipeline"}[mode]
    assert concept.settings["pipeline"] == expected_pipeline


@pytest.mark.parametrize("mode", ["txt2img", "img2img", "controlnet"])
def test_same_seed_same_image_different_seeds_differ(backend, models, kits, mode):
    settings = settings_for(models, mode=mode, controlnet=str(models["controlnet"]))
    first = make(backend, kits, "kestrel-stride", 5, settings)[0].extra_images["raw"]
    again = make(backend, kits, "kestrel-stride", 5, settings)[0].extra_images["raw"]
    other = make(backend, kits, "kestrel-stride", 6, settings)[0].extra_images["raw"]
    assert np.array_equal(_pixels(first), _pixels(again))
    assert np.abs(_pixels(first) - _pixels(other)).mean() > 1.0


def test_the_previz_steers_img2img_and_controlnet(backend, models, kits):
    """Same seed, different previz (body pinned): the raw image follows the float it started from."""
    for mode in ("img2img", "controlnet"):
        settings = settings_for(models, mode=mode, controlnet=str(models["controlnet"]))
        wagon = make(backend, kits, "polar-scoop", 3, {**settings, "previz": {"body": "wagon"}})[0]
        barge = make(backend, kits, "polar-scoop", 3, {**settings, "previz": {"body": "barge"}})[0]
        # A random tiny VAE squashes differences; an ignored previz gives exactly 0 here.
        assert np.abs(_pixels(wagon.extra_images["raw"]) - _pixels(barge.extra_images["raw"])).mean() > 0.3, mode


def test_a_batch_gives_each_image_its_own_seed(backend, models, kits):
    concepts = make(backend, kits, "lotus-tea", 2, settings_for(models, mode="txt2img", batch_size=2))
    assert [c.settings["batch_index"] for c in concepts] == [0, 1]
    assert [c.settings["image_seed"] for c in concepts] == [2, 1_000_002]
    raws = [_pixels(c.extra_images["raw"]) for c in concepts]
    assert np.abs(raws[0] - raws[1]).mean() > 1.0
    # Image 0 of the batch is seed 2's image: the same as making seed 2 alone (up to batched float rounding).
    [alone] = make(backend, kits, "lotus-tea", 2, settings_for(models, mode="txt2img"))
    assert np.abs(raws[0] - _pixels(alone.extra_images["raw"])).max() <= 2


def test_the_pipeline_is_loaded_once_per_backend(models, kits, monkeypatch):
    from workbench.backends import diffusers as module

    loads = []
    real = module.load_pipeline
    monkeypatch.setattr(module, "load_pipeline", lambda options: loads.append(options) or real(options))
    backend = DiffusersBackend()
    for seed in (1, 2, 3):
        make(backend, kits, "lotus-tea", seed, settings_for(models, mode="txt2img"))
    make(backend, kits, "lotus-tea", 1, settings_for(models, mode="txt2img", scheduler="ddim", guidance=3.0))
    make(backend, kits, "lotus-tea", 1, settings_for(models, mode="img2img"))
    make(backend, kits, "lotus-tea", 1, settings_for(models, mode="controlnet", controlnet=str(models["controlnet"])))
    assert len(loads) == 1, "seeds, scheduler, guidance and mode never reload the weights"
    make(backend, kits, "lotus-tea", 1, settings_for(models, mode="txt2img", attention_slicing=True))
    assert len(loads) == 2


def test_scheduler_by_alias_or_class_name(backend, models, kits):
    for name, expected in (("euler_a", "EulerAncestralDiscreteScheduler"), ("DDIMScheduler", "DDIMScheduler"),
                           (None, "EulerDiscreteScheduler")):
        [concept] = make(backend, kits, "lotus-tea", 1, settings_for(models, mode="txt2img", scheduler=name))
        assert concept.settings["scheduler"] == expected
    with pytest.raises(SchedulerUnavailable, match="generation.options.scheduler: diffusers .* has no WarpScheduler"):
        make(backend, kits, "lotus-tea", 1, settings_for(models, scheduler="WarpScheduler"))


# ----------------------------------------------------------------------------------------------------
# Finishing: the exact brand marks are on every image


@pytest.mark.parametrize("mode", ["txt2img", "img2img", "controlnet"])
def test_exact_logo_sits_at_the_planned_place(backend, models, kits, mode):
    slug = "polar-scoop"
    settings = settings_for(models, mode=mode, width=192, height=192, controlnet=str(models["controlnet"]))
    [concept] = make(backend, kits, slug, 4, settings)
    kit = kits[slug]
    [previz] = PrevizBackend().generate(kit, build_prompt(kit, PromptTemplate()), 4, {"width": 192, "height": 192})
    assert concept.layout == previz.layout
    left, top, right, bottom = concept.layout.logo_box
    logo = kit.logo_image().resize((right - left, bottom - top), Image.LANCZOS)
    mask = (np.asarray(logo.getchannel("A")) == 255).astype(np.uint8)
    template = np.asarray(logo.convert("RGB"))
    image = np.asarray(concept.image.convert("RGB"))
    pad = 4
    region = image[top - pad:bottom + pad, left - pad:right + pad]
    scores = cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED, mask=mask)
    _, best, _, where = cv2.minMaxLoc(np.nan_to_num(scores, nan=-1.0))
    assert best >= 0.99 and where == (pad, pad), (best, where)
    # ... and the raw image did not have it: finishing put it there.
    raw_region = np.asarray(concept.extra_images["raw"])[top - pad:bottom + pad, left - pad:right + pad]
    raw_best = cv2.minMaxLoc(np.nan_to_num(cv2.matchTemplate(raw_region, template, cv2.TM_CCOEFF_NORMED, mask=mask),
                                           nan=-1.0))[1]
    assert raw_best < 0.9


@pytest.mark.parametrize("kind", ["canny", "scribble", "lineart", "mask"])
def test_control_images_are_white_on_black_from_the_previz(kits, kind):
    kit = kits["lotus-tea"]
    [previz] = PrevizBackend().generate(kit, build_prompt(kit, PromptTemplate()), 1, {"width": 128, "height": 128})
    control = np.asarray(control_image(previz.image, kind).convert("L"))
    assert control.shape == (128, 128)
    assert control[0, 0] == 0 and 0.02 < (control > 127).mean() < 0.8
    if kind == "mask":
        assert np.array_equal(control > 127, np.asarray(previz.image.getchannel("A")) >= 128)


# ----------------------------------------------------------------------------------------------------
# The catalog records everything, resume makes only what is missing


def test_generate_campaign_records_the_settings_and_resumes(backend, models, kits_folder, tmp_path):
    campaign_file = write_campaign(
        tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders", brands=["lotus-tea"],
        generation={"backend": "diffusers", "seeds": [1, 2], "width": SIZE, "height": SIZE,
                    "options": {"model": str(models["sd"]), "steps": STEPS, "mode": "img2img", "strength": 0.7,
                                "scheduler": "euler_a", "local_files_only": True}},
    )
    campaign = load_campaign(campaign_file)
    kits = load_kits(campaign.kits_folder).select(campaign.brands)
    catalog = Catalog(campaign.catalog_path)
    report = generate_campaign(campaign, kits, catalog, backend=backend, progress=False)
    assert len(report.made) == 2 and not report.failed, report
    records = catalog.concepts("lotus-tea")
    assert [r.seed for r in records] == [1, 2]
    for record in records:
        s = record.settings
        assert s["model"] == str(models["sd"]) and s["model_path"] == str(models["sd"].resolve())
        assert len(s["model_hash"]) == 16
        assert (s["scheduler"], s["steps"], s["strength"], s["mode"]) == ("EulerAncestralDiscreteScheduler", 2, 0.7, "img2img")
        assert (s["image_seed"], s["device"], s["dtype"]) == (record.seed, "cpu", "float32")
        assert s["seconds_per_image"] > 0 and s["guidance"] == 7.0 and s["batch_size"] == 1
        assert s["layout"]["logo_box"] and s["previz"]["body"]
        image = catalog.image_path(record)
        assert Image.open(image).size == (SIZE, SIZE)
        assert image.with_name(f"{record.id}.raw.png").is_file()
    again = generate_campaign(campaign, kits, catalog, backend=backend, progress=False)
    assert (len(again.made), len(again.skipped)) == (0, 2)


# ----------------------------------------------------------------------------------------------------
# Clear errors


def test_missing_folder_is_a_clear_error_that_stops_the_batch(backend, kits, tmp_path):
    missing = tmp_path / "models" / "sd15"
    with pytest.raises(ModelUnavailable, match="generation.options.model: model folder not found") as caught:
        make(backend, kits, "lotus-tea", 1, {"width": SIZE, "height": SIZE, "model": str(missing)})
    assert isinstance(caught.value, InputError) and isinstance(caught.value, BackendUnusable)
    assert caught.value.file == missing


def test_a_folder_that_is_not_a_diffusers_model_is_named(backend, kits, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "sd15.safetensors").write_bytes(b"not really")
    with pytest.raises(ModelUnavailable, match="not a diffusers folder"):
        make(backend, kits, "lotus-tea", 1, {"width": SIZE, "height": SIZE, "model": str(folder)})
    with pytest.raises(ModelUnavailable, match="got a file"):
        make(backend, kits, "lotus-tea", 1, {"width": SIZE, "height": SIZE, "model": str(folder / "sd15.safetensors")})


def test_hub_model_not_cached_while_offline_is_a_clear_error(backend, kits):
    with pytest.raises(ModelUnavailable, match="not in the local cache"):
        make(backend, kits, "lotus-tea", 1, {"width": SIZE, "height": SIZE, "model": "nobody/no-such-model",
                                              "local_files_only": True})


@pytest.mark.parametrize("bad, field", [
    ({"steps": 0}, "generation.options.steps"), ({"stepz": 3}, "generation.options.stepz"),
    ({"width": 100}, "generation.width"), ({"mode": "video"}, "generation.options.mode"),
    ({"mode": "controlnet"}, "generation.options.controlnet"), ({"scheduler": "warp-drive"}, "generation.options.scheduler"),
    ({"previz": {"body": "rocket"}}, "generation.options.previz.body"),
])
def test_bad_options_name_the_campaign_field_when_it_loads(bad, field, models, kits_folder, tmp_path):
    settings = settings_for(models, **bad)
    generation = {"backend": "diffusers", "width": settings.pop("width"), "height": settings.pop("height"),
                  "options": settings}
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders", generation=generation)
    with pytest.raises(InputError) as caught:
        load_campaign(path)
    assert caught.value.file == path and caught.value.field == field


def test_out_of_memory_suggests_the_memory_options_and_keeps_what_was_made(backend, models, kits_folder, tmp_path,
                                                                            monkeypatch):
    options = {"model": str(models["sd"]), "steps": STEPS, "mode": "txt2img", "local_files_only": True}
    campaign = load_campaign(write_campaign(
        tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders", brands=["lotus-tea"],
        generation={"backend": "diffusers", "seeds": [1, 2, 3], "width": SIZE, "height": SIZE, "options": options}))
    loaded = backend.pipeline(DiffusersOptions.model_validate({"width": SIZE, "height": SIZE, **options}))
    real, calls = loaded.pipeline, []

    class OutOfMemoryOnSecondImage:
        """The real pipeline, except that its second run raises CUDA's out-of-memory error."""

        def __getattr__(self, name):
            return getattr(real, name)

        def __setattr__(self, name, value):
            setattr(real, name, value)

        def __call__(self, **inputs):
            calls.append(1)
            if len(calls) == 2:
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
            return real(**inputs)

    monkeypatch.setattr(loaded, "pipeline", OutOfMemoryOnSecondImage())
    catalog = Catalog(campaign.catalog_path)
    report = generate_campaign(campaign, load_kits(campaign.kits_folder).select(campaign.brands), catalog,
                               backend=backend, progress=False)
    assert "attention_slicing: true, vae_tiling: true, cpu_offload: model" in report.stopped
    assert len(report.made) == 1 and len(calls) == 2, "the batch stops at the first out-of-memory"
    [kept] = catalog.concepts("lotus-tea")
    assert kept.seed == 1 and catalog.image_path(kept).is_file()


def test_a_backdrop_plate_is_text_to_image_in_the_plates_shape_with_nothing_stamped(backend, models, kits):
    """No previz, no control image, no finishing: the pipeline's own picture, the plate's shape at the canvas's
    long side, the same for the same seed."""
    from workbench.backends.diffusers import plate_canvas

    assert plate_canvas(1920, 1080, 768) == (768, 432) and plate_canvas(1080, 1920, 128) == (72, 128)
    prompt = Prompt("a festival street at dusk", "text, logos")
    first = backend.generate_plate(prompt, 5, settings_for(models), (1920, 1080))
    assert first.image.mode == "RGB" and first.image.size == plate_canvas(1920, 1080, SIZE)
    assert first.layout is None and not first.extra_images
    assert first.settings["pipeline"] != "StableDiffusionControlNetPipeline" and first.settings["image_seed"] == 5
    again = backend.generate_plate(prompt, 5, settings_for(models), (1920, 1080))
    assert np.array_equal(_pixels(first.image), _pixels(again.image))
    other = backend.generate_plate(prompt, 6, settings_for(models), (1920, 1080))
    assert not np.array_equal(_pixels(first.image), _pixels(other.image))
