"""What the diffusers backend knows about each model family, in one table (torch-free).

A model's family comes from its folder's `model_index.json` (`_class_name`, the pipeline it was saved
as), so a campaign's options are checked against the family when it loads; a hub id that is not in
the local cache is checked when the backend loads it, from the class diffusers loaded.

    >>> family_of_class("FluxPipeline").name
    'flux'
    >>> FAMILIES["qwenimage"].guidance
    'true_cfg'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Guidance = Literal["cfg", "distilled", "true_cfg"]
MODES = ("txt2img", "img2img", "controlnet", "edit")


@dataclass(frozen=True)
class Family:
    """One model family: its pipeline class per mode and how it is steered.

    guidance: 'cfg' is classic classifier-free guidance (`guidance_scale`, a negative prompt in the same
    batched call); 'distilled' is FLUX's guidance embedding (`guidance_scale` is an input of the model, no
    negative prompt; `true_cfg` adds a second, negative pass); 'true_cfg' is Qwen-Image's two-pass guidance
    (`true_cfg_scale` with the negative prompt)."""

    name: str
    label: str
    pipelines: dict[str, str]  # mode -> diffusers pipeline class
    guidance: Guidance
    default_steps: int
    default_guidance: float
    denoiser: str = "transformer"  # the component LoRA adapters and torch.compile act on
    controlnet_class: str | None = None
    control_argument: str = "control_image"  # the pipeline argument the control image goes in
    classic_schedulers: bool = False  # the SD samplers (euler_a, dpm++ ...) fit; flow-matching models keep theirs
    attention_slicing: bool = False
    channels_last: bool = False  # convolutions worth a channels-last layout (UNets)
    draws_text: bool = False  # letters legibly enough to be asked for the banner (the `lettering` option)

    def supports(self, mode: str) -> bool:
        return mode in self.pipelines


_SD = dict(guidance="cfg", default_steps=30, default_guidance=7.0, denoiser="unet", controlnet_class="ControlNetModel",
           control_argument="image", classic_schedulers=True, attention_slicing=True, channels_last=True)
FAMILIES: dict[str, Family] = {family.name: family for family in (
    Family("sd", "Stable Diffusion 1.x/2.x", {"txt2img": "StableDiffusionPipeline",
           "img2img": "StableDiffusionImg2ImgPipeline", "controlnet": "StableDiffusionControlNetPipeline"}, **_SD),
    Family("sdxl", "Stable Diffusion XL", {"txt2img": "StableDiffusionXLPipeline",
           "img2img": "StableDiffusionXLImg2ImgPipeline", "controlnet": "StableDiffusionXLControlNetPipeline"}, **_SD),
    Family("sd3", "Stable Diffusion 3.5", {"txt2img": "StableDiffusion3Pipeline",
           "img2img": "StableDiffusion3Img2ImgPipeline", "controlnet": "StableDiffusion3ControlNetPipeline"},
           guidance="cfg", default_steps=28, default_guidance=4.5, controlnet_class="SD3ControlNetModel",
           draws_text=True),
    Family("flux", "FLUX.1", {"txt2img": "FluxPipeline", "img2img": "FluxImg2ImgPipeline",
           "controlnet": "FluxControlNetPipeline"},
           guidance="distilled", default_steps=28, default_guidance=3.5, controlnet_class="FluxControlNetModel",
           draws_text=True),
    Family("flux-kontext", "FLUX.1 Kontext", {"edit": "FluxKontextPipeline"},
           guidance="distilled", default_steps=28, default_guidance=2.5, draws_text=True),
    Family("qwenimage", "Qwen-Image", {"txt2img": "QwenImagePipeline", "img2img": "QwenImageImg2ImgPipeline"},
           guidance="true_cfg", default_steps=50, default_guidance=4.0, draws_text=True),
    Family("qwenimage-edit", "Qwen-Image-Edit", {"edit": "QwenImageEditPlusPipeline"},
           guidance="true_cfg", default_steps=40, default_guidance=4.0, draws_text=True),
)}
# Pipeline classes a model folder may be saved as, beyond each family's own.
_SAVED_AS = {"StableDiffusionXLPipeline": "sdxl", "QwenImageEditPipeline": "qwenimage-edit"}


def family_of_class(class_name: str) -> Family | None:
    """The family of a pipeline class name, or None for one this table does not know."""
    for family in FAMILIES.values():
        if class_name in family.pipelines.values():
            return family
    name = _SAVED_AS.get(class_name)
    return FAMILIES[name] if name else None


def family_of_model(source: str) -> Family | None:
    """The family of a local model folder, read from its model_index.json (no torch); None when the folder
    has none (a hub id: the backend finds the family when it loads the model)."""
    index = Path(source).expanduser() / "model_index.json"
    try:
        class_name = json.loads(index.read_text(encoding="utf-8")).get("_class_name", "")
    except (OSError, ValueError, AttributeError):
        return None
    return family_of_class(class_name) if isinstance(class_name, str) else None


def unsupported(family: Family, options: dict) -> tuple[str, str] | None:
    """(option, one-line reason) for the first option `family` cannot do, or None. `options` are the
    campaign's options with their defaults filled in."""
    mode = options.get("mode")
    if mode and not family.supports(mode):
        modes = ", ".join(family.pipelines)
        hint = {"edit": " (edit-from-previz needs an edit model: FLUX.1 Kontext or Qwen-Image-Edit)"}.get(mode, "")
        return "mode", f"{family.label} has no mode {mode}; it does {modes}{hint}"
    scheduler = options.get("scheduler")
    if scheduler and not family.classic_schedulers and not scheduler.startswith("FlowMatch"):
        return "scheduler", (f"{family.label} is a flow-matching model and keeps its own scheduler; "
                             f"{scheduler} does not fit it")
    if options.get("attention_slicing") and not family.attention_slicing:
        return "attention_slicing", f"{family.label} has no attention slicing; use cpu_offload or vae_tiling"
    if options.get("channels_last") and not family.channels_last:
        return "channels_last", f"{family.label} is a transformer with no convolutions to lay out channels-last"
    for side in ("width", "height"):
        if family.denoiser == "transformer" and options.get(side, 16) % 16:
            return side, f"{family.label} takes 2x2 patches of 8x latents: a multiple of 16 pixels, got {options[side]}"
    if options.get("lettering") and not family.draws_text:
        return "lettering", (f"{family.label} does not letter text well enough to be asked for the banner; "
                             "use SD 3.5, FLUX.1 or Qwen-Image")
    if options.get("true_cfg") is not None and family.guidance != "distilled":
        return "true_cfg", f"{family.label} takes its guidance in guidance; true_cfg is for FLUX's distilled models"
    return None
