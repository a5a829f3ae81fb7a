"""Training a brand's LoRA adapter from its kit's reference images, with PEFT on the model's denoiser.

The loop is diffusers' train_text_to_image_lora / dreambooth-LoRA recipe cut to what a brand adapter
needs: each step encodes a reference image with the VAE, noises it at a random timestep and teaches the
LoRA layers (rank `rank` on the attention projections) to predict what the scheduler's prediction type
asks for, under the kit's trigger word. The weights are saved with the pipeline class's
`save_lora_weights`, so the backend's `load_lora_weights` reads them, and the settings beside them.

    >>> result = train_adapter(kit, TrainingSettings(model="/models/sd15", steps=400))
    >>> result.weights.name
    'lotus-tea-lora.safetensors'

UNet families (SD 1.x/2.x) train here; the flow-matching transformers (SD3, FLUX, Qwen-Image) and SDXL's
two text encoders need diffusers' own training scripts for now (a one-line error says so).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import yaml
from PIL import Image

from workbench.errors import InputError
from workbench.files import atomic_path
from workbench.kits import BrandKit

REFERENCE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


@dataclass(frozen=True)
class TrainingSettings:
    model: str
    steps: int = 400
    rank: int = 8
    learning_rate: float = 1e-4
    resolution: int = 512
    seed: int = 0
    trigger_word: str = ""  # default: '<slug>style'
    weight: float = 0.8  # the weight the kit's adapters entry gets
    device: str = "auto"


@dataclass(frozen=True)
class TrainedAdapter:
    weights: Path
    settings_file: Path
    losses: list[float]


def reference_images(kit: BrandKit, extra: list[Path] = ()) -> list[Path]:
    """The kit's references/ images, then any others given (e.g. the brand's approved concepts)."""
    folder = kit.folder / "references"
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in REFERENCE_SUFFIXES) if folder.is_dir() else []
    return [*found, *extra]


def train_adapter(kit: BrandKit, settings: TrainingSettings, images: list[Path] | None = None) -> TrainedAdapter:
    """Train, write `<slug>-lora.safetensors` and `<slug>-lora.json` into the kit, and name it in brand.yaml."""
    from diffusers import DDPMScheduler, DiffusionPipeline
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    from workbench.backends.diffusers import pick_device
    from workbench.backends.diffusers_families import family_of_class

    images = reference_images(kit) if images is None else images
    if not images:
        raise InputError(kit.folder / "references", "references", "no reference images to train on (PNG, JPEG or "
                         "WebP in the kit's references/ folder)")
    pipe = DiffusionPipeline.from_pretrained(settings.model)
    family = family_of_class(type(pipe).__name__)
    if family is None or family.name != "sd":
        raise InputError(Path(settings.model), "model", (
            f"training here covers SD 1.x/2.x; {family.label if family else type(pipe).__name__} adapters are "
            "trained with diffusers' own scripts (train_dreambooth_lora_*.py) and named in the kit"))
    device = pick_device(settings.device)
    torch.manual_seed(settings.seed)
    unet, vae, text_encoder, tokenizer = pipe.unet, pipe.vae, pipe.text_encoder, pipe.tokenizer
    for module in (unet, vae, text_encoder):
        module.requires_grad_(False)
        module.to(device)
    unet.add_adapter(LoraConfig(r=settings.rank, lora_alpha=settings.rank, init_lora_weights="gaussian",
                                target_modules=["to_k", "to_q", "to_v", "to_out.0"]))
    trainable = [p for p in unet.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=settings.learning_rate)
    noise_scheduler = DDPMScheduler.from_config(pipe.scheduler.config)
    trigger = settings.trigger_word or f"{kit.slug.replace('-', '')}style"
    caption = f"{trigger}, {kit.name_for_prompts}, {kit.category}"
    tokens = tokenizer(caption, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                       return_tensors="pt").input_ids.to(device)
    with torch.no_grad():
        text_embeddings = text_encoder(tokens)[0]
        latents_all = [vae.encode(_pixels(path, settings.resolution).to(device)).latent_dist.sample()
                       * vae.config.scaling_factor for path in images]
    generator = torch.Generator().manual_seed(settings.seed)
    losses = []
    unet.train()
    for step in range(settings.steps):
        latents = latents_all[step % len(latents_all)]
        noise = torch.randn(latents.shape, generator=generator).to(device)
        timestep = torch.randint(0, noise_scheduler.config.num_train_timesteps, (1,), generator=generator).to(device)
        noisy = noise_scheduler.add_noise(latents, noise, timestep)
        target = (noise if noise_scheduler.config.prediction_type == "epsilon"
                  else noise_scheduler.get_velocity(latents, noise, timestep))
        prediction = unet(noisy, timestep, text_embeddings).sample
        loss = torch.nn.functional.mse_loss(prediction.float(), target.float())
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        losses.append(round(float(loss), 6))
    unet.eval()

    weights = kit.folder / f"{kit.slug}-lora.safetensors"
    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
    with atomic_path(weights) as temp:
        type(pipe).save_lora_weights(temp.parent, unet_lora_layers=layers, weight_name=temp.name)
    settings_file = weights.with_suffix(".json")
    record = {**asdict(settings), "trigger_word": trigger, "caption": caption, "family": family.name,
              "images": [str(p) for p in images], "losses": losses}
    with atomic_path(settings_file) as temp:
        temp.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    _name_in_kit(kit, weights.name, settings.weight, trigger)
    return TrainedAdapter(weights, settings_file, losses)


def _name_in_kit(kit: BrandKit, file: str, weight: float, trigger: str) -> None:
    """brand.yaml's adapters gain (or replace) the entry for this file."""
    data = yaml.safe_load(kit.yaml_path.read_text(encoding="utf-8")) or {}
    entries = [entry for entry in data.get("adapters", []) if entry.get("file") != file]
    data["adapters"] = [*entries, {"file": file, "weight": weight, "trigger_words": [trigger]}]
    with atomic_path(kit.yaml_path) as temp:
        temp.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _pixels(path: Path, resolution: int) -> torch.Tensor:
    """An image as the VAE takes it: RGB, square-cropped to `resolution`, in [-1, 1], batch of one."""
    image = Image.open(path).convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((resolution, resolution), Image.LANCZOS)
    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0)
