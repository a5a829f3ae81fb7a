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

The options model (`ImageOptions`) and the cost estimate live in `workbench.backends.openai_options`,
which imports no `openai`: the campaign checks its options when it loads, and the CLI prices a batch.

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
from typing import Any, Callable

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from workbench.backends import Backend, BackendUnusable, Concept, ConceptRefused
from workbench.backends.openai_options import MODELS_WITH_BACKGROUND, ImageOptions, pixels
from workbench.kits import BrandKit
from workbench.prompts import Prompt
from workbench.settings import (MissingKey, OpenAISettings, explain_openai_error, load_openai_settings,
                                openai_error_code, openai_error_message, redact)

log = logging.getLogger(__name__)

# The codes OpenAI gives a prompt its safety system declined.
REFUSAL_CODES = ("content_policy_violation", "moderation_blocked")


class MalformedResponse(RuntimeError):
    """The service answered, but not with what was asked for (no image, not base64, not a picture)."""


class OpenAIFailed(RuntimeError):
    """A request that failed for good after the client's retries (rate limit, server error, timeout)."""


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
        options = ImageOptions.model_validate(settings)  # a campaign's were checked when it loaded
        width, height = options.width, options.height
        self.client()  # without a key, stop here: before drawing or asking anything
        size = options.api_size
        previz = self._reference_float(kit, prompt, seed, width, height)
        text = _image_prompt(prompt, options.mode)
        request = _request_options(options, size)
        log.info("OpenAI %s: %s seed %s, %s %s", options.mode, kit.slug, seed, options.model, size)
        if options.mode == "edit":
            reference = previz.image.resize(pixels(size), Image.LANCZOS)
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

    def generate_plate(self, prompt: Prompt, seed: int, settings: dict[str, Any], size: tuple[int, int]) -> Concept:
        """A backdrop plate of `size`: a text-to-image picture at the API size nearest its shape, with no float,
        no reference and no finishing (a plate carries no brand marks). The seed is recorded, not sent."""
        if self._unusable:
            raise BackendUnusable(self._unusable)
        options = ImageOptions.model_validate({**settings, "width": size[0], "height": size[1]})
        self.client()
        size = options.api_size
        request = _request_options(options, size)
        if options.model in MODELS_WITH_BACKGROUND:
            request["background"] = "opaque"  # a plate fills the frame: nothing of it is to be cut out
        log.info("OpenAI plate: seed %s, %s %s", seed, options.model, size)
        response = self._call(options, None, lambda c: c.images.generate(prompt=_image_prompt(prompt, "text"),
                                                                         **request))
        picture = ImageOps.fit(_decode_image(response).convert("RGB"), (options.width, options.height), Image.LANCZOS)
        used = {"width": options.width, "height": options.height, "model": options.model, "mode": "text",
                "size": size, "finished": False}
        return Concept(image=picture, model=options.model, settings=used)

    def _reference_float(self, kit: BrandKit, prompt: Prompt, seed: int, width: int, height: int) -> Concept:
        if self._reference is None:
            from workbench.backends.previz import PrevizBackend

            self._reference = PrevizBackend()
        [previz] = self._reference.generate(kit, prompt, seed, {"width": width, "height": height})
        return previz

    def _call(self, options: ImageOptions, kit: BrandKit | None, request: Callable[[Any], Any]) -> Any:
        """One API call with the client's retries; every failure becomes one of our clear errors (`kit`: whose
        image it is, None for a backdrop plate)."""
        import openai

        client = self.client().with_options(max_retries=options.max_retries, timeout=options.timeout)
        secret = self._secret()
        try:
            return request(client)
        except openai.PermissionDeniedError as error:
            self._unusable = redact(f"OpenAI refused access (403): {openai_error_message(error)}", secret)
            raise BackendUnusable(self._unusable) from None
        except openai.BadRequestError as error:
            if openai_error_code(error) in REFUSAL_CODES:
                reason = redact(openai_error_message(error), secret)
                log.warning("OpenAI declined the prompt for %s: %s", kit.slug if kit else "the backdrop plate", reason)
                raise ConceptRefused(reason, model=options.model) from None
            raise ValueError(redact(f"OpenAI rejected the request (400): {openai_error_message(error)}",
                                    secret)) from None
        except openai.RateLimitError as error:
            if openai_error_code(error) == "insufficient_quota":
                self._unusable = "OpenAI says the account's quota is used up (429 insufficient_quota)"
                raise BackendUnusable(self._unusable) from None
            raise OpenAIFailed(self._explain(error, options, secret)) from None
        except openai.APIResponseValidationError as error:
            raise MalformedResponse(redact(f"OpenAI's answer did not have the expected shape: {error.message}",
                                           secret)) from None
        except json.JSONDecodeError:  # the client parses the body as JSON on a 200 and lets this through
            raise MalformedResponse("OpenAI's answer did not have the expected shape: not JSON") from None
        except openai.AuthenticationError as error:  # every later call would be rejected the same way
            self._unusable = self._explain(error, options, secret)
            raise BackendUnusable(self._unusable) from None
        except openai.APIError as error:  # timeouts, connection, 5xx and other statuses, after the retries
            raise OpenAIFailed(self._explain(error, options, secret)) from None

    @staticmethod
    def _explain(error: Exception, options: ImageOptions, secret: str | None) -> str:
        hint = "raise generation.options.timeout for slow models"
        explained = explain_openai_error(error, options.max_retries, options.timeout, secret, timeout_hint=hint)
        return explained or redact(str(error), secret)


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
