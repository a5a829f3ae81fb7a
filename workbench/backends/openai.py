"""The OpenAI image backend: gpt-image / DALL-E floats through the official `openai` client.

Two modes, set by the campaign's `generation.options.mode`:

- "edit" (default): the previz float of the same kit, seed and size is the reference image, and its
  silhouette is the mask of where the model may draw, so the float keeps the previz shape and layout.
- "text": text-to-image from the prompt alone.

Either way the raw image is then finished as every AI backend's is (`workbench.finishing.finish`):
cut out with the previz float as the guide, and the exact logo and display-name banner put back at
the previz layout. The raw image is kept beside the concept as `<id>.raw.png`, since it was paid for.

    # campaign YAML
    generation:
      backend: openai
      width: 768
      height: 768
      options: {model: gpt-image-1, quality: medium, background: transparent, mode: edit}

Failures, and what the batch (`generate_campaign`) does with them:

- no key: `BackendUnusable` before any request; the batch stops.
- 401 / 403 (key rejected, model not allowed): `BackendUnusable`, never retried; the batch stops and
  this backend makes no further request.
- 429 and 5xx, timeouts and dropped connections: retried by the client with exponential backoff
  (it honours the server's retry-after), at most `max_retries` times; then this concept fails and
  the batch goes on. A 429 for an exhausted quota stops the batch.
- a content-policy refusal: `ConceptRefused`; the concept is recorded as refused with the reason.
- a malformed response: `MalformedResponse` naming what was wrong; this concept fails.

No message, setting or log line carries the API key: every string the service sends back (error
messages, refusal reasons, the revised prompt) goes through `workbench.settings.redact` first.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import logging
import math
from dataclasses import dataclass
from typing import Any, Callable, Literal

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.backends import Backend, BackendUnusable, Concept, ConceptRefused
from workbench.kits import BrandKit
from workbench.prompts import Prompt
from workbench.settings import MissingKey, OpenAISettings, load_openai_settings, redact

log = logging.getLogger(__name__)

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
# The codes OpenAI gives a prompt its safety system declined.
REFUSAL_CODES = ("content_policy_violation", "moderation_blocked")

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
LARGE_BATCH_USD = 5.0  # above this, the CLI asks before starting


class MalformedResponse(RuntimeError):
    """The service answered, but not with what was asked for (no image, not base64, not a picture)."""


class BadOptions(BackendUnusable, ValueError):
    """The campaign's generation.options do not fit this backend: the same for every job, so the batch stops."""


class OpenAIFailed(RuntimeError):
    """A request that failed for good after the client's retries (rate limit, server error, timeout)."""


