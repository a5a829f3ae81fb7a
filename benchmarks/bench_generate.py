"""Images per second of a full-size Stable Diffusion 1.5: plain diffusers vs the diffusers backend's speed options.

The model is the SD 1.5 architecture (UNet with cross-attention dim 768, the SD VAE, a CLIP-L text
encoder) built from the configs below with random weights, so nothing is downloaded. Random weights
run exactly the same kernels as trained ones, so the speed is the real speed; the images are noise.

    (a) plain: the pipeline as a user would write it, fp16 on a GPU (fp32 on the CPU).
    (b) backend: the same pipeline and weights after `workbench.backends.diffusers.speed_up`
        (channels-last, fused q/k/v projections, torch.compile of UNet and VAE decoder with CUDA
        graphs). SDPA (flash attention) and batched classifier-free guidance are on in both:
        diffusers already does them by default. Both take one CPU torch.Generator per image, as the
        backend does, so they start from the same noise.

Both runs use the same seeds; the PSNR of (b) against (a) shows the speed-up costs no quality.

    python benchmarks/bench_generate.py                 # GPU: 512x512, 25 steps, batch 1 and 8
    python benchmarks/bench_generate.py --small         # CPU-sized: 256x256, 4 steps, batch 1 and 2
    python benchmarks/bench_generate.py --families      # GPU: SDXL and FLUX.1 at 1024x1024 (issue 18 rows)

The --families rows build full-size SDXL (UNet, VAE) and FLUX.1-dev (12B transformer, 16-channel VAE)
from the configs below with random weights, on the GPU, and give both pipelines random prompt
embeddings of the real shapes in place of their text encoders (CLIP-G/L, T5-XXL): the text encoders run
once per image and are left out of the comparison. (b) is `speed_up` as the backend applies it to each
family (SDXL: channels-last, fused q/k/v, compiled UNet and VAE decoder; FLUX: fused q/k/v, compiled
transformer and VAE decoder). Without a GPU they print "not run: no GPU" (FLUX at 1024x1024 on a CPU
takes hours).
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
from torch.utils.flop_counter import FlopCounterMode
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

from workbench.backends.diffusers import pick_device, speed_up

# Short enough for the byte-level test tokenizer (one token per character); timing is the same, CLIP pads to 77.
PROMPT = "a festive parade float, lotus flowers, jade green and gold"
NEGATIVE = "blurry, misspelled text, extra logos"

# SD 1.5 (runwayml/stable-diffusion-v1-5) configs, written out so nothing is downloaded.
UNET = dict(sample_size=64, in_channels=4, out_channels=4, layers_per_block=2, cross_attention_dim=768,
            block_out_channels=(320, 640, 1280, 1280), attention_head_dim=8, norm_num_groups=32,
            down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
            up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"))
VAE = dict(in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2, sample_size=512, norm_num_groups=32,
           block_out_channels=(128, 256, 512, 512), down_block_types=("DownEncoderBlock2D",) * 4,
           up_block_types=("UpDecoderBlock2D",) * 4)
CLIP_L = dict(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_attention_heads=12, num_hidden_layers=12,
              max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=768)
SCHEDULER = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", skip_prk_steps=True,
                 steps_offset=1, set_alpha_to_one=False)

# Dense fp16/bf16 tensor-core peaks in TFLOP/s, for the utilisation estimate (no sparsity).
PEAK_TFLOPS = {"H200": 989.4, "H100 80GB HBM3": 989.4, "H100 PCIe": 756.5, "H100": 989.4, "A100": 312.0, "L40S": 362.0,
               "L4": 121.0, "4090": 165.2}


def build_pipeline(dtype: torch.dtype, device: str) -> StableDiffusionPipeline:
    """Full-size SD 1.5 with random weights and a byte-level CLIP tokenizer (77 tokens), on `device`."""
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        tokenizer = _byte_tokenizer(Path(folder))
    text_encoder = CLIPTextModel(CLIPTextConfig(**CLIP_L, bos_token_id=tokenizer.bos_token_id,
                                                eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id))
    pipe = StableDiffusionPipeline(
        vae=AutoencoderKL(**VAE).to(device, dtype), text_encoder=text_encoder.to(device, dtype), tokenizer=tokenizer,
        unet=UNet2DConditionModel(**UNET).to(device, dtype), scheduler=PNDMScheduler(**SCHEDULER),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _byte_tokenizer(folder: Path) -> CLIPTokenizer:
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    extra = iter(range(256, 512))
    characters = [chr(b) if b in printable else chr(next(extra)) for b in range(256)]
    vocab = {token: index for index, token in enumerate(characters + [c + "</w>" for c in characters])}
    vocab |= {"<|startoftext|>": len(vocab), "<|endoftext|>": len(vocab) + 1}
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return CLIPTokenizer.from_pretrained(folder, model_max_length=77)


def run(pipe, batch: int, size: int, steps: int, seeds: list[int]) -> np.ndarray:
    """`batch` images at `size` as uint8 N x H x W x 3. Both cases take one CPU generator per image (the
    backend's way), so (a) and (b) start from the same noise and their PSNR measures only the speed-ups."""
    generator = [torch.Generator("cpu").manual_seed(seed) for seed in seeds]
    with torch.inference_mode():
        images = pipe([PROMPT] * batch, negative_prompt=[NEGATIVE] * batch, num_inference_steps=steps,
                      guidance_scale=7.5, height=size, width=size, generator=generator, output_type="np").images
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8)


