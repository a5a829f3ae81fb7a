"""The OpenAI image backend against a fake OpenAI on 127.0.0.1: requests, finishing, every failure case.

No test reaches any other address: the backend builds its client from settings whose base_url is
the fake server's. The key is a made-up string; the last tests check it is written and logged nowhere.
"""

from __future__ import annotations

import io
import logging

import numpy as np
import pytest
from PIL import Image, ImageOps

from conftest import write_campaign
from fake_openai import API_KEY_ECHO, FakeOpenAI
from workbench.backends import get_backend
from workbench.backends.openai import OpenAIBackend, edit_mask
from workbench.backends.openai_options import ImageOptions, estimate_cost
from workbench.backends.previz import PrevizBackend
from workbench.campaign import CampaignError, load_campaign
from workbench.catalog import Catalog
from workbench.generate import generate_campaign
from workbench.kits import load_kits
from workbench.settings import OpenAISettings, SettingsError, load_openai_settings

KEY = "made-up-test-key-not-a-secret-4f2c"
SIZE = 128  # the campaign canvas; the fake answers at the API size (1024 px), as the real one does


@pytest.fixture
def fake():
    server = FakeOpenAI(slow_seconds=1.0).start()
    yield server
    server.stop()


@pytest.fixture
def kits(kits_folder):
    return load_kits(kits_folder).kits


def make_campaign(tmp_path, kits_folder, seeds=(1,), **options):
    options = {"max_retries": 2, "timeout": 5, "mode": "text", "quality": "low", **options}
    path = write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "renders", generation={
        "backend": "openai", "seeds": list(seeds), "width": SIZE, "height": SIZE, "options": options})
    return load_campaign(path)


def backend_for(fake, key=KEY):
    return OpenAIBackend(settings=OpenAISettings(api_key=key, base_url=fake.base_url))


def run(campaign, kits, backend):
    with Catalog(campaign.catalog_path) as catalog:
        report = generate_campaign(campaign, kits, catalog, backend, progress=False)
        return report, catalog.concepts()


# Requests and results ------------------------------------------------------------------------------


def test_registry_builds_the_openai_backend():
    assert isinstance(get_backend("openai", settings=OpenAISettings(api_key=KEY)), OpenAIBackend)


def test_text_to_image_request_and_finished_concept(tmp_path, kits_folder, kits, fake):
    campaign = make_campaign(tmp_path, kits_folder, background="transparent")
    kit = kits["lotus-tea"]
    report, [record] = run(campaign, [kit], backend_for(fake))
    assert report.made == [record.id] and not report.failed

    [request] = fake.requests
    assert request.path == "/v1/images/generations"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    sent = request.json()
    assert sent["model"] == "gpt-image-1" and sent["size"] == "1024x1024" and sent["n"] == 1
    assert sent["quality"] == "low" and sent["background"] == "transparent"
    assert "response_format" not in sent  # gpt-image models always answer in base64 and reject the field
    assert "Lotus Heart Tea House" in sent["prompt"] and "Avoid: blurry text" in sent["prompt"]

    assert record.backend == "openai" and record.model == "gpt-image-1" and record.status == "ok"
    assert record.settings["size"] == "1024x1024" and record.settings["mode"] == "text"
    image = Image.open(tmp_path / "renders" / "test-parade" / record.path)
    assert image.size == (SIZE, SIZE) and image.mode == "RGBA"
    raw = Image.open(tmp_path / "renders" / "test-parade" / record.path.replace(".png", ".raw.png"))
    assert raw.size == (SIZE, SIZE)

    # Finishing put the exact logo back where the previz layout says, whatever the model drew there.
    left, top, right, bottom = record.settings["layout"]["logo_box"]
    expected = kit.logo_image().resize((right - left, bottom - top), Image.LANCZOS)
    got = np.asarray(image.crop((left, top, right, bottom)))
    solid = np.asarray(expected)[..., 3] == 255
    assert solid.any()
    assert np.array_equal(got[solid][:, :3], np.asarray(expected)[solid][:, :3])
    assert image.getpixel((0, 0))[3] == 0, "the background is cut away"


