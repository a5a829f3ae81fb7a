"""SD 3.5, FLUX.1, FLUX.1 Kontext and Qwen-Image through the diffusers backend: tiny random-weight pipelines
built in tests/tiny_models.py, saved and loaded back offline as real ones would be."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # before diffusers / huggingface_hub read it: these tests never go online

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")

from workbench.backends.diffusers import DiffusersBackend, UnsupportedOption  # noqa: E402
from workbench.backends.diffusers_families import family_of_model  # noqa: E402
from workbench.backends.previz import PrevizBackend  # noqa: E402
from workbench.campaign import load_campaign  # noqa: E402
from workbench.catalog import Catalog  # noqa: E402
from workbench.errors import InputError  # noqa: E402
from workbench.generate import generate_campaign  # noqa: E402
from workbench.kits import load_kits  # noqa: E402
from workbench.prompts import PromptTemplate, build_prompt  # noqa: E402

from conftest import SAMPLE_KITS, write_campaign  # noqa: E402
from tiny_models import build  # noqa: E402

STEPS = 2
# (model, mode, the pipeline that makes it, the ControlNet it needs)
CASES = [
    ("sd3", "txt2img", "StableDiffusion3Pipeline", None),
    ("sd3", "img2img", "StableDiffusion3Img2ImgPipeline", None),
    ("sd3", "controlnet", "StableDiffusion3ControlNetPipeline", "sd3-controlnet"),
    ("flux", "txt2img", "FluxPipeline", None),
    ("flux", "img2img", "FluxImg2ImgPipeline", None),
    ("flux", "controlnet", "FluxControlNetPipeline", "flux-controlnet"),
    ("flux-kontext", "edit", "FluxKontextPipeline", None),
    ("qwenimage", "txt2img", "QwenImagePipeline", None),
    ("qwenimage", "img2img", "QwenImageImg2ImgPipeline", None),
]
CASE_IDS = [f"{model}-{mode}" for model, mode, _, _ in CASES]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    import huggingface_hub.constants

    huggingface_hub.constants.HF_HUB_OFFLINE = True
    return tmp_path_factory.mktemp("tiny-families")


@pytest.fixture(scope="module")
def kits():
    return load_kits(SAMPLE_KITS).kits


@pytest.fixture(scope="module")
def backend():
    return DiffusersBackend()


def settings_for(root, model, mode, controlnet=None, width=64, height=64, **changes) -> dict:
    settings = {"width": width, "height": height, "model": str(build(model, root)), "mode": mode, "steps": STEPS,
                "local_files_only": True, **changes}
    if controlnet:
        settings["controlnet"] = str(build(controlnet, root))
    return settings


def make(backend, kits, slug, seed, settings):
    kit = kits[slug]
    return backend.generate(kit, build_prompt(kit, PromptTemplate()), seed, settings)


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


@pytest.mark.parametrize("model, mode, pipeline, controlnet", CASES, ids=CASE_IDS)
def test_each_family_and_mode_makes_the_asked_size_and_the_same_image_for_the_same_seed(
        backend, root, kits, model, mode, pipeline, controlnet):
    settings = settings_for(root, model, mode, controlnet, width=96, height=64)
    [concept] = make(backend, kits, "lotus-tea", 5, settings)
    assert concept.image.size == (96, 64) and concept.image.mode == "RGBA"
    raw = concept.extra_images["raw"]
    assert raw.size == (96, 64) and raw.mode == "RGB"
    assert concept.settings["pipeline"] == pipeline
    assert concept.settings["family"] == model and concept.settings["steps"] == STEPS
    assert concept.settings["guidance"] == family_of_model(settings["model"]).default_guidance
    [again] = make(backend, kits, "lotus-tea", 5, settings)
    assert np.array_equal(_pixels(raw), _pixels(again.extra_images["raw"]))
    [other] = make(backend, kits, "lotus-tea", 6, settings)
    assert not np.array_equal(_pixels(raw), _pixels(other.extra_images["raw"]))


@pytest.mark.parametrize("model, mode", [("sd3", "img2img"), ("flux", "controlnet"), ("flux-kontext", "edit"),
                                         ("qwenimage", "txt2img")])
def test_the_exact_logo_is_on_the_finished_image(backend, root, kits, model, mode):
    slug, size = "polar-scoop", 192
    controlnet = {"controlnet": "flux-controlnet"}.get(mode)
    [concept] = make(backend, kits, slug, 4, settings_for(root, model, mode, controlnet, width=size, height=size))
    kit = kits[slug]
    [previz] = PrevizBackend().generate(kit, build_prompt(kit, PromptTemplate()), 4, {"width": size, "height": size})
    assert concept.layout == previz.layout
    left, top, right, bottom = concept.layout.logo_box
    logo = kit.logo_image().resize((right - left, bottom - top), Image.LANCZOS)
    mask = (np.asarray(logo.getchannel("A")) == 255).astype(np.uint8)
    template = np.asarray(logo.convert("RGB"))
    pad = 4
    region = np.asarray(concept.image.convert("RGB"))[top - pad:bottom + pad, left - pad:right + pad]
    scores = cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED, mask=mask)
    _, best, _, where = cv2.minMaxLoc(np.nan_to_num(scores, nan=-1.0))
    assert best >= 0.99 and where == (pad, pad), (best, where)


def test_each_familys_guidance_reaches_its_pipeline(backend, root, kits):
    """FLUX's distilled guidance is a model input; Qwen-Image's guidance is its true-CFG scale with the negative
    prompt: a different value gives a different image from the same seed."""
    for model in ("flux", "qwenimage"):
        low = make(backend, kits, "lotus-tea", 3, settings_for(root, model, "txt2img", guidance=1.5))[0]
        high = make(backend, kits, "lotus-tea", 3, settings_for(root, model, "txt2img", guidance=6.0))[0]
        assert low.settings["guidance"] == 1.5
        assert not np.array_equal(_pixels(low.extra_images["raw"]), _pixels(high.extra_images["raw"])), model
    plain = make(backend, kits, "lotus-tea", 3, settings_for(root, "flux", "txt2img"))[0]
    negative = make(backend, kits, "lotus-tea", 3, settings_for(root, "flux", "txt2img", true_cfg=3.0))[0]
    assert not np.array_equal(_pixels(plain.extra_images["raw"]), _pixels(negative.extra_images["raw"]))


def test_the_catalog_records_the_family_and_its_settings(backend, root, kits_folder, tmp_path):
    options = {"model": str(build("flux", root)), "steps": STEPS, "mode": "img2img", "strength": 0.8,
               "local_files_only": True}
    campaign = load_campaign(write_campaign(
        tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders", brands=["lotus-tea"],
        generation={"backend": "diffusers", "seeds": [1], "width": 64, "height": 64, "options": options}))
    catalog = Catalog(campaign.catalog_path)
    report = generate_campaign(campaign, load_kits(campaign.kits_folder).select(campaign.brands), catalog,
                               backend=backend, progress=False)
    assert len(report.made) == 1 and not report.failed, report
    [record] = catalog.concepts("lotus-tea")
    s = record.settings
    assert (s["family"], s["pipeline"], s["steps"], s["guidance"], s["strength"]) == (
        "flux", "FluxImg2ImgPipeline", STEPS, 3.5, 0.8)
    assert s["model_path"] == str(build("flux", root).resolve()) and len(s["model_hash"]) == 16
    assert s["scheduler"] == "FlowMatchEulerDiscreteScheduler"


@pytest.mark.parametrize("model, bad, field, words", [
    ("flux", {"mode": "edit"}, "generation.options.mode", "FLUX.1 has no mode edit"),
    ("qwenimage", {"mode": "controlnet", "controlnet": "x/y"}, "generation.options.mode", "Qwen-Image has no mode controlnet"),
    ("flux-kontext", {"mode": "img2img"}, "generation.options.mode", "FLUX.1 Kontext has no mode img2img"),
    ("sd3", {"scheduler": "euler_a"}, "generation.options.scheduler", "Stable Diffusion 3.5 is a flow-matching"),
    ("flux", {"attention_slicing": True}, "generation.options.attention_slicing", "FLUX.1 has no attention slicing"),
    ("qwenimage", {"channels_last": True}, "generation.options.channels_last", "Qwen-Image is a transformer"),
    ("sd3", {"true_cfg": 2.0}, "generation.options.true_cfg", "true_cfg is for FLUX"),
    ("flux", {"width": 72}, "generation.width", "multiple of 16"),
    ("sd", {"mode": "edit"}, "generation.options.mode", "Stable Diffusion 1.x/2.x has no mode edit"),
    ("sd", {"lettering": True}, "generation.options.lettering", "does not letter text well"),
])
def test_an_option_the_family_cannot_do_is_one_line_at_campaign_load(root, kits_folder, tmp_path, model, bad, field,
                                                                     words):
    options = {"model": str(build(model, root)), "mode": "txt2img", **bad}
    width = options.pop("width", 64)
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                          generation={"backend": "diffusers", "width": width, "height": 64, "options": options})
    with pytest.raises(InputError) as caught:
        load_campaign(path)
    assert caught.value.file == path and caught.value.field == field
    assert words in caught.value.message and "\n" not in str(caught.value)


def test_a_hub_models_family_is_checked_when_it_loads(backend, root, kits, monkeypatch):
    """A hub id has no folder to read at campaign load: the same one line comes when the backend loads it."""
    from workbench.backends import diffusers_families

    folder = build("flux", root)
    monkeypatch.setattr(diffusers_families, "family_of_model", lambda source: None)
    monkeypatch.setattr("workbench.backends.diffusers_options.family_of_model", lambda source: None)
    with pytest.raises(UnsupportedOption, match="generation.options.mode: FLUX.1 has no mode edit"):
        make(backend, kits, "lotus-tea", 1, settings_for(root, "flux", "edit") | {"model": str(folder)})


def test_an_edit_model_makes_no_backdrop_plate(backend, root):
    from workbench.prompts import Prompt

    with pytest.raises(UnsupportedOption, match="edit model"):
        backend.generate_plate(Prompt("a street", ""), 1, settings_for(root, "flux-kontext", "edit"), (1920, 1080))
    plate = backend.generate_plate(Prompt("a street", ""), 1, settings_for(root, "flux", "txt2img"), (1920, 1080))
    assert plate.image.size == (64, 32) and plate.settings["family"] == "flux"


def test_lettering_asks_for_the_banner_in_the_kits_script_and_finishing_still_sets_it(backend, root, kits):
    kit = kits["lotus-tea"]  # a Chinese display name
    settings = settings_for(root, "qwenimage", "txt2img")
    [plain] = make(backend, kits, "lotus-tea", 2, settings)
    [lettered] = make(backend, kits, "lotus-tea", 2, {**settings, "lettering": True})
    phrase = f'a banner on the float lettered "{kit.display_name}" in Chinese characters script'
    assert lettered.settings["model_prompt"].endswith(phrase) and phrase not in plain.settings["model_prompt"]
    assert not np.array_equal(_pixels(plain.extra_images["raw"]), _pixels(lettered.extra_images["raw"]))
    # Finishing sets the same exact banner on both: where the raw images differ, the banners' pixels agree
    # (all but the banner's anti-aliased rim, which blends with what the model drew).
    box = plain.layout.banner_box
    finished = [_pixels(c.image.convert("RGB").crop(box)) for c in (plain, lettered)]
    raws = [_pixels(c.extra_images["raw"].crop(box)) for c in (plain, lettered)]
    raw_changed = np.abs(raws[0] - raws[1]).max(axis=2) > 0
    same = np.abs(finished[0] - finished[1]).max(axis=2) <= 1
    assert raw_changed.mean() > 0.1 and same[raw_changed].mean() > 0.8, (raw_changed.mean(), same[raw_changed].mean())