def timed(pipe, batch: int, size: int, steps: int, repeats: int) -> tuple[float, np.ndarray]:
    """Images per second over `repeats` calls after one warm-up call (which also triggers compilation)."""
    seeds = list(range(1, batch + 1))
    run(pipe, batch, size, steps, seeds)
    _sync()
    started = time.perf_counter()
    for _ in range(repeats):
        images = run(pipe, batch, size, steps, seeds)
    _sync()
    return batch * repeats / (time.perf_counter() - started), images


def flops_per_image(pipe, size: int, steps: int) -> float:
    """FLOPs of one image: `steps` UNet calls on the guided pair, one VAE decode (text encoder is noise)."""
    latent = size // 8
    device, dtype = pipe.unet.device, pipe.unet.dtype
    sample = torch.zeros(2, 4, latent, latent, device=device, dtype=dtype)
    context = torch.zeros(2, 77, 768, device=device, dtype=dtype)
    with torch.inference_mode(), FlopCounterMode(display=False) as unet_counter:
        pipe.unet(sample, 10, encoder_hidden_states=context)
    with torch.inference_mode(), FlopCounterMode(display=False) as vae_counter:
        pipe.vae.decode(sample[:1])
    return steps * unet_counter.get_total_flops() + vae_counter.get_total_flops()


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def peak_tflops(device: str, given: float | None) -> float | None:
    if given or not device.startswith("cuda"):
        return given
    name = torch.cuda.get_device_name()
    return next((peak for key, peak in PEAK_TFLOPS.items() if key in name), None)


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


# SDXL base 1.0 and FLUX.1-dev configs, written out so nothing is downloaded.
SDXL_UNET = dict(sample_size=128, in_channels=4, out_channels=4, layers_per_block=2, block_out_channels=(320, 640, 1280),
                 down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                 up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
                 transformer_layers_per_block=(1, 2, 10), attention_head_dim=(5, 10, 20), cross_attention_dim=2048,
                 use_linear_projection=True, addition_embed_type="text_time", addition_time_embed_dim=256,
                 projection_class_embeddings_input_dim=2816, norm_num_groups=32)
SDXL_EMBEDS = {"text": (77, 2048), "pooled": 1280}
FLUX_TRANSFORMER = dict(patch_size=1, in_channels=64, num_layers=19, num_single_layers=38, attention_head_dim=128,
                        num_attention_heads=24, joint_attention_dim=4096, pooled_projection_dim=768,
                        guidance_embeds=True, axes_dims_rope=(16, 56, 56))
FLUX_VAE = dict(VAE, latent_channels=16, use_quant_conv=False, use_post_quant_conv=False, shift_factor=0.1159,
                scaling_factor=0.3611, sample_size=1024)
