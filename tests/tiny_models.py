"""Tiny random-weight diffusers pipelines of each model family, written to disk the way real ones are.

Everything is built here, offline: the tokenizers from character vocabularies (no hub download), the
models from small configs shaped like diffusers' own test suites'. `build(family, folder)` saves one
and returns its folder; the backend then loads it back as it would a real model.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

# The VAEs below shrink by 8, as the real ones do, so a 64-pixel image is an 8x8 latent: quick on a CPU.
FLOW_VAE = {"in_channels": 3, "out_channels": 3, "block_out_channels": (8, 8, 16, 16), "layers_per_block": 1,
            "latent_channels": 4, "norm_num_groups": 4, "down_block_types": ("DownEncoderBlock2D",) * 4,
            "up_block_types": ("UpDecoderBlock2D",) * 4}


def byte_characters() -> list[str]:
    """The 256 printable characters byte-level BPE uses for the 256 byte values (as in GPT-2, CLIP and Qwen)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    extra = iter(range(256, 512))
    return [chr(b) if b in printable else chr(next(extra)) for b in range(256)]


def clip_tokenizer(folder: Path):
    """A CLIP tokenizer from a byte-level vocabulary file and no merges: every character is a token."""
    from transformers import CLIPTokenizer

    characters = byte_characters()
    vocab = {token: index for index, token in enumerate(characters + [c + "</w>" for c in characters])}
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    return CLIPTokenizer.from_pretrained(folder, model_max_length=77)


def t5_tokenizer():
    """A T5 (unigram) tokenizer whose pieces are single characters."""
    from transformers import T5Tokenizer

    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -1.0)]
    pieces += [(chr(code), -2.0) for code in range(ord("!"), ord("~") + 1)]
    return T5Tokenizer(vocab=pieces, extra_ids=0)


def qwen_tokenizer():
    """A Qwen2 byte-level BPE tokenizer with no merges, and the chat and vision special tokens Qwen-Image uses."""
    from transformers import Qwen2Tokenizer

    vocab = {token: index for index, token in enumerate(byte_characters())}
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                "<|image_pad|>", "<|video_pad|>"]
    for token in specials:
        vocab[token] = len(vocab)
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=[])
    tokenizer.add_special_tokens({"additional_special_tokens": specials[1:]})
    return tokenizer


def _clip_config(tokenizer, **extra):
    from transformers import CLIPTextConfig

    return CLIPTextConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_attention_heads=4,
                          num_hidden_layers=2, bos_token_id=tokenizer.bos_token_id,
                          eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                          max_position_embeddings=77, projection_dim=32, **extra)


def _t5(tokenizer):
    from transformers import T5Config, T5EncoderModel

    return T5EncoderModel(T5Config(vocab_size=len(tokenizer), d_model=32, d_ff=37, d_kv=8, num_heads=4,
                                   num_layers=2, pad_token_id=tokenizer.pad_token_id,
                                   eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=0))


def unet_blocks() -> dict:
    return {"block_out_channels": (8, 16), "layers_per_block": 1, "in_channels": 4, "cross_attention_dim": 32,
            "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D"), "norm_num_groups": 4,
            "attention_head_dim": 2}


def build_sd(folder: Path) -> Path:
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel

    torch.manual_seed(0)
    tokenizer = clip_tokenizer(folder.parent / f"{folder.name}-tokenizer")
    unet = UNet2DConditionModel(sample_size=32, out_channels=4, up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
                                **unet_blocks())
    vae = AutoencoderKL(block_out_channels=(8, 16), in_channels=3, out_channels=3, latent_channels=4, norm_num_groups=4,
                        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2)
    text_encoder = CLIPTextModel(_clip_config(tokenizer))
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       steps_offset=1)
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.save_pretrained(folder)
    return folder


def build_controlnet(folder: Path) -> Path:
    from diffusers import ControlNetModel

    torch.manual_seed(1)
    controlnet = ControlNetModel(conditioning_embedding_out_channels=(16, 32), **unet_blocks())
    _wake_zero_layers(controlnet)
    controlnet.save_pretrained(folder)
    return folder


