"""The diffusers backend: Stable Diffusion 1.x/2.x/SDXL/3.5, FLUX.1 and Qwen-Image, steered by the previz float.

The model's family (`workbench.backends.diffusers_families`, from its model_index.json) says which
pipeline makes each mode, how guidance is given and the default steps; everything else is shared.

The previz float of the same kit, seed and size is the brand-accurate rough: it is the init image
(img2img), the source of the ControlNet image (txt2img + ControlNet) or the image an edit model
redraws (edit), its alpha starts the cut-out
and its layout says where `workbench.finishing` puts the exact logo and name banner back.

    >>> backend = DiffusersBackend()
    >>> settings = {"width": 768, "height": 768, "model": "/models/sd15", "mode": "img2img", "strength": 0.6}
    >>> [concept] = backend.generate(kit, prompt, seed=3, settings=settings)
    >>> concept.image.mode, sorted(concept.extra_images)
    ('RGBA', ['raw'])

A campaign chooses it with `generation: {backend: diffusers, options: {model: ..., ...}}`; every
option is a field of `DiffusersOptions`. What one `generate` call does:

1. `DiffusersOptions` (in `workbench.backends.diffusers_options`, torch-free): the campaign checked
   them when it loaded, so unknown or bad options were one line naming `generation.options.<key>`.
2. `load_pipeline(options)`: once per backend instance and option set (the cache key is everything
   that changes the weights or where they live), on the chosen device and precision.
3. The previz float, then the init or control image made from it.
4. One pipeline call for the batch, each image with its own `torch.Generator` seed, so any single
   concept can be made again from its recorded `image_seed`.
5. `finish` each raw image; the raw one is kept as `extra_images["raw"]`, the control image as
   `extra_images["control"]`.
"""

from __future__ import annotations

import gc
import hashlib
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import cv2
import diffusers
import numpy as np
import torch
from diffusers import DiffusionPipeline
from PIL import Image

from workbench.backends import BackendUnusable, Concept
from workbench.backends.diffusers_families import Family, family_of_class, unsupported
from workbench.backends.diffusers_options import SCHEDULER_ALIASES, DiffusersOptions
from workbench.backends.previz import PrevizBackend
from workbench.errors import InputError
from workbench.finishing import finish
from workbench.kits import BrandKit
from workbench.prompts import Prompt, lettering_phrase

BATCH_SEED_STRIDE = 1_000_000  # image i of a batch uses seed + i * stride: campaign seeds below a million never collide
INIT_BACKDROP = (128, 128, 128)  # the previz float sits on neutral grey in the img2img init image

# diffusers 0.42 renamed `torch_dtype` to `dtype` (the old name warns); older releases know only the old one.
DTYPE_ARGUMENT = "dtype" if tuple(map(int, diffusers.__version__.split(".")[:2])) >= (0, 42) else "torch_dtype"
DTYPES = {"float16": torch.float16, "fp16": torch.float16, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
          "float32": torch.float32, "fp32": torch.float32}


class ModelUnavailable(InputError, BackendUnusable):
    """The model cannot be loaded: every later image would fail the same way, so the batch stops."""


class SchedulerUnavailable(BackendUnusable):
    """The named scheduler class is not in the installed diffusers: the same for every image, so the batch stops."""


class UnsupportedOption(InputError, BackendUnusable):
    """An option the model's family cannot do (found when a hub model is loaded; a local one's at campaign load)."""


class AdapterUnavailable(InputError):
    """A kit's adapter could not be loaded: that brand's concepts fail, other brands go on."""


class OutOfMemory(InputError, BackendUnusable):
    """The GPU ran out of memory; what was made before is kept, and the message says what to change."""


# ----------------------------------------------------------------------------------------------------
# The backend


