"""The camera and the floats alive: a push-in and pan over each hold, the 16:9 depth route, depth of field,
sway, contact shadow and glint. With all of it off the film is byte-identical (test_parade_identical.py).

Tiny films (320x180 / 180x320, 10 fps, 1.4 s a brand) with the fake floats of conftest, particles off
so nothing but the camera and the floats moves in the sky.
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from conftest import SAMPLE_KITS, decode, logo_template, match_at
from test_parade_identical import three_brands
from test_parade_layers import (  # the same check, run here with the camera and the depth route on
    test_frames_in_view_are_the_frames_a_scan_finds_the_float_in as frames_in_view_are_what_a_scan_finds,
)
from test_parade_resume import Stop, count_frames, render, setup, work_dir
from workbench.campaign import CameraSettings, CampaignError, FilmSettings, load_campaign
from workbench.kits import load_kits
from workbench.parade import prepare_film, render_film
from workbench.parade.camera import Camera
from workbench.parade.layers import Header, Scene
from workbench.parade.stages import stage_for
from workbench.parade.timeline import first_frame_at, plan_timeline

PUSH = {"push_in": 0.12}
CAMERA = {"push_in": 0.12, "pan": 0.03, "depth_of_field": True}
ROUTE = {"depth_route": True}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return three_brands(tmp_path_factory.mktemp("camera"), particles=False)


def parade_with(inputs, aspect: str = "16:9", camera: dict | None = None, motion: dict | None = None):
    campaign, kits, catalog = inputs
    campaign = campaign.with_changes(film={"camera": camera or {}, "motion": motion or {}})
    return prepare_film(campaign, kits, catalog, aspect)


def float_alone(film, index: int, t: float) -> np.ndarray:
    """Float `index` by itself at `t` (premultiplied RGBA over nothing): its alpha says where it is drawn."""
    return film.parade.alone(film.parade.layers.floats.alone(index), t)[..., 3]


def bounds(alpha: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the drawn pixels."""
    rows, columns = np.nonzero(alpha > 8)
    return int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1


def width_of(box: tuple[int, int, int, int]) -> int:
    return box[2] - box[0]


def procession_layers(film) -> tuple:
    [procession] = [layer for layer in film.parade.layers.stack
                    if isinstance(layer, Scene) and layer.span[0] == film.timeline.procession_start]
    return procession.layers


# The camera ---------------------------------------------------------------------------------------


def test_with_its_settings_off_the_camera_stands_still(inputs):
    film = parade_with(inputs)
    camera = Camera.for_film(CameraSettings(), film.parade.stage, film.timeline)
    assert camera == Camera() and not camera.moves
    assert all(camera.framing(t).still for t in np.linspace(0, film.timeline.duration, 37))


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_the_push_in_closes_on_the_front_float_over_its_hold_and_backs_out_after(inputs, aspect):
    still, pushed = parade_with(inputs, aspect), parade_with(inputs, aspect, camera=PUSH)
    first, second = pushed.timeline.slots[:2]
    early, late = first.hold_start + 0.05, first.hold_end - 0.05
    assert not np.array_equal(still.parade.frame(late), pushed.parade.frame(late)), "the hold looks different"
    grown = width_of(bounds(float_alone(pushed, 0, late))) / width_of(bounds(float_alone(pushed, 0, early)))
    assert grown > 1.06, f"the front float grows over its hold ({grown:.3f}x)"
    assert width_of(bounds(float_alone(still, 0, late))) == width_of(bounds(float_alone(still, 0, early)))
    camera = pushed.parade.layers.floats.camera
    assert camera.framing(first.hold_end).zoom == pytest.approx(1.12)
    assert camera.framing(second.hold_start).still, "backed out to the still framing by the next hold"


def test_the_camera_never_frames_past_the_painted_world(inputs):
    film = parade_with(inputs, camera={"push_in": 0.3, "pan": 0.1})  # the most the settings allow
    camera, stage = film.parade.layers.floats.camera, film.parade.stage
    drifts = []
    for t in np.linspace(film.timeline.procession_start, film.timeline.procession_end, 200):
        framing = camera.framing(t)
        inverse = cv2.invertAffineTransform(framing.matrix())
        corners = inverse @ np.array([[0, 0, 1], [stage.width, stage.height, 1]], float).T  # frame corners, in world
        assert corners.min() >= -1e-6 and corners[0].max() <= stage.width + 1e-6
        assert corners[1].max() <= stage.height + 1e-6
        drifts.append(framing.drift)
    assert max(drifts) > 0 > min(drifts), "the pan drifts one way in one hold and the other way in the next"


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_banners_stay_on_the_screen_where_the_manifest_says(tmp_path, aspect):
    kits = load_kits(SAMPLE_KITS).kits
    campaign, order, catalog = three_brands(tmp_path, particles=False, camera=CAMERA, motion={"sway": 3.0})
    result = render_film(campaign, order, catalog, aspect, progress=False)
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    frames = decode(result.path)
    still = prepare_film(campaign.with_changes(film={"camera": {}, "motion": {}}), order, catalog, aspect)
    brands = [segment for segment in manifest["segments"] if segment["kind"] == "brand"]
    for segment, slot in zip(brands, still.timeline.slots):
        assert segment["logo_box"] == list(still.parade.banner(slot.index).logo_box), "the still film's boxes"
        frame = frames[first_frame_at((segment["hold_start"] + segment["hold_end"]) / 2, manifest["fps"])]
        template = logo_template(kits[segment["brand"]], segment["logo_box"])
        assert match_at(frame, template, segment["logo_box"]) >= 0.9, segment["brand"]