def _wake_zero_layers(model) -> None:
    """A fresh ControlNet's "zero" layers make it change nothing; give them weights so the tests can see that
    the control image really steers the denoiser."""
    with torch.no_grad():
        for parameter in model.parameters():
            if not parameter.any():
                parameter.normal_(0, 0.3)


def build_sd3(folder: Path) -> Path:
    from diffusers import (AutoencoderKL, FlowMatchEulerDiscreteScheduler, SD3Transformer2DModel,
                           StableDiffusion3Pipeline)
    from transformers import CLIPTextModelWithProjection

    torch.manual_seed(0)
    tokenizer = clip_tokenizer(folder.parent / f"{folder.name}-tokenizer")
    t5_tok = t5_tokenizer()
    transformer = SD3Transformer2DModel(sample_size=32, patch_size=1, in_channels=4, num_layers=1,
                                        attention_head_dim=8, num_attention_heads=4, caption_projection_dim=32,
                                        joint_attention_dim=32, pooled_projection_dim=64, out_channels=4)
    pipe = StableDiffusion3Pipeline(
        transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0),
        vae=_flow_vae(), text_encoder=CLIPTextModelWithProjection(_clip_config(tokenizer)), tokenizer=tokenizer,
        text_encoder_2=CLIPTextModelWithProjection(_clip_config(tokenizer)), tokenizer_2=tokenizer,
        text_encoder_3=_t5(t5_tok), tokenizer_3=t5_tok)
    pipe.save_pretrained(folder)
    return folder


def build_sd3_controlnet(folder: Path) -> Path:
    from diffusers import SD3ControlNetModel

    torch.manual_seed(1)
    controlnet = SD3ControlNetModel(sample_size=32, patch_size=1, in_channels=4, num_layers=1, attention_head_dim=8,
                                    num_attention_heads=4, caption_projection_dim=32, joint_attention_dim=32,
                                    pooled_projection_dim=64, out_channels=4)
    _wake_zero_layers(controlnet)
    controlnet.save_pretrained(folder)
    return folder


def _flow_vae():
    from diffusers import AutoencoderKL

    return AutoencoderKL(**FLOW_VAE, use_quant_conv=False, use_post_quant_conv=False, shift_factor=0.0609,
                         scaling_factor=1.5035)


def _flux_components(folder: Path) -> dict:
    from diffusers import FlowMatchEulerDiscreteScheduler, FluxTransformer2DModel
    from transformers import CLIPTextModel

    torch.manual_seed(0)
    tokenizer = clip_tokenizer(folder.parent / f"{folder.name}-tokenizer")
    t5_tok = t5_tokenizer()
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=16, num_layers=1, num_single_layers=1,
                                         attention_head_dim=16, num_attention_heads=2, joint_attention_dim=32,
                                         pooled_projection_dim=32, axes_dims_rope=[4, 4, 8], guidance_embeds=True)
    return {"scheduler": FlowMatchEulerDiscreteScheduler(), "vae": _flow_vae(),
            "text_encoder": CLIPTextModel(_clip_config(tokenizer)), "tokenizer": tokenizer,
            "text_encoder_2": _t5(t5_tok), "tokenizer_2": t5_tok, "transformer": transformer,
            "image_encoder": None, "feature_extractor": None}


def build_flux(folder: Path) -> Path:
    from diffusers import FluxPipeline

    FluxPipeline(**_flux_components(folder)).save_pretrained(folder)
    return folder


def build_flux_kontext(folder: Path) -> Path:
    from diffusers import FluxKontextPipeline

    FluxKontextPipeline(**_flux_components(folder)).save_pretrained(folder)
    return folder


def build_flux_controlnet(folder: Path) -> Path:
    from diffusers import FluxControlNetModel

    torch.manual_seed(1)
    controlnet = FluxControlNetModel(patch_size=1, in_channels=16, num_layers=1, num_single_layers=1,
                                     attention_head_dim=16, num_attention_heads=2, joint_attention_dim=32,
                                     pooled_projection_dim=32, axes_dims_rope=[4, 4, 8], guidance_embeds=True)
    _wake_zero_layers(controlnet)
    controlnet.save_pretrained(folder)
    return folder