class DiffusersBackend:
    """Stable Diffusion via diffusers; the pipeline is loaded on first use and kept for later calls."""

    name = "diffusers"

    def __init__(self) -> None:
        self._loaded: LoadedPipeline | None = None

    def generate(self, kit: BrandKit, prompt: Prompt, seed: int, settings: dict[str, Any]) -> list[Concept]:
        options = DiffusersOptions.model_validate(settings)  # a campaign's were checked when it loaded
        loaded = self.pipeline(options)
        family = loaded.family
        loaded.check(options)
        pipe = loaded.for_mode(options)
        pipe.scheduler = loaded.scheduler_for(options.scheduler)
        steps, guidance = options.steps or family.default_steps, _guidance(options, family)

        [previz] = PrevizBackend().generate(kit, prompt, seed, {"width": options.width, "height": options.height,
                                                                 **options.previz})
        image_seeds = [seed + index * BATCH_SEED_STRIDE for index in range(options.batch_size)]
        # CPU generators give the same starting noise on every device, so a concept re-made on
        # another machine starts from the same latents.
        generators = [torch.Generator("cpu").manual_seed(image_seed) for image_seed in image_seeds]
        text = ", ".join([*(word for adapter in kit.adapters for word in adapter.trigger_words), prompt.text,
                          *([lettering_phrase(kit)] if options.lettering else [])])
        inputs: dict[str, Any] = {
            "prompt": [text] * options.batch_size,
            "num_inference_steps": steps,
            "generator": generators,
            **guidance_inputs(family, guidance, options.true_cfg, [prompt.negative] * options.batch_size),
        }
        control = None
        if options.mode != "img2img" or family.denoiser == "transformer":  # SD's img2img takes the init's size
            inputs.update(width=options.width, height=options.height)
        if options.mode in ("img2img", "edit"):
            inputs.update(image=init_image(previz.image))
        if options.mode == "img2img":
            inputs.update(strength=options.strength)
        if options.mode == "edit" and family.name == "flux-kontext":
            # Kontext would otherwise resize the float to its preferred ~1 megapixel sizes
            inputs.update(max_area=options.width * options.height, _auto_resize=False)
        if options.mode == "controlnet":
            control = control_image(previz.image, options.control)
            inputs.update({family.control_argument: control, "controlnet_conditioning_scale": options.controlnet_scale})

        started = time.perf_counter()
        try:
            with brand_adapters(pipe, kit) as adapters, torch.inference_mode():
                raws = pipe(**inputs).images
        except torch.OutOfMemoryError:
            _free_memory()
            raise OutOfMemory(options.model, "generation.options", (
                f"the GPU ran out of memory at {options.width}x{options.height}, batch {options.batch_size}; "
                "try batch_size: 1, attention_slicing: true, vae_tiling: true, cpu_offload: model "
                "(or sequential on very small cards), or a smaller size")) from None
        seconds = (time.perf_counter() - started) / options.batch_size

        recorded = {
            **options.model_dump(mode="json"),
            "family": family.name, "steps": steps, "guidance": guidance, "adapters": adapters, "model_prompt": text,
            **loaded.identity,
            **(loaded.controlnet_identity[options.controlnet] if options.mode == "controlnet" else {}),
            "scheduler": type(pipe.scheduler).__name__,
            "pipeline": type(pipe).__name__,
            "device": loaded.device,
            "dtype": str(loaded.dtype).removeprefix("torch."),
            "seconds_per_image": round(seconds, 3),
            "previz": previz.settings,
            "versions": {"diffusers": diffusers.__version__, "torch": torch.__version__},
        }
        concepts = []
        for index, (raw, image_seed) in enumerate(zip(raws, image_seeds)):
            finished = finish(raw, kit, previz.layout, mask=previz.image, banner_style=previz.settings["banner"],
                              product_harmonise=options.product_harmonise, product_tolerance=options.product_tolerance)
            extra = {"raw": raw} if control is None else {"raw": raw, "control": control}
            concepts.append(Concept(
                image=finished, model=options.model, layout=previz.layout, extra_images=extra,
                settings={**recorded, "image_seed": image_seed, "batch_index": index},
            ))
        return concepts

    def generate_plate(self, prompt: Prompt, seed: int, settings: dict[str, Any], size: tuple[int, int]) -> Concept:
        """A backdrop plate of `size`'s shape: text-to-image with the campaign's model (`settings`), no previz, no
        control and no finishing (a plate carries no brand marks), its long side the campaign's canvas (sides
        in multiples of 8, as the model needs); the film scales it to cover its frame."""
        options = DiffusersOptions.model_validate(settings)
        loaded = self.pipeline(options)
        family = loaded.family
        if not family.supports("txt2img"):
            raise UnsupportedOption(options.model, "generation.options.model",
                                    f"{family.label} is an edit model and cannot picture a backdrop plate from text")
        pipe = loaded.for_mode(options.model_copy(update={"mode": "txt2img"}))
        pipe.scheduler = loaded.scheduler_for(options.scheduler)
        width, height = plate_canvas(*size, max(options.width, options.height), 16 if family.denoiser != "unet" else 8)
        steps, guidance = options.steps or family.default_steps, _guidance(options, family)
        with torch.inference_mode():
            [raw] = pipe(prompt=prompt.text, width=width, height=height, num_inference_steps=steps,
                         generator=torch.Generator("cpu").manual_seed(seed),
                         **guidance_inputs(family, guidance, options.true_cfg, prompt.negative)).images
        recorded = {**options.model_dump(mode="json"), "family": family.name, "steps": steps, "guidance": guidance,
                    **loaded.identity, "width": width, "height": height,
                    "scheduler": type(pipe.scheduler).__name__, "pipeline": type(pipe).__name__,
                    "device": loaded.device, "dtype": str(loaded.dtype).removeprefix("torch."), "image_seed": seed,
                    "versions": {"diffusers": diffusers.__version__, "torch": torch.__version__}}
        return Concept(image=raw.convert("RGB"), model=options.model, settings=recorded)

    def pipeline(self, options: DiffusersOptions) -> "LoadedPipeline":
        """The loaded model for these options, loaded once and kept until the options need other weights."""
        key = options.load_key()
        if self._loaded is None or self._loaded.key != key:
            self._loaded = None  # let the old weights go before the new ones arrive
            _free_memory()
            self._loaded = load_pipeline(options)
        return self._loaded


