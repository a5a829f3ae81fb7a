"""`kits train-adapter`'s training: a few CPU steps on the tiny SD pipeline write a LoRA the backend loads."""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import json  # noqa: E402
import math  # noqa: E402
import shutil  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("torch")
pytest.importorskip("peft")

from workbench.backends.diffusers import DiffusersBackend  # noqa: E402
from workbench.backends.diffusers_training import TrainingSettings, train_adapter  # noqa: E402
from workbench.errors import InputError  # noqa: E402
from workbench.kits import load_kit  # noqa: E402
from workbench.prompts import PromptTemplate, build_prompt  # noqa: E402

from conftest import SAMPLE_KITS  # noqa: E402
from tiny_models import build  # noqa: E402


def test_a_few_training_steps_write_an_adapter_into_the_kit_that_the_backend_loads(tmp_path):
    model = build("sd", tmp_path / "models")
    folder = tmp_path / "lotus-tea"
    shutil.copytree(SAMPLE_KITS / "lotus-tea", folder)
    kit = load_kit(folder)
    (folder / "references").mkdir()
    for index, colour in enumerate(("white", "black")):
        image = kit.logo_image().convert("RGBA")
        from PIL import Image

        backdrop = Image.new("RGBA", image.size, colour)
        backdrop.alpha_composite(image)
        backdrop.convert("RGB").save(folder / "references" / f"ref-{index}.png")

    result = train_adapter(kit, TrainingSettings(model=str(model), steps=3, resolution=64, learning_rate=5e-2))
    assert len(result.losses) == 3 and all(math.isfinite(loss) for loss in result.losses)
    assert result.weights == folder / "lotus-tea-lora.safetensors" and result.weights.stat().st_size > 0
    recorded = json.loads(result.settings_file.read_text(encoding="utf-8"))
    assert (recorded["steps"], recorded["rank"], recorded["trigger_word"]) == (3, 8, "lotusteastyle")
    assert len(recorded["images"]) == 2

    trained = load_kit(folder)
    [adapter] = trained.adapters
    assert (adapter.file, adapter.trigger_words) == ("lotus-tea-lora.safetensors", ["lotusteastyle"])
    settings = {"width": 64, "height": 64, "model": str(model), "mode": "txt2img", "steps": 2,
                "local_files_only": True}
    backend = DiffusersBackend()
    plain = backend.generate(kit, build_prompt(kit, PromptTemplate()), 1, settings)[0]
    branded = backend.generate(trained, build_prompt(trained, PromptTemplate()), 1, settings)[0]
    assert branded.settings["adapters"][0]["file"] == "lotus-tea-lora.safetensors"
    assert not np.array_equal(np.asarray(plain.extra_images["raw"]), np.asarray(branded.extra_images["raw"]))


def test_no_reference_images_is_one_line(tmp_path):
    folder = tmp_path / "lotus-tea"
    shutil.copytree(SAMPLE_KITS / "lotus-tea", folder)
    with pytest.raises(InputError, match="no reference images"):
        train_adapter(load_kit(folder), TrainingSettings(model=str(tmp_path / "none"), steps=1))


def test_a_transformer_family_points_to_diffusers_scripts(tmp_path):
    folder = tmp_path / "lotus-tea"
    shutil.copytree(SAMPLE_KITS / "lotus-tea", folder)
    with pytest.raises(InputError, match="FLUX.1 adapters are trained with diffusers' own scripts"):
        train_adapter(load_kit(folder), TrainingSettings(model=str(build("flux", tmp_path / "models"))),
                      images=[folder / "logo.svg"])


def test_the_cli_trains_and_reports(tmp_path):
    from PIL import Image
    from typer.testing import CliRunner

    from workbench.cli import app

    model = build("sd", tmp_path / "models")
    kits = tmp_path / "kits"
    shutil.copytree(SAMPLE_KITS / "lotus-tea", kits / "lotus-tea")
    (kits / "lotus-tea" / "references").mkdir()
    Image.new("RGB", (80, 64), "teal").save(kits / "lotus-tea" / "references" / "a.png")
    result = CliRunner().invoke(app, ["kits", "train-adapter", "lotus-tea", "--model", str(model), "--kits", str(kits),
                                      "--steps", "2", "--resolution", "64"])
    assert result.exit_code == 0, result.output
    assert "lotus-tea-lora.safetensors" in result.output and "2 steps" in result.output
    assert load_kit(kits / "lotus-tea").adapters[0].file == "lotus-tea-lora.safetensors"