def test_edit_sends_the_previz_float_and_its_mask(tmp_path, kits_folder, kits, fake):
    campaign = make_campaign(tmp_path, kits_folder, mode="edit", input_fidelity="high")
    kit = kits["kestrel-stride"]
    report, [record] = run(campaign, [kit], backend_for(fake))
    assert report.made == [record.id]

    [request] = fake.requests
    assert request.path == "/v1/images/edits"
    parts = request.form_parts()
    assert parts["model"] == b"gpt-image-1" and parts["size"] == b"1024x1024" and parts["input_fidelity"] == b"high"
    reference = Image.open(io.BytesIO(parts["image"]))
    mask = Image.open(io.BytesIO(parts["mask"]))
    assert reference.size == mask.size == (1024, 1024) and mask.mode == "RGBA"
    previz = PrevizBackend().generate(kit, None, 1, {"width": SIZE, "height": SIZE})[0]
    # The reference is the previz float of the same kit, seed and size, scaled to the API size.
    sent_float = np.asarray(reference.resize((SIZE, SIZE), Image.LANCZOS).getchannel("A")) > 128
    assert (sent_float == (np.asarray(previz.image.getchannel("A")) > 128)).mean() > 0.98
    # Where the float is, the mask is transparent (draw here); the empty corner is opaque (keep).
    alpha = reference.getchannel("A")
    inside = next((x, y) for y in range(512, 1024, 8) for x in range(200, 824, 8) if alpha.getpixel((x, y)) == 255)
    assert mask.getpixel(inside)[3] == 0 and mask.getpixel((0, 0))[3] == 255
    assert record.settings["mode"] == "edit" and record.settings["reference"]["body"] == previz.settings["body"]
    assert record.settings["layout"]["logo_box"] == list(previz.layout.logo_box)


def test_edit_mask_is_the_float_silhouette_grown_a_little():
    reference = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    reference.paste((200, 0, 0, 255), (10, 10, 30, 30))
    alpha = np.asarray(edit_mask(reference, grow=5).getchannel("A"))
    assert alpha[20, 20] == 0 and alpha[9, 20] == 0, "inside and just outside the edge: editable"
    assert alpha[0, 0] == 255 and alpha[20, 5] == 255, "far from the float: kept"


@pytest.mark.parametrize("model, width, height, size", [
    ("gpt-image-1", 768, 768, "1024x1024"),
    ("gpt-image-1", 1920, 1080, "1536x1024"),
    ("gpt-image-1", 1080, 1920, "1024x1536"),
    ("dall-e-3", 1920, 1080, "1792x1024"),
])
def test_api_size_is_the_nearest_in_aspect(model, width, height, size):
    assert ImageOptions(model=model, width=width, height=height).api_size == size


def test_dall_e_asks_for_base64_and_no_background(tmp_path, kits_folder, kits, fake):
    campaign = make_campaign(tmp_path, kits_folder, model="dall-e-3", quality="standard")
    report, _ = run(campaign, [kits["polar-scoop"]], backend_for(fake))
    sent = fake.requests[0].json()
    assert report.made and sent["response_format"] == "b64_json" and "background" not in sent


@pytest.mark.parametrize("option, value", [("quality", "ultra"), ("size", "auto"), ("colour", "red")])
def test_a_bad_option_is_named_when_the_campaign_loads(tmp_path, kits_folder, fake, option, value):
    """Before any batch: the campaign itself does not load, so no request can be made."""
    with pytest.raises(CampaignError, match=f"c.yaml: generation.options.{option}: "):
        make_campaign(tmp_path, kits_folder, seeds=(1, 2), **{option: value})
    assert not fake.requests


# Failures ------------------------------------------------------------------------------------------


def test_missing_key_stops_the_batch_before_any_request(tmp_path, kits_folder, kits, fake):
    campaign = make_campaign(tmp_path, kits_folder, seeds=(1, 2))
    backend = OpenAIBackend(settings=OpenAISettings(base_url=fake.base_url))
    report, concepts = run(campaign, list(kits.values()), backend)
    assert not fake.requests and not concepts
    assert "no OpenAI API key" in report.stopped and "OPENAI_API_KEY" in report.stopped
    assert len(report.failed) == 1, "stopped at the first job, not one error per job"