# ----------------------------------------------------------------------------------------------------
# Per-brand adapters


@contextmanager
def brand_adapters(pipe: Any, kit: BrandKit) -> Iterator[list[dict[str, Any]]]:
    """The kit's LoRA adapters loaded into `pipe` (diffusers' adapter API, through PEFT) for the block, and
    unloaded after it, so the base model's weights are as they were and never reloaded. Yields what to record
    of each: its identity (a file's hash, or hub id and revision) and weight."""
    if not kit.adapters:
        yield []
        return
    names, recorded = [], []
    try:
        for index, adapter in enumerate(kit.adapters):
            name = f"{kit.slug}-{index}"
            if adapter.file:
                path = kit.folder / adapter.file
                source, kwargs = str(path.parent), {"weight_name": path.name}
                identity = {"file": adapter.file, "sha256": _file_hash(path)}
            else:
                source, kwargs = adapter.hub, {"weight_name": adapter.weight_name, "revision": adapter.revision}
                identity = {"hub": adapter.hub, "revision": adapter.revision or "main"}
            try:
                pipe.load_lora_weights(source, adapter_name=name, **{k: v for k, v in kwargs.items() if v})
            except (OSError, ValueError) as error:
                reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                raise AdapterUnavailable(kit.yaml_path, f"adapters.{index}", reason) from None
            names.append(name)
            recorded.append({**identity, "weight": adapter.weight, "trigger_words": list(adapter.trigger_words)})
        pipe.set_adapters(names, adapter_weights=[adapter.weight for adapter in kit.adapters])
        yield recorded
    finally:
        if names:
            pipe.unload_lora_weights()


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


# ----------------------------------------------------------------------------------------------------
# Loading


