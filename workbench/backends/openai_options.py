"""The OpenAI backend's options and its cost estimate: plain data, no `openai` import.

A campaign load checks the options with `ImageOptions`; the CLI and the 02_generate notebook price a
batch with `estimate_cost` before anything is asked of the service.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_MODEL = "gpt-image-1"
# Sizes each model accepts (besides "auto"); the nearest in aspect to the campaign's is used.
MODEL_SIZES: dict[str, tuple[str, ...]] = {
    "gpt-image-1": ("1024x1024", "1536x1024", "1024x1536"),
    "gpt-image-1-mini": ("1024x1024", "1536x1024", "1024x1536"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
    "dall-e-2": ("1024x1024", "512x512", "256x256"),
}
# Only the gpt-image models draw transparent backgrounds and take a `background` setting.
MODELS_WITH_BACKGROUND = ("gpt-image-1", "gpt-image-1-mini")

# US dollars per image, by (model, quality, size): an ESTIMATE from OpenAI's published per-image prices
# (mid 2025). Check https://openai.com/api/pricing before trusting it with a budget. "auto" quality is
# priced as the highest, so the estimate errs high.
PRICE_TABLE_USD: dict[tuple[str, str, str], float] = {
    **{("gpt-image-1", q, s): p for q, prices in {
        "low": (0.011, 0.016), "medium": (0.042, 0.063), "high": (0.167, 0.25)}.items()
       for s, p in zip(("1024x1024", "1536x1024"), prices)},
    **{("gpt-image-1", q, "1024x1536"): p for q, p in {"low": 0.016, "medium": 0.063, "high": 0.25}.items()},
    **{("gpt-image-1-mini", q, s): p for q, prices in {
        "low": (0.005, 0.006), "medium": (0.011, 0.015), "high": (0.036, 0.052)}.items()
       for s, p in zip(("1024x1024", "1536x1024"), prices)},
    **{("gpt-image-1-mini", q, "1024x1536"): p for q, p in {"low": 0.006, "medium": 0.015, "high": 0.052}.items()},
    ("dall-e-3", "standard", "1024x1024"): 0.04, ("dall-e-3", "standard", "1792x1024"): 0.08,
    ("dall-e-3", "standard", "1024x1792"): 0.08, ("dall-e-3", "hd", "1024x1024"): 0.08,
    ("dall-e-3", "hd", "1792x1024"): 0.12, ("dall-e-3", "hd", "1024x1792"): 0.12,
    ("dall-e-2", "standard", "1024x1024"): 0.02, ("dall-e-2", "standard", "512x512"): 0.018,
    ("dall-e-2", "standard", "256x256"): 0.016,
}
QUALITY_FOR_PRICE = {"auto": "high", "hd": "hd", "standard": "standard"}


class ImageOptions(BaseModel):
    """The campaign's `generation.options` for this backend, plus the campaign's `width` and `height`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    width: int = 1024
    height: int = 1024
    model: str = DEFAULT_MODEL
    mode: Literal["edit", "text"] = "edit"
    # "auto" is not offered: the reference float and the finishing layout need the size up front.
    size: str | None = Field(None, pattern=r"^\d{2,4}x\d{2,4}$",
                             description="e.g. '1536x1024'; default: the model's size nearest in aspect")
    quality: Literal["low", "medium", "high", "auto", "standard", "hd"] | None = None
    background: Literal["transparent", "opaque", "auto"] | None = "transparent"
    input_fidelity: Literal["low", "high"] | None = None
    finish: bool = True  # cut out and put the exact logo and name back; off only to inspect raw output
    timeout: float = Field(180.0, gt=0, description="seconds per request")
    max_retries: int = Field(3, ge=0, le=10)

    @property
    def price_quality(self) -> str:
        default = "medium" if self.model in MODELS_WITH_BACKGROUND else "standard"
        quality = self.quality or default
        return QUALITY_FOR_PRICE.get(quality, quality)

    @property
    def api_size(self) -> str:
        """The size asked of the service: the option, or the model's size nearest the campaign's aspect."""
        if self.size:
            return self.size
        sizes = MODEL_SIZES.get(self.model, MODEL_SIZES[DEFAULT_MODEL])
        aspect = math.log(self.width / self.height)
        return min(sizes, key=lambda s: abs(math.log(pixels(s)[0] / pixels(s)[1]) - aspect))


@dataclass(frozen=True)
class CostEstimate:
    images: int
    usd_per_image: float | None  # None: no price known for this model, quality and size
    model: str
    quality: str
    size: str

    @property
    def usd(self) -> float | None:
        return None if self.usd_per_image is None else self.images * self.usd_per_image

    def __str__(self) -> str:
        what = f"{self.images} image(s) with {self.model}, {self.quality} quality, {self.size}"
        if self.usd is None:
            return f"{what}: no price known (see https://openai.com/api/pricing)"
        return f"{what}: about ${self.usd:.2f} (estimate, ${self.usd_per_image:.3f} each; check current prices)"


def estimate_cost(settings: dict[str, Any], images: int) -> CostEstimate:
    """What `images` images with these campaign settings (width, height and options) would cost."""
    options = ImageOptions.model_validate(settings)
    price = PRICE_TABLE_USD.get((options.model, options.price_quality, options.api_size))
    return CostEstimate(images, price, options.model, options.price_quality, options.api_size)


def pixels(size: str) -> tuple[int, int]:
    """'1536x1024' -> (1536, 1024)."""
    width, height = size.lower().split("x")
    return int(width), int(height)