def test_401_is_not_retried_and_stops_the_batch(tmp_path, kits_folder, kits, fake):
    fake.plan("401")
    campaign = make_campaign(tmp_path, kits_folder, seeds=(1, 2))
    report, concepts = run(campaign, list(kits.values()), backend_for(fake))
    assert len(fake.requests) == 1 and not concepts
    assert "rejected the API key (401)" in report.stopped and "invalid_api_key" in report.stopped


def test_the_same_backend_makes_no_request_after_a_401(tmp_path, kits_folder, kits, fake):
    fake.plan("401")
    campaign = make_campaign(tmp_path, kits_folder)
    backend = backend_for(fake)
    run(campaign, [kits["lotus-tea"]], backend)
    report, _ = run(campaign, [kits["lotus-tea"]], backend)
    assert len(fake.requests) == 1 and "401" in report.stopped


def test_403_stops_the_batch(tmp_path, kits_folder, kits, fake):
    fake.plan("403")
    campaign = make_campaign(tmp_path, kits_folder, seeds=(1, 2))
    report, _ = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(fake.requests) == 1 and "403" in report.stopped and "verified" in report.stopped


def test_429_and_500_are_retried_then_succeed(tmp_path, kits_folder, kits, fake):
    fake.plan("429", "500")
    campaign = make_campaign(tmp_path, kits_folder, max_retries=2)
    report, concepts = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(fake.requests) == 3 and len(concepts) == 1 and not report.failed


def test_retries_have_a_limit_and_the_batch_goes_on(tmp_path, kits_folder, kits, fake):
    fake.plan("500", "500", "500")  # max_retries=2: the first concept's three tries all fail
    campaign = make_campaign(tmp_path, kits_folder, seeds=(1, 2), max_retries=2)
    report, concepts = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(fake.requests) == 4
    assert [c.seed for c in concepts] == [2]
    assert report.failed == [("lotus-tea seed 1", "OpenAIFailed: OpenAI server error (500) after 2 retries")]
    assert not report.stopped


def test_persistent_rate_limit_fails_the_concept(tmp_path, kits_folder, kits, fake):
    fake.plan("429", "429")
    campaign = make_campaign(tmp_path, kits_folder, max_retries=1)
    report, _ = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(fake.requests) == 2 and "rate-limited (429) after 1 retries" in report.failed[0][1]


def test_exhausted_quota_stops_the_batch(tmp_path, kits_folder, kits, fake):
    fake.plan(*["quota"] * 3)
    campaign = make_campaign(tmp_path, kits_folder, seeds=(1, 2), max_retries=0)
    report, _ = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(fake.requests) == 1 and "quota" in report.stopped


def test_refusal_is_recorded_on_the_concept_and_the_batch_goes_on(tmp_path, kits_folder, kits, fake):
    fake.plan("refuse")
    campaign = make_campaign(tmp_path, kits_folder, seeds=(1, 2))
    report, concepts = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(fake.requests) == 2, "a refusal is not retried"
    refused, made = concepts
    assert refused.status == "refused" and refused.seed == 1 and "safety system" in refused.note
    assert refused.path == "" and refused.model == "gpt-image-1"
    assert made.status == "ok" and report.refused == [refused.id] and report.made == [made.id]
    assert "refused 1" in str(report)

    # Resumed: nothing is asked again; the refusal stays on record.
    report, again = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(fake.requests) == 2 and sorted(report.skipped) == sorted(c.id for c in concepts)
    assert again == concepts


def test_timeout_is_retried_then_reported(tmp_path, kits_folder, kits, fake):
    fake.plan("slow", "slow")
    campaign = make_campaign(tmp_path, kits_folder, timeout=0.2, max_retries=1)
    report, concepts = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(fake.requests) == 2 and not concepts
    assert "no answer within 0.2s" in report.failed[0][1]