@dataclass
class LoadedPipeline:
    """One loaded model, its text-to-image pipeline and the other modes' pipelines sharing its weights."""

    key: tuple
    pipeline: Any  # as the model was saved (text-to-image, or edit); the other modes are made with `from_pipe`
    family: Family
    saved_as: str  # the pipeline class the model was saved as: its mode needs no from_pipe
    options: DiffusersOptions  # the options it was loaded with (only their load_key part matters)
    device: str
    dtype: torch.dtype
    identity: dict[str, str]  # model id + revision, or local folder + hash, for the catalog
    default_scheduler: Any
    modes: dict[tuple[str, str | None], Any] = field(default_factory=dict)
    controlnet_identity: dict[str, dict[str, str]] = field(default_factory=dict)

    def check(self, options: DiffusersOptions) -> None:
        """Options this model's family cannot do: one line naming the option and the family."""
        problem = unsupported(self.family, options.model_dump())
        if problem:
            option, reason = problem
            raise UnsupportedOption(options.model, f"generation.options.{option}", reason)

    def for_mode(self, options: DiffusersOptions) -> Any:
        """The pipeline for `options.mode`, sharing this model's components (no second copy in memory)."""
        controlnet = options.controlnet if options.mode == "controlnet" else None
        key = (options.mode, controlnet)
        class_name = self.family.pipelines[options.mode]
        if class_name == self.saved_as:
            return self.pipeline
        pipeline_class = getattr(diffusers, class_name)
        if key not in self.modes:
            if options.mode != "controlnet":
                pipe = pipeline_class.from_pipe(self.pipeline)
            else:
                identity = model_identity(controlnet, None, "controlnet")
                model = _from_pretrained(getattr(diffusers, self.family.controlnet_class), controlnet,
                                         "generation.options.controlnet", **{DTYPE_ARGUMENT: self.dtype},
                                         local_files_only=options.local_files_only)
                pipe = pipeline_class.from_pipe(self.pipeline, controlnet=model)
                self.controlnet_identity[controlnet] = identity
            _place(pipe, self.options, self.device)
            self.modes[key] = pipe
        return self.modes[key]

    def scheduler_for(self, name: str | None) -> Any:
        """The model's own scheduler, or the named one built from its config ('euler_a' or a class name)."""
        if name is None:
            return self.default_scheduler
        class_name = SCHEDULER_ALIASES.get(name, name)
        scheduler_class = getattr(diffusers, class_name, None)
        if not isinstance(scheduler_class, type):  # a well-formed name this diffusers release lacks
            raise SchedulerUnavailable(f"generation.options.scheduler: diffusers {diffusers.__version__} has no "
                                       f"{class_name}; use one of {', '.join(sorted(SCHEDULER_ALIASES))}")
        return scheduler_class.from_config(self.default_scheduler.config)


def load_pipeline(options: DiffusersOptions) -> LoadedPipeline:
    """Load the model for `options`, place it, and apply the memory and speed options."""
    device = pick_device(options.device)
    dtype = pick_dtype(options.dtype, device)
    pipe = _from_pretrained(DiffusionPipeline, options.model, "generation.options.model",
                            **{DTYPE_ARGUMENT: dtype}, revision=options.revision, variant=options.variant,
                            local_files_only=options.local_files_only)
    family = family_of_class(type(pipe).__name__)
    if family is None:
        raise ModelUnavailable(options.model, "generation.options.model", (
            f"{type(pipe).__name__} is not a model family this backend knows (Stable Diffusion 1.x/2.x/XL/3.5, "
            "FLUX.1, FLUX.1 Kontext, Qwen-Image, Qwen-Image-Edit)"))
    loaded = LoadedPipeline(options.load_key(), pipe, family, type(pipe).__name__, options, device, dtype,
                            model_identity(options.model, options.revision, "model"), pipe.scheduler)
    loaded.check(options)  # before any memory option acts on a family that lacks it
    if options.attention_slicing:
        pipe.enable_attention_slicing()
    if options.vae_tiling:
        pipe.vae.enable_tiling()
        if hasattr(pipe.vae, "enable_slicing"):
            pipe.vae.enable_slicing()
    _place(pipe, options, device)
    speed_up(pipe, channels_last=options.channels_last, fuse_qkv=options.fuse_qkv,
             compile_mode=options.compile_mode if options.compile else None, denoiser=family.denoiser)
    return loaded


