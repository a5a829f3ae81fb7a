"""Backends turn (kit, prompt, seed, settings) into images. One file per backend, a registry by name.

A backend knows nothing of the catalog, the UI or films: it returns `Concept`s and the caller records
them. Heavy libraries (torch, openai) are imported only when their backend is asked for.

    >>> backend = get_backend("previz")
    >>> [concept] = backend.generate(kit, prompt, seed=7, settings={"width": 768, "height": 768})
    >>> concept.image.mode
    'RGBA'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Callable, Protocol

from PIL import Image
from pydantic import BaseModel

from workbench.kits import BrandKit
from workbench.marks import FloatLayout
from workbench.prompts import Prompt

# name -> "module:Class"; imported on first use so `workbench render` never loads torch.
REGISTRY: dict[str, str] = {
    "previz": "workbench.backends.previz:PrevizBackend",
    "diffusers": "workbench.backends.diffusers:DiffusersBackend",
    "openai": "workbench.backends.openai:OpenAIBackend",
}
# name -> "module:Class" of the backend's options model, in a module that imports neither torch nor
# openai: a campaign checks its `generation.options` against it when it loads, before any image.
OPTIONS: dict[str, str] = {
    "previz": "workbench.backends.previz_options:PrevizOptions",
    "diffusers": "workbench.backends.diffusers_options:DiffusersOptions",
    "openai": "workbench.backends.openai_options:ImageOptions",
}
# name -> "module:function" pricing a batch: `estimate(settings, images)` -> an estimate to print, with
# `.images` and `.usd` (None: no price known). Backends not named here run locally, at no cost per image.
COST_ESTIMATES: dict[str, str] = {
    "openai": "workbench.backends.openai_options:estimate_cost",
}


@dataclass(frozen=True)
class Concept:
    """One generated image and what made it; `settings` is what the backend really used (JSON-able)."""

    image: Image.Image
    model: str
    settings: dict[str, Any]
    layout: FloatLayout | None = None
    extra_images: dict[str, Image.Image] = field(default_factory=dict)


class Backend(Protocol):
    name: str

    def generate(self, kit: BrandKit, prompt: Prompt, seed: int, settings: dict[str, Any]) -> list[Concept]:
        """Images for one seed (a backend may return more than one, e.g. a batch)."""
        ...

    # A backend that can picture a street offers `generate_plate(prompt, seed, settings, size) -> Concept`: a
    # film's backdrop of `size`'s shape with no float and no brand marks (`generate.generate_backdrop` asks for
    # it; a backend without it, like previz, has the drawn street recorded instead).


class ConceptRefused(Exception):
    """The service declined this one prompt (e.g. a content policy): the batch records it and goes on."""

    def __init__(self, reason: str, model: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.model = model


class BackendUnusable(Exception):
    """Nothing more can succeed with this backend now (e.g. the API key was rejected): the batch stops."""


__all__ = ["COST_ESTIMATES", "OPTIONS", "REGISTRY", "Backend", "BackendUnusable", "Concept", "ConceptRefused",
           "FloatLayout", "UnknownBackend", "cost_estimator", "get_backend", "options_model"]


class UnknownBackend(KeyError):
    def __str__(self):
        return f"unknown backend {self.args[0]!r}; known: {', '.join(sorted(REGISTRY))}"


def get_backend(name: str, **options: Any) -> Backend:
    """Build a backend by registry name; options go to its constructor."""
    if name not in REGISTRY:
        raise UnknownBackend(name)
    return _load(REGISTRY[name])(**options)


def options_model(name: str) -> type[BaseModel]:
    """The pydantic model of a backend's settings (width, height and its options), without loading the backend."""
    if name not in OPTIONS:
        raise UnknownBackend(name)
    return _load(OPTIONS[name])


def cost_estimator(name: str) -> Callable[[dict[str, Any], int], Any] | None:
    """The backend's `estimate(settings, images)`, or None for a backend that costs nothing per image."""
    return _load(COST_ESTIMATES[name]) if name in COST_ESTIMATES else None


def _load(target: str) -> Any:
    module_name, attribute = target.split(":")
    return getattr(import_module(module_name), attribute)