@pytest.mark.parametrize("behaviour, message", [
    ("garbage", "did not have the expected shape"),
    ("no-image", "held no image"),
    ("bad-b64", "not valid base64"),
])
def test_a_malformed_response_is_a_clear_error(tmp_path, kits_folder, kits, fake, behaviour, message):
    fake.plan(behaviour)
    campaign = make_campaign(tmp_path, kits_folder, max_retries=0)
    report, concepts = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert not concepts and message in report.failed[0][1]
    assert not list((tmp_path / "renders").rglob("*.png"))


def test_a_resumed_batch_makes_only_what_is_missing(tmp_path, kits_folder, kits, fake):
    campaign = make_campaign(tmp_path, kits_folder, seeds=(1, 2, 3), max_retries=0)
    fake.plan("ok", "500", "ok")
    report, concepts = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(report.made) == 2 and len(report.failed) == 1
    kept = {c.id: c.content_hash for c in concepts}

    report, concepts = run(campaign, [kits["lotus-tea"]], backend_for(fake))
    assert len(fake.requests) == 4, "only the failed seed is asked for again"
    assert len(report.made) == 1 and len(report.skipped) == 2
    assert all(c.content_hash == kept[c.id] for c in concepts if c.id in kept), "nothing made is lost"


# The key stays secret ------------------------------------------------------------------------------


def test_the_key_is_nowhere_in_catalog_logs_files_or_errors(tmp_path, kits_folder, kits, fake, caplog):
    caplog.set_level(logging.DEBUG)  # the client's and httpx's debug logs too
    campaign = make_campaign(tmp_path, kits_folder, seeds=(1, 2, 3), mode="edit")
    fake.plan("ok", "refuse", "500", "500", "500", "401")
    report, concepts = run(campaign, list(kits.values()), backend_for(fake))
    assert report.made and report.refused and report.failed and report.stopped  # every path was taken
    assert caplog.records, "logging was captured"

    assert KEY not in caplog.text
    assert KEY not in str(report)
    assert all(KEY not in repr(c) for c in concepts)
    written = [p for p in (tmp_path / "renders").rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in written) and any(p.suffix == ".sqlite" for p in written)
    for path in written:  # PNG text chunks, the SQLite file and its WAL included
        assert KEY.encode() not in path.read_bytes(), path


def key_in_pngs(folder, key: str) -> list[str]:
    """The PNGs under `folder` holding `key` in their bytes or in any text chunk (compressed ones included)."""
    found = []
    for path in sorted(folder.rglob("*.png")):
        with Image.open(path) as image:
            chunks = " ".join(image.text.values())
        if key in chunks or key.encode() in path.read_bytes():
            found.append(str(path))
    return found


def test_a_key_echoed_in_a_200_answer_is_stored_and_printed_nowhere(tmp_path, kits_folder, fake, monkeypatch):
    """A hostile or broken server sends the key back in an image's revised prompt and in a refusal reason."""
    from typer.testing import CliRunner

    from workbench.cli import app

    fake.revised_prompt = f"A lotus float for account {API_KEY_ECHO}, lit from within"
    fake.image_refusal = f"Declined for {API_KEY_ECHO}: not allowed by our safety system"
    fake.plan("ok", "refuse")
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'[openai]\nbase_url = "{fake.base_url}"\n')
    monkeypatch.setenv("PARADE_WORKBENCH_SETTINGS", str(settings_file))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    path = write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "renders", generation={
        "backend": "openai", "seeds": [1, 2], "width": SIZE, "height": SIZE,
        "options": {"quality": "low", "mode": "text", "max_retries": 0}})

    result = CliRunner().invoke(app, ["generate", str(path), "--brand", "lotus-tea"])
    assert result.exit_code == 0, result.output
    assert "made 1" in result.output and "refused 1" in result.output
    assert KEY not in result.output

    with Catalog(load_campaign(path).catalog_path) as catalog:
        made, refused = sorted(catalog.concepts(), key=lambda record: record.seed)
    # The echoes came back and were blanked, not dropped: the rest of each text is kept.
    assert made.settings["revised_prompt"] == "A lotus float for account [redacted], lit from within"
    assert refused.status == "refused" and "Declined for [redacted]" in refused.note

    written = [p for p in (tmp_path / "renders").rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in written) and len(list((tmp_path / "renders").rglob("*.png"))) == 2
    for written_file in written:  # the catalog, its WAL and journal, and the PNGs
        assert KEY.encode() not in written_file.read_bytes(), written_file
    assert key_in_pngs(tmp_path / "renders", KEY) == []