def _guidance(options: DiffusersOptions, family: Family) -> float:
    return family.default_guidance if options.guidance is None else options.guidance


def guidance_inputs(family: Family, guidance: float, true_cfg: float | None, negative: Any) -> dict[str, Any]:
    """The pipeline arguments for the family's kind of guidance (see `Family`)."""
    if family.guidance == "cfg":
        return {"guidance_scale": guidance, "negative_prompt": negative}
    if family.guidance == "true_cfg":  # Qwen-Image: no guidance embedding; the negative pass is the guidance
        return {"true_cfg_scale": guidance, "negative_prompt": negative}
    inputs: dict[str, Any] = {"guidance_scale": guidance}  # FLUX: an input of the distilled model
    if true_cfg is not None:
        inputs.update(true_cfg_scale=true_cfg, negative_prompt=negative)
    return inputs


def _place(pipe: Any, options: DiffusersOptions, device: str) -> None:
    """Move the pipeline to its device, or let accelerate's CPU offload move parts in and out."""
    pipe.set_progress_bar_config(disable=True)  # the campaign's bar counts images; a steps bar per image is noise
    if options.cpu_offload == "model":
        pipe.enable_model_cpu_offload(device=device)
    elif options.cpu_offload == "sequential":
        pipe.enable_sequential_cpu_offload(device=device)
    else:
        pipe.to(device)


def speed_up(pipe: Any, channels_last: bool = False, fuse_qkv: bool = False, compile_mode: str | None = None,
             denoiser: str = "unet") -> Any:
    """Speed options that keep the images the same (up to float rounding): the benchmark's case (b).

    Attention already runs through PyTorch SDPA (flash / memory-efficient kernels) and classifier-free
    guidance is already one batched UNet call per step in diffusers, so these are what is left:
    channels-last convolutions, fused q/k/v projections, and torch.compile of the denoiser (`denoiser`: the
    UNet, or the transformer of SD3, FLUX and Qwen-Image) and VAE decoder (a `compile_mode` of
    'max-autotune' or 'reduce-overhead' adds CUDA graphs).

        >>> speed_up(pipe, channels_last=True, fuse_qkv=True, compile_mode="max-autotune")
    """
    if fuse_qkv:
        if hasattr(pipe, "fuse_qkv_projections"):
            pipe.fuse_qkv_projections()
        else:  # pipelines without the helper (SD3, Qwen-Image): their transformer fuses its own
            getattr(pipe, denoiser).fuse_qkv_projections()
    if channels_last:
        getattr(pipe, denoiser).to(memory_format=torch.channels_last)
        pipe.vae.to(memory_format=torch.channels_last)
    if compile_mode:
        setattr(pipe, denoiser, torch.compile(getattr(pipe, denoiser), mode=compile_mode, fullgraph=True))
        pipe.vae.decode = torch.compile(pipe.vae.decode, mode=compile_mode, fullgraph=True)
    return pipe


def _from_pretrained(loader: Any, source: str, field: str, **kwargs: Any) -> Any:
    """`loader.from_pretrained(source)` with its failures turned into one clear ModelUnavailable."""
    path = Path(source).expanduser()
    if path.exists() or _looks_like_path(source):
        if not path.is_dir():
            raise ModelUnavailable(path, field, "model folder not found" if not path.exists() else
                                   "expected a diffusers folder, got a file (convert single-file checkpoints "
                                   "with diffusers' from_single_file and save_pretrained)")
        if not ((path / "model_index.json").is_file() or (path / "config.json").is_file()):
            raise ModelUnavailable(path, field, "not a diffusers folder: no model_index.json (pipeline) or "
                                   "config.json (ControlNet) in it")
        source = str(path)
    try:
        return loader.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if path.is_dir():
            raise ModelUnavailable(path, field, f"could not load the diffusers folder: {reason}") from None
        raise ModelUnavailable(source, field, (
            "could not get this model from the Hugging Face hub and it is not in the local cache "
            f"(offline, wrong id or revision, or a gated model needing a login): {reason}")) from None


