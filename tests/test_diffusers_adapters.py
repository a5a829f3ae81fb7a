"""Per-brand LoRA adapters through the diffusers backend, on tiny offline SD and FLUX pipelines: loaded for the
brand's concepts, recorded on each, and unloaded after, so the base model's images come back byte for byte."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"  # before diffusers / huggingface_hub read it: these tests never go online

import shutil  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("peft")

from workbench.backends.diffusers import AdapterUnavailable, DiffusersBackend  # noqa: E402
from workbench.errors import InputError  # noqa: E402
from workbench.kits import load_kit  # noqa: E402
from workbench.prompts import PromptTemplate, build_prompt  # noqa: E402

from conftest import SAMPLE_KITS  # noqa: E402
from tiny_models import build, write_lora  # noqa: E402


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    import huggingface_hub.constants

    huggingface_hub.constants.HF_HUB_OFFLINE = True
    return tmp_path_factory.mktemp("tiny-adapters")


def kit_with_adapter(folder, model_folder, **entry):
    """A copy of lotus-tea whose brand.yaml names a random LoRA written into the kit."""
    shutil.copytree(SAMPLE_KITS / "lotus-tea", folder)
    write_lora(model_folder, folder, "lotus-lora.safetensors")
    data = yaml.safe_load((folder / "brand.yaml").read_text(encoding="utf-8"))
    data["adapters"] = [{"file": "lotus-lora.safetensors", "weight": 0.9, "trigger_words": ["lotusstyle"], **entry}]
    (folder / "brand.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_kit(folder)


def raw(backend, kit, settings, seed=3):
    [concept] = backend.generate(kit, build_prompt(kit, PromptTemplate()), seed, settings)
    return concept, np.asarray(concept.extra_images["raw"])


@pytest.mark.parametrize("model, mode", [("sd", "txt2img"), ("sd", "img2img"), ("flux", "txt2img")])
def test_an_adapter_changes_the_image_and_unloading_restores_the_base_byte_for_byte(root, tmp_path, model, mode):
    model_folder = build(model, root)
    settings = {"width": 64, "height": 64, "model": str(model_folder), "mode": mode, "steps": 2,
                "local_files_only": True}
    plain_kit = load_kit(SAMPLE_KITS / "lotus-tea")
    branded = kit_with_adapter(tmp_path / "lotus-tea", model_folder)
    backend = DiffusersBackend()
    base, base_pixels = raw(backend, plain_kit, settings)
    with_adapter, adapter_pixels = raw(backend, branded, settings)
    after, after_pixels = raw(backend, plain_kit, settings)
    assert np.abs(base_pixels.astype(int) - adapter_pixels).mean() > 1.0, "the adapter changes what is drawn"
    assert np.array_equal(base_pixels, after_pixels), "unloading gives the base model back exactly"
    assert base.settings["adapters"] == [] and after.settings["adapters"] == []
    [recorded] = with_adapter.settings["adapters"]
    assert recorded["file"] == "lotus-lora.safetensors" and recorded["weight"] == 0.9
    assert len(recorded["sha256"]) == 16 and recorded["trigger_words"] == ["lotusstyle"]
    assert with_adapter.settings["model_hash"] == base.settings["model_hash"]


def test_the_adapter_weight_matters(root, tmp_path):
    model_folder = build("sd", root)
    settings = {"width": 64, "height": 64, "model": str(model_folder), "mode": "txt2img", "steps": 2,
                "local_files_only": True}
    strong = kit_with_adapter(tmp_path / "a" / "lotus-tea", model_folder)
    weak = kit_with_adapter(tmp_path / "b" / "lotus-tea", model_folder, weight=0.2)
    backend = DiffusersBackend()
    assert not np.array_equal(raw(backend, strong, settings)[1], raw(backend, weak, settings)[1])


def test_a_bad_adapter_entry_is_one_line_naming_the_field(root, tmp_path):
    folder = tmp_path / "lotus-tea"
    shutil.copytree(SAMPLE_KITS / "lotus-tea", folder)
    data = yaml.safe_load((folder / "brand.yaml").read_text(encoding="utf-8"))
    for entry, field in (({"file": "missing.safetensors"}, "adapters.0.file"),
                         ({"file": "a.safetensors", "hub": "owner/lora"}, "adapters.0"),
                         ({"hub": "owner/lora", "weight": 5}, "adapters.0.weight")):
        data["adapters"] = [entry]
        (folder / "brand.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        with pytest.raises(InputError) as caught:
            load_kit(folder)
        assert caught.value.field == field, (entry, caught.value)
    # A file that is not a LoRA: the brand's concept fails with the kit's field named.
    (folder / "junk.safetensors").write_bytes(b"not a safetensors file")
    data["adapters"] = [{"file": "junk.safetensors"}]
    (folder / "brand.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    kit = load_kit(folder)
    settings = {"width": 64, "height": 64, "model": str(build("sd", root)), "mode": "txt2img", "steps": 2,
                "local_files_only": True}
    with pytest.raises(AdapterUnavailable) as caught:
        raw(DiffusersBackend(), kit, settings)
    assert caught.value.field == "adapters.0" and caught.value.file == folder / "brand.yaml"