class ImageOptions(BaseModel):
    """The campaign's `generation.options` for this backend (width and height come from the campaign)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
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

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> "ImageOptions":
        options = {k: v for k, v in settings.items() if k not in ("width", "height")}
        try:
            return cls.model_validate(options)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadOptions(f"generation.options.{where}: {first['msg']}") from None

    @property
    def price_quality(self) -> str:
        default = "medium" if self.model in MODELS_WITH_BACKGROUND else "standard"
        quality = self.quality or default
        return QUALITY_FOR_PRICE.get(quality, quality)

    def api_size(self, width: int, height: int) -> str:
        if self.size:
            return self.size
        sizes = MODEL_SIZES.get(self.model, MODEL_SIZES[DEFAULT_MODEL])
        return min(sizes, key=lambda s: abs(math.log(_pixels(s)[0] / _pixels(s)[1]) - math.log(width / height)))


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
    """What `images` images with these campaign settings would cost, from PRICE_TABLE_USD."""
    options = ImageOptions.from_settings(settings)
    size = options.api_size(int(settings.get("width", 1024)), int(settings.get("height", 1024)))
    price = PRICE_TABLE_USD.get((options.model, options.price_quality, size))
    return CostEstimate(images, price, options.model, options.price_quality, size)


def estimate_batch(campaign: Any, kits: list[BrandKit], catalog: Any) -> CostEstimate:
    """The estimate for what `generate_campaign` would still make for these kits (resumed batches count less)."""
    from workbench.generate import concept_id
    from workbench.prompts import build_prompt

    settings = campaign.generation.backend_settings()
    missing = 0
    for kit in kits:
        prompt = build_prompt(kit, campaign.prompt)
        for seed in campaign.generation.seeds:
            record = catalog.concept(concept_id(kit.slug, OpenAIBackend.name, prompt, seed, settings))
            missing += record is None or (record.status == "ok" and not catalog.image_path(record).is_file())
    return estimate_cost(settings, missing)


class OpenAIBackend:
    """Floats from OpenAI's image models, finished with the exact brand marks.

    Everything it uses can be passed in: `client` (an `openai.OpenAI`, e.g. pointed at a test server),
    `settings` (where the key comes from), `reference` (the backend drawing the reference float and
    layout; previz by default) and `finisher` (default `workbench.finishing.finish`).
    """

    name = "openai"

    def __init__(self, client: Any = None, settings: OpenAISettings | None = None,
                 reference: Backend | None = None, finisher: Callable[..., Image.Image] | None = None):
        self._client = client
        self._settings = settings
        self._reference = reference
        self._finisher = finisher
        self._unusable: str = ""  # set once the key is rejected: no further request is made

    # The client -----------------------------------------------------------------------------------

    def client(self) -> Any:
        """The OpenAI client, built on first use. Raises BackendUnusable (no request made) without a key."""
        if self._client is None:
            try:
                self._client = make_client(self._settings)
            except MissingKey as error:
                raise BackendUnusable(str(error)) from None
        return self._client

    def _secret(self) -> str | None:
        return getattr(self._client, "api_key", None)

    # Generation -----------------------------------------------------------------------------------

    def generate(self, kit: BrandKit, prompt: Prompt, seed: int, settings: dict[str, Any]) -> list[Concept]:
        if self._unusable:
            raise BackendUnusable(self._unusable)
        options = ImageOptions.from_settings(settings)
        width, height = int(settings.get("width", 1024)), int(settings.get("height", 1024))
        self.client()  # without a key, stop here: before drawing or asking anything
        size = options.api_size(width, height)
        previz = self._reference_float(kit, prompt, seed, width, height)
        text = _image_prompt(prompt, options.mode)
        request = _request_options(options, size)
        log.info("OpenAI %s: %s seed %s, %s %s", options.mode, kit.slug, seed, options.model, size)
        if options.mode == "edit":
            reference = previz.image.resize(_pixels(size), Image.LANCZOS)
            response = self._call(options, kit, lambda c: c.images.edit(
                image=("reference.png", _png_bytes(reference), "image/png"),
                mask=("mask.png", _png_bytes(edit_mask(reference)), "image/png"),
                prompt=text, **request))
        else:
            response = self._call(options, kit, lambda c: c.images.generate(prompt=text, **request))
        raw = _decode_image(response)
        # Back to the campaign's canvas. An edit keeps the reference's proportions, so a plain resize
        # puts every part back where the previz had it; a text image is cropped to fill instead.
        if options.mode == "edit":
            raw = raw.convert("RGBA").resize((width, height), Image.LANCZOS)
        else:
            raw = ImageOps.fit(raw.convert("RGBA"), (width, height), Image.LANCZOS)
        image = raw
        if options.finish:
            # An edit drew inside the previz silhouette, so that is the cut-out guide; a text image
            # put its float wherever it liked, so finishing finds it unguided.
            guide = previz.image if options.mode == "edit" else None
            finisher = self._finisher or _default_finisher()
            image = finisher(raw, kit, previz.layout, mask=guide, banner_style=previz.settings.get("banner", "ribbon"))
        used = {
            "width": width, "height": height, "model": options.model, "mode": options.mode, "size": size,
            **{k: v for k, v in request.items() if k in ("quality", "background", "input_fidelity")},
            "finished": options.finish, "reference": {"backend": "previz", **previz.settings},
        }
        revised = redact(_revised_prompt(response), self._secret())  # a server may echo the key in a 200 too
        if revised:
            used["revised_prompt"] = revised
        return [Concept(image=image, model=options.model, settings=used, layout=previz.layout,
                        extra_images={"raw": raw})]

    def _reference_float(self, kit: BrandKit, prompt: Prompt, seed: int, width: int, height: int) -> Concept:
        if self._reference is None:
            from workbench.backends.previz import PrevizBackend

            self._reference = PrevizBackend()
        [previz] = self._reference.generate(kit, prompt, seed, {"width": width, "height": height})
        return previz

    def _call(self, options: ImageOptions, kit: BrandKit, request: Callable[[Any], Any]) -> Any:
        """One API call with the client's retries; every failure becomes one of our clear errors."""
        import openai

        client = self.client().with_options(max_retries=options.max_retries, timeout=options.timeout)
        secret = self._secret()
        try:
            return request(client)
        except openai.AuthenticationError as error:
            self._unusable = redact(
                f"OpenAI rejected the API key (401): check OPENAI_API_KEY or your settings file "
                f"({_error_code(error) or 'invalid key'})", secret)
            raise BackendUnusable(self._unusable) from None
        except openai.PermissionDeniedError as error:
            self._unusable = redact(f"OpenAI refused access (403): {_error_message(error)}", secret)
            raise BackendUnusable(self._unusable) from None
        except openai.BadRequestError as error:
            if _error_code(error) in REFUSAL_CODES:
                reason = redact(_error_message(error), secret)
                log.warning("OpenAI declined the prompt for %s: %s", kit.slug, reason)
                raise ConceptRefused(reason, model=options.model) from None
            raise ValueError(redact(f"OpenAI rejected the request (400): {_error_message(error)}", secret)) from None
        except openai.RateLimitError as error:
            if _error_code(error) == "insufficient_quota":
                self._unusable = "OpenAI says the account's quota is used up (429 insufficient_quota)"
                raise BackendUnusable(self._unusable) from None
            raise OpenAIFailed(f"still rate-limited (429) after {options.max_retries} retries") from None
        except openai.APITimeoutError:
            raise OpenAIFailed(
                f"no answer within {options.timeout:g}s, {options.max_retries} retries; "
                "raise generation.options.timeout for slow models") from None
        except openai.APIConnectionError as error:
            raise OpenAIFailed(redact(f"could not reach OpenAI after {options.max_retries} retries: "
                                      f"{type(error.__cause__ or error).__name__}", secret)) from None
        except openai.InternalServerError as error:
            raise OpenAIFailed(f"OpenAI server error ({error.status_code}) after {options.max_retries} retries") from None
        except openai.APIResponseValidationError as error:
            raise MalformedResponse(redact(f"OpenAI's answer did not have the expected shape: {error.message}",
                                           secret)) from None
        except json.JSONDecodeError:  # the client parses the body as JSON on a 200 and lets this through
            raise MalformedResponse("OpenAI's answer did not have the expected shape: not JSON") from None
        except openai.APIStatusError as error:
            raise OpenAIFailed(redact(f"OpenAI error {error.status_code}: {_error_message(error)}", secret)) from None