def _qwen_components() -> dict:
    from diffusers import AutoencoderKLQwenImage, FlowMatchEulerDiscreteScheduler, QwenImageTransformer2DModel
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    tokenizer = qwen_tokenizer()
    torch.manual_seed(0)
    transformer = QwenImageTransformer2DModel(patch_size=2, in_channels=16, out_channels=4, num_layers=1,
                                              attention_head_dim=16, num_attention_heads=3, joint_attention_dim=16,
                                              guidance_embeds=False, axes_dims_rope=(8, 4, 4))
    vae = AutoencoderKLQwenImage(base_dim=24, z_dim=4, dim_mult=[1, 2, 4], num_res_blocks=1,
                                 temperal_downsample=[False, True], latents_mean=[0.0] * 4, latents_std=[1.0] * 4)
    ids = tokenizer.convert_tokens_to_ids
    config = Qwen2_5_VLConfig(
        text_config={"hidden_size": 16, "intermediate_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
                     "num_key_value_heads": 2, "vocab_size": len(tokenizer),
                     "rope_scaling": {"mrope_section": [1, 1, 2], "rope_type": "default", "type": "default"},
                     "rope_theta": 1000000.0},
        vision_config={"depth": 2, "hidden_size": 16, "intermediate_size": 16, "num_heads": 2, "out_hidden_size": 16},
        hidden_size=16, vocab_size=len(tokenizer), vision_start_token_id=ids("<|vision_start|>"),
        vision_end_token_id=ids("<|vision_end|>"), image_token_id=ids("<|image_pad|>"),
        video_token_id=ids("<|video_pad|>"))
    return {"transformer": transformer, "vae": vae, "scheduler": FlowMatchEulerDiscreteScheduler(),
            "text_encoder": Qwen2_5_VLForConditionalGeneration(config).eval(), "tokenizer": tokenizer}


def build_qwenimage(folder: Path) -> Path:
    from diffusers import QwenImagePipeline

    QwenImagePipeline(**_qwen_components()).save_pretrained(folder)
    return folder


def build_qwenimage_edit(folder: Path) -> Path:
    from diffusers import QwenImageEditPlusPipeline
    from transformers import Qwen2VLImageProcessor, Qwen2VLProcessor

    components = _qwen_components()
    processor = Qwen2VLProcessor(image_processor=Qwen2VLImageProcessor(), tokenizer=components["tokenizer"],
                                 chat_template="{% for m in messages %}{{ m['content'] }}{% endfor %}")
    QwenImageEditPlusPipeline(**components, processor=processor).save_pretrained(folder)
    return folder


BUILDERS = {"sd": build_sd, "controlnet": build_controlnet, "sd3": build_sd3, "sd3-controlnet": build_sd3_controlnet,
            "flux": build_flux, "flux-kontext": build_flux_kontext, "flux-controlnet": build_flux_controlnet,
            "qwenimage": build_qwenimage, "qwenimage-edit": build_qwenimage_edit}


def build(name: str, root: Path) -> Path:
    """The tiny model `name` saved under `root` (built once per folder)."""
    folder = root / name
    if not folder.is_dir():
        BUILDERS[name](folder)
    return folder


def write_lora(model_folder: Path, save_directory: Path, weight_name: str, seed: int = 2) -> Path:
    """A random LoRA for a tiny SD or FLUX model, saved as diffusers' save_lora_weights writes one (what
    `load_lora_weights` reads), at `save_directory / weight_name`."""
    from diffusers import FluxPipeline, FluxTransformer2DModel, StableDiffusionPipeline, UNet2DConditionModel
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    flux = (model_folder / "transformer").is_dir()
    denoiser = (FluxTransformer2DModel if flux else UNet2DConditionModel).from_pretrained(
        model_folder / ("transformer" if flux else "unet"))
    torch.manual_seed(seed)
    denoiser.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights=False,
                                    target_modules=["to_q", "to_k", "to_v", "to_out.0"]))
    with torch.no_grad():  # big enough to change what a 2-step tiny model draws
        for name, parameter in denoiser.named_parameters():
            if "lora_" in name:
                parameter.normal_(0, 0.5)
    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(denoiser))
    if flux:
        FluxPipeline.save_lora_weights(save_directory, transformer_lora_layers=layers, weight_name=weight_name)
    else:
        StableDiffusionPipeline.save_lora_weights(save_directory, unet_lora_layers=layers, weight_name=weight_name)
    return save_directory / weight_name