FLUX_EMBEDS = {"text": (512, 4096), "pooled": 768}
FLUX_SCHEDULER = dict(shift=3.0, use_dynamic_shifting=True, base_shift=0.5, max_shift=1.15, base_image_seq_len=256,
                      max_image_seq_len=4096)


def build_family(family: str, dtype: torch.dtype, device: str):
    """Full-size SDXL or FLUX.1 with random weights and no text encoders (prompt embeddings are given)."""
    from diffusers import (EulerDiscreteScheduler, FlowMatchEulerDiscreteScheduler, FluxPipeline,
                           FluxTransformer2DModel, StableDiffusionXLPipeline)

    torch.manual_seed(0)
    with torch.device(device):  # initialise on the GPU: a 12B transformer's random init takes minutes on a CPU
        if family == "sdxl":
            pipe = StableDiffusionXLPipeline(
                vae=AutoencoderKL(**dict(VAE, sample_size=1024), scaling_factor=0.13025).to(dtype),
                unet=UNet2DConditionModel(**SDXL_UNET).to(dtype), text_encoder=None, text_encoder_2=None,
                tokenizer=None, tokenizer_2=None, scheduler=EulerDiscreteScheduler(**{
                    k: v for k, v in SCHEDULER.items() if k not in ("skip_prk_steps", "set_alpha_to_one")}))
        else:
            pipe = FluxPipeline(transformer=FluxTransformer2DModel(**FLUX_TRANSFORMER).to(dtype),
                                vae=AutoencoderKL(**FLUX_VAE).to(dtype), text_encoder=None, tokenizer=None,
                                text_encoder_2=None, tokenizer_2=None,
                                scheduler=FlowMatchEulerDiscreteScheduler(**FLUX_SCHEDULER))
    pipe.set_progress_bar_config(disable=True)
    return pipe


def family_embeddings(family: str, batch: int, dtype: torch.dtype, device: str) -> dict:
    shapes = SDXL_EMBEDS if family == "sdxl" else FLUX_EMBEDS
    generator = torch.Generator("cpu").manual_seed(7)
    embed = lambda *shape: torch.randn(batch, *shape, generator=generator).to(device, dtype)  # noqa: E731
    inputs = {"prompt_embeds": embed(*shapes["text"]), "pooled_prompt_embeds": embed(shapes["pooled"])}
    if family == "sdxl":  # classic CFG: the negative embeddings go in the same batched UNet call
        inputs.update(negative_prompt_embeds=embed(*shapes["text"]), negative_pooled_prompt_embeds=embed(shapes["pooled"]))
    return inputs