# --------------------------------------------------------------------------------------------------
# Helpers


def make_client(settings: OpenAISettings | None = None) -> Any:
    """An `openai.OpenAI` client from the personal settings; raises MissingKey before any request."""
    import openai

    settings = settings or load_openai_settings()
    return openai.OpenAI(api_key=settings.key(), base_url=settings.base_url, organization=settings.organization)


def _default_finisher() -> Callable[..., Image.Image]:
    from workbench.finishing import finish

    return finish


def _pixels(size: str) -> tuple[int, int]:
    width, height = size.lower().split("x")
    return int(width), int(height)


def _request_options(options: ImageOptions, size: str) -> dict[str, Any]:
    request: dict[str, Any] = {"model": options.model, "size": size, "n": 1}
    if options.quality:
        request["quality"] = options.quality
    if options.model in MODELS_WITH_BACKGROUND:
        if options.background:
            request["background"] = options.background
        if options.input_fidelity and options.mode == "edit":
            request["input_fidelity"] = options.input_fidelity
    else:
        request["response_format"] = "b64_json"  # DALL-E answers with a URL unless asked; gpt-image always b64
    return request


def _image_prompt(prompt: Prompt, mode: str) -> str:
    """Image models take no negative prompt, so the things to avoid are said in words."""
    text = prompt.text
    if mode == "edit":
        text += ". Keep the float's silhouette, proportions and layout from the reference image; render it richly"
    return f"{text}. Avoid: {prompt.negative}."


def edit_mask(reference: Image.Image, grow: int = 9) -> Image.Image:
    """The edit mask: transparent (editable) over the float, a little grown so edges blend; opaque elsewhere."""
    float_alpha = reference.getchannel("A").point(lambda a: 255 if a > 16 else 0)
    if grow > 1:
        float_alpha = float_alpha.filter(ImageFilter.MaxFilter(grow | 1))
    mask = Image.new("RGBA", reference.size, (0, 0, 0, 255))
    mask.putalpha(ImageOps.invert(float_alpha))
    return mask


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _decode_image(response: Any) -> Image.Image:
    data = getattr(response, "data", None)
    if not data:
        raise MalformedResponse("OpenAI's answer held no image")
    b64 = getattr(data[0], "b64_json", None)
    if not isinstance(b64, str) or not b64:
        raise MalformedResponse("OpenAI's answer held no base64 image (b64_json)")
    try:
        raw = base64.b64decode(b64, validate=True)
        image = Image.open(io.BytesIO(raw))
        image.load()
    except (binascii.Error, ValueError):
        raise MalformedResponse("OpenAI's image was not valid base64") from None
    except (UnidentifiedImageError, OSError):
        raise MalformedResponse("OpenAI's image could not be decoded as a picture") from None
    return image


def _revised_prompt(response: Any) -> str:
    data = getattr(response, "data", None) or []
    revised = getattr(data[0], "revised_prompt", None) if data else None
    return revised if isinstance(revised, str) else ""


def _error_code(error: Any) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("code"):
            return str(inner["code"])
    return str(getattr(error, "code", "") or "")


def _error_message(error: Any) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return f"HTTP {getattr(error, 'status_code', '?')}"