@pytest.mark.parametrize("camera", [PUSH, {"depth_of_field": True}])
def test_the_header_stays_on_the_screen_while_the_camera_pushes_in_or_softens_the_street(inputs, camera):
    """9:16 has the campaign title over the sky: it stays put and sharp while the sky behind it zooms or blurs."""
    still, moving = parade_with(inputs, "9:16"), parade_with(inputs, "9:16", camera=camera)
    assert not any(isinstance(layer, Header) for layer in procession_layers(still)), "painted into the street"
    assert any(isinstance(layer, Header) for layer in procession_layers(moving))
    slot = moving.timeline.slots[0]
    header_rows = slice(0, round(0.15 * moving.size[1]))
    moments = (slot.hold_start + 0.05, slot.hold_mid, slot.hold_end - 0.05)
    frames = [moving.parade.frame(t)[header_rows] for t in moments]
    lettering = [np.all(frame > 235, axis=2) for frame in frames]  # the near-white title
    assert lettering[0].sum() > 20, "the title is there"
    assert all(np.array_equal(lettering[0], other) for other in lettering[1:]), "and does not move"
    assert not np.array_equal(frames[0], frames[1]), "while the sky behind it changes"


def test_depth_of_field_softens_the_backdrop_only_while_a_float_holds(inputs):
    sharp, soft = parade_with(inputs), parade_with(inputs, camera={"depth_of_field": True})
    first, second = soft.timeline.slots[:2]
    width, height = soft.size
    sky = (slice(0, round(0.25 * height)), slice(0, round(0.6 * width)))  # above the floats, left of the AI label

    def detail(film, t: float) -> float:
        grey = cv2.cvtColor(film.parade.frame(t)[sky], cv2.COLOR_RGB2GRAY)
        return float(cv2.Laplacian(grey, cv2.CV_64F).var())

    assert detail(soft, first.hold_mid) < 0.4 * detail(sharp, first.hold_mid), "soft while it holds"
    travel = (first.hold_end + second.hold_start) / 2
    assert np.array_equal(soft.parade.frame(travel), sharp.parade.frame(travel)), "sharp while the floats move"


# The depth route ----------------------------------------------------------------------------------


def test_on_the_depth_route_a_float_comes_from_the_far_right_grows_to_its_hold_and_recedes_left(inputs):
    film = parade_with(inputs, camera=ROUTE)
    width, height = film.size
    slot = film.timeline.slots[1]
    seen = film.parade.layers.floats.frames_in_view(1, film.campaign.film.fps)
    entering = bounds(float_alone(film, 1, seen.start / 10))
    holding = bounds(float_alone(film, 1, slot.hold_mid))
    leaving = bounds(float_alone(film, 1, (seen.stop - 1) / 10))
    assert width_of(entering) < 0.6 * width_of(holding) and width_of(leaving) < 0.6 * width_of(holding)
    assert (entering[0] + entering[2]) / 2 > 0.6 * width, "enters up the street on the right"
    assert (leaving[0] + leaving[2]) / 2 < 0.4 * width, "leaves up the street on the left"
    assert entering[3] < holding[3] and leaving[3] < holding[3], "far off, its wheels stand higher up the street"
    assert abs((holding[0] + holding[2]) / 2 - width / 2) < 0.05 * width, "passes close, in the middle"


@pytest.mark.parametrize("aspect", ["9:16", "1:1"])
def test_the_depth_route_is_the_wide_stages_alone(inputs, aspect):
    routed = parade_with(inputs, aspect, camera=ROUTE)
    t = routed.timeline.slots[1].hold_mid
    assert np.array_equal(routed.parade.frame(t), parade_with(inputs, aspect).parade.frame(t))


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
@pytest.mark.parametrize("fps", [10, 24])
def test_frames_in_view_are_still_the_frames_a_scan_finds_with_the_camera_and_route_on(inputs, aspect, fps):
    campaign, kits, catalog = inputs
    craft = campaign.with_changes(film={"camera": {**CAMERA, **ROUTE}, "motion": {"sway": 4.0}})
    frames_in_view_are_what_a_scan_finds((craft, kits, catalog), aspect, fps)