def test_settings_hide_the_key(tmp_path):
    settings = OpenAISettings(api_key=KEY)
    assert KEY not in repr(settings) and KEY not in str(settings) and KEY not in settings.model_dump_json()


def test_environment_key_wins_over_the_settings_file(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(f'[openai]\napi_key = "{KEY}-file"\nbase_url = "http://127.0.0.1:9/v1"\n')
    assert load_openai_settings(path, environ={}).key() == f"{KEY}-file"
    settings = load_openai_settings(path, environ={"OPENAI_API_KEY": KEY})
    assert settings.key() == KEY and settings.base_url == "http://127.0.0.1:9/v1"
    assert not load_openai_settings(tmp_path / "absent.toml", environ={}).has_key


def test_a_broken_settings_file_is_named_without_quoting_the_key(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(f'[openai]\napi_key = "{KEY}\n')  # unterminated string
    with pytest.raises(SettingsError) as caught:
        load_openai_settings(path, environ={})
    assert str(path) in str(caught.value) and KEY not in str(caught.value)
    path.write_text("[openai]\napi_key = 42\n")
    with pytest.raises(SettingsError, match="openai.api_key") as caught:
        load_openai_settings(path, environ={})


# Cost ----------------------------------------------------------------------------------------------


def test_cost_estimate_from_the_price_table():
    estimate = estimate_cost({"width": 1920, "height": 1080, "model": "gpt-image-1", "quality": "high"}, 40)
    assert estimate.size == "1536x1024" and estimate.usd == pytest.approx(40 * 0.25)
    assert "estimate" in str(estimate) and "$10.00" in str(estimate)
    auto = estimate_cost({"width": 768, "height": 768, "quality": "auto"}, 2)
    assert auto.quality == "high", "auto is priced as the highest, so the estimate errs high"
    unknown = estimate_cost({"width": 768, "height": 768, "model": "someone-elses-model"}, 3)
    assert unknown.usd is None and "no price known" in str(unknown)


def test_batch_estimate_counts_only_what_is_missing(tmp_path, kits_folder, kits, fake):
    from workbench.generate import estimate_batch_cost

    campaign = make_campaign(tmp_path, kits_folder, seeds=(1, 2, 3), quality="medium")
    with Catalog(campaign.catalog_path) as catalog:
        assert estimate_batch_cost(campaign, list(kits.values()), catalog).images == 9
        fake.plan("ok", "refuse", "500", "500", "500")
        generate_campaign(campaign, [kits["lotus-tea"]], catalog, backend_for(fake), progress=False)
        estimate = estimate_batch_cost(campaign, list(kits.values()), catalog)
    assert estimate.images == 7, "made and refused concepts are not counted again; the failed one is"
    assert estimate.usd == pytest.approx(7 * 0.042)


# The command line ----------------------------------------------------------------------------------


def test_cli_shows_the_cost_and_asks_before_a_large_batch(tmp_path, kits_folder, fake, monkeypatch):
    from typer.testing import CliRunner

    from workbench.cli import app

    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'[openai]\nbase_url = "{fake.base_url}"\n')
    monkeypatch.setenv("PARADE_WORKBENCH_SETTINGS", str(settings_file))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    runner = CliRunner()
    large = write_campaign(tmp_path / "large.yaml", kits_folder, tmp_path / "renders", generation={
        "backend": "openai", "seeds": list(range(1, 13)), "width": SIZE, "height": SIZE,
        "options": {"quality": "high", "mode": "text"}})
    result = runner.invoke(app, ["generate", str(large)], input="n\n")
    assert result.exit_code == 1 and not fake.requests, result.output
    assert "36 image(s)" in result.output and "$6.01" in result.output and "estimate" in result.output
    assert "start this batch?" in result.output

    small = write_campaign(tmp_path / "small.yaml", kits_folder, tmp_path / "renders", generation={
        "backend": "openai", "seeds": [1], "width": SIZE, "height": SIZE, "options": {"quality": "low", "mode": "text"}})
    result = runner.invoke(app, ["generate", str(small), "--brand", "lotus-tea"])
    assert result.exit_code == 0, result.output
    assert "1 image(s)" in result.output and "made 1" in result.output and len(fake.requests) == 1
    assert KEY not in result.output


def test_cli_names_a_bad_option_before_anything_is_asked(tmp_path, kits_folder, fake, monkeypatch):
    from typer.testing import CliRunner

    from workbench.cli import app

    settings_file = tmp_path / "settings.toml"  # were a request made, it could only reach the fake
    settings_file.write_text(f'[openai]\nbase_url = "{fake.base_url}"\n')
    monkeypatch.setenv("PARADE_WORKBENCH_SETTINGS", str(settings_file))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    path = write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "renders", generation={
        "backend": "openai", "seeds": [1], "options": {"quality": "ultra"}})
    result = CliRunner().invoke(app, ["generate", str(path)])
    assert result.exit_code == 2 and "generation.options.quality" in result.output and not fake.requests


