"""The diffusers backend's options: every check that needs no torch, run when the campaign loads.

What needs the model itself (a missing folder, a folder that is not a diffusers model, a scheduler
class this diffusers release lacks) is checked by `workbench.backends.diffusers` when it loads it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from workbench.backends.diffusers_families import family_of_model, unsupported
from workbench.backends.previz_options import PrevizOptions

SCHEDULER_ALIASES = {
    "ddim": "DDIMScheduler", "pndm": "PNDMScheduler", "lms": "LMSDiscreteScheduler",
    "euler": "EulerDiscreteScheduler", "euler_a": "EulerAncestralDiscreteScheduler", "heun": "HeunDiscreteScheduler",
    "dpm++": "DPMSolverMultistepScheduler", "dpm++_sde": "DPMSolverSDEScheduler", "unipc": "UniPCMultistepScheduler",
    "lcm": "LCMScheduler",
}
DtypeName = Literal["auto", "float16", "fp16", "bfloat16", "bf16", "float32", "fp32"]


class DiffusersOptions(BaseModel):
    """The campaign's `generation.options` for this backend, plus `width` and `height`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    model: str = Field(min_length=1, description="A local diffusers folder or a hub id, e.g. 'stabilityai/sdxl-turbo'.")
    revision: str | None = None
    variant: str | None = Field(None, description="Weight file variant, e.g. 'fp16'.")
    local_files_only: bool = False
    # edit: an edit model (FLUX.1 Kontext, Qwen-Image-Edit) redraws the previz float from the prompt
    mode: Literal["txt2img", "img2img", "controlnet", "edit"] = "img2img"
    # validate_default: the check that mode controlnet names one runs when the option is left out too
    controlnet: str | None = Field(None, validate_default=True,
                                   description="ControlNet folder or hub id; needed by mode controlnet.")
    control: Literal["canny", "scribble", "lineart", "mask"] = "canny"
    controlnet_scale: float = Field(1.0, ge=0, le=2)
    scheduler: str | None = None
    # None: the model family's own default (see workbench.backends.diffusers_families)
    steps: int | None = Field(None, ge=1, le=200)
    guidance: float | None = Field(None, ge=0, le=30, description="CFG scale, FLUX's distilled guidance or "
                                   "Qwen-Image's true CFG scale, as the family takes it.")
    true_cfg: float | None = Field(None, ge=1, le=30, description="FLUX only: a second, negative-prompt pass.")
    strength: float = Field(0.65, gt=0, le=1)
    batch_size: int = Field(1, ge=1, le=64)
    device: str = "auto"
    dtype: DtypeName = "auto"
    # Memory options for small GPUs.
    attention_slicing: bool = False
    vae_tiling: bool = False
    cpu_offload: Literal["model", "sequential"] | None = None
    # Speed options (see benchmarks/bench_generate.py).
    channels_last: bool = False
    fuse_qkv: bool = False
    compile: bool = False
    compile_mode: str = "max-autotune-no-cudagraphs"
    lettering: bool = Field(False, description="Ask the model for the banner in the kit's own script (models "
                            "that draw text well); finishing still sets the exact banner on top.")
    previz: dict[str, Any] = Field(default_factory=dict, description="Previz design overrides, e.g. {body: wagon}.")
    product_harmonise: float = Field(0.0, ge=0, le=1, description="How far the kit's product, put back exact, takes on"
                                     " the light of the generated float around it (0: the photo's pixels).")
    product_tolerance: float = Field(6.0, ge=0, le=50, description="The most a harmonised product pixel moves from"
                                     " the photo's colour (CIE76 delta E).")
    width: int = 512
    height: int = 512

    @field_validator("width", "height")
    @classmethod
    def _multiple_of_eight(cls, side: int) -> int:
        if side % 8:
            raise ValueError(f"Stable Diffusion needs a multiple of 8 pixels, got {side}")
        return side

    @field_validator("controlnet")
    @classmethod
    def _controlnet_for_its_mode(cls, controlnet: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("mode") == "controlnet" and not controlnet:
            raise ValueError("mode controlnet needs a ControlNet model (a folder or hub id, "
                             "e.g. lllyasviel/control_v11p_sd15_canny)")
        return controlnet

    @field_validator("scheduler")
    @classmethod
    def _scheduler_name(cls, name: str | None) -> str | None:
        # Whether the class exists in the installed diffusers is the backend's check: it needs diffusers.
        if name is None or name in SCHEDULER_ALIASES or (name.isidentifier() and name.endswith("Scheduler")):
            return name
        raise ValueError(f"unknown scheduler {name!r}; use one of {', '.join(sorted(SCHEDULER_ALIASES))} "
                         "or a diffusers scheduler class name")

    @field_validator("previz")
    @classmethod
    def _previz_overrides(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        PrevizOptions.model_validate(overrides)  # errors come back as generation.options.previz.<field>
        return overrides

    @model_validator(mode="after")
    def _fits_the_family(self):
        """A local model's family is known now (its model_index.json): options it cannot do are one line
        naming the option and the family. A hub id's family is checked when the backend loads it."""
        family = family_of_model(self.model)
        problem = family and unsupported(family, self.model_dump())
        if problem:
            option, reason = problem
            raise ValidationError.from_exception_data("DiffusersOptions", [
                {"type": "value_error", "loc": (option,), "input": getattr(self, option),
                 "ctx": {"error": ValueError(reason)}}])
        return self

    def load_key(self) -> tuple:
        """What the loaded weights depend on. Mode, ControlNet, scheduler, steps... change between calls
        without a reload: the modes share the loaded components."""
        return (self.model, self.revision, self.variant, self.local_files_only, self.device, self.dtype,
                self.attention_slicing, self.vae_tiling, self.cpu_offload, self.channels_last, self.fuse_qkv,
                self.compile, self.compile_mode)