def family_rows(device: str, size: int, steps: int, batches: list[int], repeats: int, compile_mode: str | None,
                families=("sdxl", "flux")) -> None:
    """The SDXL and FLUX.1 rows: plain diffusers vs the backend's speed options, side by side in one run."""
    if not device.startswith("cuda"):
        for family in families:
            print(f"{family} {size}x{size}: not run: no GPU")
        return
    for family in families:
        dtype = torch.float16 if family == "sdxl" else torch.bfloat16
        pipe = build_family(family, dtype, device)
        guidance = 7.0 if family == "sdxl" else 3.5

        def call(batch: int) -> np.ndarray:
            generator = [torch.Generator("cpu").manual_seed(seed) for seed in range(1, batch + 1)]
            with torch.inference_mode():
                images = pipe(**family_embeddings(family, batch, dtype, device), num_inference_steps=steps,
                              guidance_scale=guidance, height=size, width=size, generator=generator,
                              output_type="np").images
            return (np.clip(images, 0, 1) * 255).round().astype(np.uint8)

        def rate(batch: int) -> tuple[float, np.ndarray]:
            call(batch)  # warm-up (and compilation in (b))
            _sync()
            started = time.perf_counter()
            for _ in range(repeats):
                images = call(batch)
            _sync()
            return batch * repeats / (time.perf_counter() - started), images

        plain = {batch: rate(batch) for batch in batches}
        denoiser = "unet" if family == "sdxl" else "transformer"
        speed_up(pipe, channels_last=family == "sdxl", fuse_qkv=True, compile_mode=compile_mode, denoiser=denoiser)
        print(f"{family} {size}x{size}, {steps} steps, {str(dtype).removeprefix('torch.')}; (b) channels_last="
              f"{family == 'sdxl'}, fuse_qkv, compile={compile_mode or 'off'}")
        print(f"{'batch':>5} {'(a) plain img/s':>16} {'(b) backend img/s':>18} {'ratio':>6} {'PSNR dB':>8}")
        for batch in batches:
            plain_rate, plain_images = plain[batch]
            fast_rate, fast_images = rate(batch)
            print(f"{batch:>5} {plain_rate:>16.3f} {fast_rate:>18.3f} {fast_rate / plain_rate:>6.2f} "
                  f"{psnr(plain_images, fast_images):>8.1f}")
        del pipe
        torch.cuda.empty_cache()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="CPU-sized run: 256x256, 4 steps, batch 1 and 2")
    parser.add_argument("--size", type=int)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--batches", type=int, nargs="+")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per case (after one warm-up)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None,
                        help="torch.compile in (b); default on for CUDA, off on the CPU (compiling takes minutes there)")
    parser.add_argument("--compile-mode", default="max-autotune", help="max-autotune adds CUDA graphs")
    parser.add_argument("--peak-tflops", type=float, help="the device's dense fp16 peak, if not in the table")
    parser.add_argument("--families", action="store_true", help="the SDXL and FLUX.1 1024x1024 rows (GPU only)")
    args = parser.parse_args()
    if args.families:
        device = pick_device(args.device)
        compile_mode = args.compile_mode if (device.startswith("cuda") if args.compile is None else args.compile) else None
        family_rows(device, args.size or 1024, args.steps or 28, args.batches or [1, 4], args.repeats or 2,
                    compile_mode)
        return

    device = pick_device(args.device)
    size = args.size or (256 if args.small else 512)
    steps = args.steps or (4 if args.small else 25)
    batches = args.batches or ([1, 2] if args.small else [1, 8])
    repeats = args.repeats or (1 if args.small else 3)
    dtype = torch.float32 if device == "cpu" else torch.float16
    compile_mode = args.compile_mode if (device.startswith("cuda") if args.compile is None else args.compile) else None
    name = torch.cuda.get_device_name() if device.startswith("cuda") else f"CPU ({torch.get_num_threads()} threads)"
    print(f"device: {name}; {size}x{size}, {steps} steps, dtype {str(dtype).removeprefix('torch.')}, "
          f"torch {torch.__version__}")

    pipe = build_pipeline(dtype, device)
    flops = flops_per_image(pipe, size, steps)
    peak = peak_tflops(device, args.peak_tflops)
    plain = {batch: timed(pipe, batch, size, steps, repeats) for batch in batches}
    speed_up(pipe, channels_last=True, fuse_qkv=True, compile_mode=compile_mode)
    print(f"(b) speed options: channels_last, fuse_qkv, compile={compile_mode or 'off'}; SDPA and batched CFG in both")
    print(f"{'batch':>5} {'(a) plain img/s':>16} {'(b) backend img/s':>18} {'ratio':>6} {'PSNR dB':>8} "
          f"{'(b) TFLOP/s':>11} {'of peak':>8}")
    for batch in batches:
        plain_rate, plain_images = plain[batch]
        fast_rate, fast_images = timed(pipe, batch, size, steps, repeats)
        achieved = fast_rate * flops / 1e12
        share = f"{achieved / peak:.0%}" if peak else "n/a"
        print(f"{batch:>5} {plain_rate:>16.3f} {fast_rate:>18.3f} {fast_rate / plain_rate:>6.2f} "
              f"{psnr(plain_images, fast_images):>8.1f} {achieved:>11.2f} {share:>8}")
    print(f"model FLOPs per image: {flops / 1e12:.2f} TFLOP (UNet x {steps} steps with guidance, VAE decode)")


if __name__ == "__main__":
    main()
