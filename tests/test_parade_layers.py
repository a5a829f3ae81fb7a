"""The parade's seam: a film is a stack of small frozen layers that keep no caches, and the floats layer
knows when each float is in frame (what the finishing export's passes cover).

Tiny films (320x180 / 180x320) with the fake floats of conftest.
"""

from __future__ import annotations

import dataclasses

import pytest

from test_parade_identical import three_brands
from workbench.parade import prepare_film
from workbench.parade.art import ArtCache
from workbench.parade.layers import CardDissolve, Scene
from workbench.parade.timeline import first_frame_at


@pytest.fixture(scope="module")
def parade_inputs(tmp_path_factory):
    return three_brands(tmp_path_factory.mktemp("layers"))


def every_layer(layers):
    """The layers and, inside scenes and dissolves, theirs."""
    for layer in layers:
        yield layer
        if isinstance(layer, Scene):
            yield from every_layer(layer.layers)
        if isinstance(layer, CardDissolve):
            yield layer.card


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_every_layer_is_a_frozen_value_with_a_span_and_one_draw_method(parade_inputs, aspect):
    campaign, kits, catalog = parade_inputs
    parade = prepare_film(campaign, kits, catalog, aspect).parade
    layers = list(every_layer(parade.layers.stack))
    assert len({type(layer).__name__ for layer in layers}) >= 10, "cards, street, lanterns, floats, crowd, banners..."
    for layer in layers:
        name = type(layer).__name__
        assert dataclasses.is_dataclass(layer) and type(layer).__dataclass_params__.frozen, name
        start, end = layer.span
        assert start < end and callable(layer.draw), name
        for field in dataclasses.fields(layer):
            assert not isinstance(getattr(layer, field.name), (dict, ArtCache)), f"{name}.{field.name} caches"


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
@pytest.mark.parametrize("fps", [10, 24, 30])
def test_frames_in_view_are_the_frames_a_scan_finds_the_float_in(parade_inputs, aspect, fps):
    campaign, kits, catalog = parade_inputs
    film = prepare_film(campaign, kits, catalog, aspect)
    floats, timeline = film.parade.layers.floats, film.timeline
    procession = range(first_frame_at(timeline.procession_start, fps), first_frame_at(timeline.procession_end, fps))
    for slot in timeline.slots:
        scanned = [frame for frame in procession
                   if slot.index in [index for index, _placement in floats.in_view(frame / fps)]]
        assert floats.frames_in_view(slot.index, fps) == range(scanned[0], scanned[-1] + 1), slot.brand
        assert len(scanned) == len(range(scanned[0], scanned[-1] + 1)), "in view once, then gone"