@pytest.mark.parametrize("mode", ["edit", "text"])
def test_finishing_is_guided_by_the_previz_float_only_for_edits(tmp_path, kits_folder, kits, fake, mode):
    calls = []

    def recording_finisher(raw, kit, layout, mask=None, banner_style="ribbon"):
        calls.append((raw.size, layout, mask, banner_style))
        return raw

    backend = OpenAIBackend(settings=OpenAISettings(api_key=KEY, base_url=fake.base_url), finisher=recording_finisher)
    campaign = make_campaign(tmp_path, kits_folder, mode=mode)
    run(campaign, [kits["polar-scoop"]], backend)
    previz = PrevizBackend().generate(kits["polar-scoop"], None, 1, {"width": SIZE, "height": SIZE})[0]
    [(size, layout, mask, banner_style)] = calls
    assert size == (SIZE, SIZE) and layout == previz.layout and banner_style == previz.settings["banner"]
    if mode == "edit":
        assert mask is not None and mask.tobytes() == previz.image.tobytes()
    else:
        assert mask is None


def test_a_backdrop_plate_is_a_text_image_of_the_plates_shape_with_no_brand_marks(tmp_path, kits_folder, kits, fake):
    """A generated plate asks for a picture of a street, not a float: text to image at the API size nearest the
    plate's shape, opaque, nothing stamped on it (the fake's picture, cut to the plate, pixel for pixel)."""
    import base64

    from fake_openai import png_b64
    from workbench.catalog import BACKDROP_BRAND
    from workbench.generate import generate_backdrop

    campaign = make_campaign(tmp_path, kits_folder)
    with Catalog(campaign.catalog_path) as catalog:
        record = generate_backdrop(campaign, kits["lotus-tea"], catalog, "16:9", (320, 180),
                                   drawn=lambda: pytest.fail("the model makes the plate"), backend=backend_for(fake))
        again = generate_backdrop(campaign, kits["lotus-tea"], catalog, "16:9", (320, 180),
                                  drawn=lambda: pytest.fail("not drawn"), backend=backend_for(fake))
        path = catalog.image_path(record)
    assert again == record and len(fake.requests) == 1, "made once, then found in the catalog"
    [request] = fake.requests
    sent = request.json()
    assert request.path == "/v1/images/generations" and sent["size"] == "1536x1024" and sent["background"] == "opaque"
    assert record.brand == BACKDROP_BRAND and record.backend == "openai" and record.settings["finished"] is False
    answer = Image.open(io.BytesIO(base64.b64decode(png_b64(1536, 1024)))).convert("RGB")
    with Image.open(path) as plate:
        assert plate.size == (320, 180)
        expected = ImageOps.fit(answer, (320, 180), Image.LANCZOS)
        assert np.array_equal(np.asarray(plate.convert("RGB")), np.asarray(expected)), "no logo or name put on it"