# The floats alive ---------------------------------------------------------------------------------


@pytest.mark.parametrize("motion", [{"sway": 4.0}, {"glint": True}, {"contact_shadow": True}])
def test_each_float_motion_changes_the_float_and_nothing_far_from_it(inputs, motion):
    plain, alive = parade_with(inputs), parade_with(inputs, motion=motion)
    slot = plain.timeline.slots[1]
    t = slot.hold_start + 0.4 * (slot.hold_end - slot.hold_start)  # the glint is part-way across
    changed = np.any(plain.parade.frame(t) != alive.parade.frame(t), axis=2)
    assert changed.sum() > 50, "the motion shows"
    near = np.zeros_like(changed)
    in_view = [index for index, _placement in plain.parade.layers.floats.in_view(t)]
    assert len(in_view) > 1, "the neighbours are in view too"
    for index in in_view:
        for film in (plain, alive):  # where each float is drawn, with or without the motion
            drawn = cv2.dilate((float_alone(film, index, t) > 0).astype(np.uint8), np.ones((7, 7), np.uint8))
            near |= drawn.astype(bool)
        if "contact_shadow" in motion:  # under its wheels, spreading a little onto the road
            left, top, right, bottom = bounds(float_alone(plain, index, t))
            near[bottom - round(0.12 * (bottom - top)):bottom + 6, max(0, left - 6):right + 6] = True
    assert not changed[~near].any(), f"{int(changed[~near].sum())} pixels changed away from the floats"
    top = min(bounds(float_alone(alive, index, t))[1] for index in in_view)
    assert not changed[:top - 4].any(), "the sky above them is untouched"


def test_the_glint_lies_on_the_floats_own_pixels(inputs):
    plain, lit = parade_with(inputs), parade_with(inputs, motion={"glint": True})
    slot = plain.timeline.slots[0]
    t = slot.hold_mid
    changed = np.any(plain.parade.frame(t) != lit.parade.frame(t), axis=2)
    assert changed.any()
    assert not changed[float_alone(plain, 0, t) == 0].any(), "no light off the float"
    brighter = lit.parade.frame(t)[changed].astype(int) >= plain.parade.frame(t)[changed].astype(int)
    assert brighter.all(), "light only brightens"
    travel = (slot.hold_end + plain.timeline.slots[1].hold_start) / 2
    assert np.array_equal(plain.parade.frame(travel), lit.parade.frame(travel)), "only during its hold"


# Settings and resuming ----------------------------------------------------------------------------


def test_a_camera_setting_out_of_range_is_refused_naming_it(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("name: c\ntitle: C\nfilm:\n  camera: {push_in: 0.5}\n", encoding="utf-8")
    with pytest.raises(CampaignError, match="push_in"):
        load_campaign(path)


def test_a_stopped_render_with_the_craft_on_resumes_to_the_same_bytes(tmp_path, monkeypatch):
    kits = load_kits(SAMPLE_KITS).kits
    craft = {"camera": {**CAMERA, **ROUTE}, "motion": {"sway": 3.0, "contact_shadow": True, "glint": True}}
    campaign, catalog, order = setup(tmp_path / "whole", kits, **craft)
    whole = render(campaign, catalog, order).path.read_bytes()

    campaign, catalog, order = setup(tmp_path / "stopped", kits, **craft)
    count_frames(monkeypatch, stop_at=3.2)  # inside the third of five segments
    with pytest.raises(Stop):
        render(campaign, catalog, order)
    assert [path.name[:4] for path in sorted(work_dir(campaign).glob("*.mp4"))] == ["0000", "0001"]
    monkeypatch.undo()
    assert render(campaign, catalog, order).path.read_bytes() == whole


def test_a_group_shot_stays_wide_while_close_holds_push_in():
    film = FilmSettings(shots="varied", camera=CameraSettings(**CAMERA))
    timeline = plan_timeline(film, [(f"brand-{index}", f"concept-{index}") for index in range(9)])
    camera = Camera.for_film(film.camera, stage_for("16:9", (320, 180)), timeline)
    shots = {slot.shot for slot in timeline.slots}
    assert shots == {"close", "group"}
    for slot in timeline.slots:
        framing, softness = camera.framing(slot.hold_end - 0.01), camera.softness(slot.hold_mid)
        if slot.shot == "close":
            assert framing.zoom > 1.1 and softness == 1.0, slot.index
        else:
            assert framing.still and softness == 0.0, slot.index