def _looks_like_path(source: str) -> bool:
    """Hub ids are 'name' or 'owner/name'; anything else is meant as a folder."""
    return source.startswith((".", "/", "~")) or "\\" in source or source.count("/") > 1


def model_identity(source: str, revision: str | None, role: str) -> dict[str, str]:
    """What to record so the model can be found again: a local folder's hash, or the hub commit."""
    path = Path(source).expanduser()
    if path.is_dir():
        return {f"{role}_path": str(path.resolve()), f"{role}_hash": folder_hash(path)}
    identity = {f"{role}_id": source, f"{role}_revision": revision or "main"}
    try:
        from huggingface_hub import try_to_load_from_cache  # reads the local cache only, never the network

        cached = try_to_load_from_cache(source, "model_index.json" if role == "model" else "config.json",
                                        revision=revision)
        if isinstance(cached, str):
            identity[f"{role}_commit"] = Path(cached).parent.name  # .../snapshots/<commit>/model_index.json
    except Exception:  # the commit is a nice-to-have; the id and revision are already recorded
        pass
    return identity


def folder_hash(folder: Path) -> str:
    """A quick fingerprint of a model folder: every config's bytes and every file's name and size.

    Hashing gigabytes of weights would take longer than a generation; a changed weight file changes
    its size or the folder is re-saved with new configs in practice.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        digest.update(f"{relative}\0{path.stat().st_size}\0".encode())
        if path.suffix in (".json", ".txt"):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def pick_device(requested: str = "auto") -> str:
    """'auto' gives cuda, then Apple mps, then cpu; anything else is used as given (e.g. 'cuda:1')."""
    if requested != "auto":
        return requested
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(requested: str, device: str) -> torch.dtype:
    """'auto' gives float16 on GPUs (half the memory, tensor cores) and float32 on the CPU."""
    if requested != "auto":
        return DTYPES[requested]
    return torch.float32 if device == "cpu" else torch.float16


def _free_memory() -> None:
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


# ----------------------------------------------------------------------------------------------------
# Images from the previz float


def plate_canvas(width: int, height: int, long_side: int, multiple: int = 8) -> tuple[int, int]:
    """A plate's generation size: the plate's shape with its long side `long_side`, each side a multiple of
    `multiple` (8 for UNets; 16 for the transformers, which take 2x2 patches of latents).

        >>> plate_canvas(1920, 1080, 768)
        (768, 432)
    """
    scale = long_side / max(width, height)
    return (max(multiple, round(width * scale / multiple) * multiple),
            max(multiple, round(height * scale / multiple) * multiple))


def init_image(previz: Image.Image) -> Image.Image:
    """The img2img start: the previz float on a neutral grey backdrop, as RGB."""
    canvas = Image.new("RGBA", previz.size, INIT_BACKDROP + (255,))
    canvas.alpha_composite(previz.convert("RGBA"))
    return canvas.convert("RGB")


def control_image(previz: Image.Image, kind: str) -> Image.Image:
    """The ControlNet image from the previz float: white lines (or silhouette) on black, RGB.

    canny: thin Canny edges; scribble: the same edges drawn thick, as a quick sketch would be;
    lineart: softer edges that keep fine detail; mask: the float's filled silhouette.
    """
    alpha = np.asarray(previz.getchannel("A"))
    if kind == "mask":
        lines = np.where(alpha >= 128, 255, 0).astype(np.uint8)
    else:
        grey = np.asarray(init_image(previz).convert("L"))
        side = min(previz.size)
        if kind == "canny":
            lines = cv2.Canny(grey, 100, 200)
        elif kind == "scribble":
            thickness = max(3, side // 128)
            lines = cv2.dilate(cv2.Canny(cv2.GaussianBlur(grey, (5, 5), 0), 60, 160),
                               cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thickness, thickness)))
        elif kind == "lineart":
            lines = cv2.GaussianBlur(cv2.Canny(grey, 40, 120), (3, 3), 0)
            lines = np.clip(lines.astype(np.float32) * 2.0, 0, 255).astype(np.uint8)
        else:
            raise ValueError(f"unknown control image kind {kind!r}")
    return Image.fromarray(lines).convert("RGB")
