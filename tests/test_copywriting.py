"""Copy ideation against the fake OpenAI on 127.0.0.1: structured output, failures, catalog, prompts, widget."""

from __future__ import annotations

import json
import logging

import pytest

from conftest import write_campaign
from fake_openai import API_KEY_ECHO, FakeOpenAI
from workbench.backends.previz import PrevizBackend
from workbench.campaign import load_campaign
from workbench.catalog import Catalog, CatalogError
from workbench.copywriting import (
    FloatIdea, IdeasRefused, IdeationError, generate_from_ideas, idea_prompt, ideate, save_ideas,
)
from workbench.kits import load_kits
from workbench.prompts import PromptTemplate
from workbench.settings import OpenAISettings

KEY = "made-up-test-key-not-a-secret-9b1e"
ZH_IDEAS = [
    {"brief": "A jade pavilion float carried on giant lotus leaves.", "prompt_words": ["jade pavilion", " lotus leaves "],
     "tagline": "莲香一路，茶韵同行"},
    {"brief": "A porcelain teapot float pouring a ribbon of steam.", "prompt_words": ["porcelain teapot", "steam"],
     "tagline": "一壶清茶，满城春色"},
    {"brief": "A tea-leaf boat float on painted waves.", "prompt_words": ["tea leaf boat"], "tagline": "Tea for all"},
]


@pytest.fixture
def fake():
    server = FakeOpenAI(slow_seconds=1.0).start()
    server.chat_content = json.dumps({"ideas": ZH_IDEAS}, ensure_ascii=False)
    yield server
    server.stop()


@pytest.fixture
def kits(kits_folder):
    return load_kits(kits_folder).kits


def ask(fake, kit, count=3, key=KEY, **kwargs):
    settings = OpenAISettings(api_key=key, base_url=fake.base_url)
    return ideate(kit, "a lantern-festival parade", count, settings=settings, max_retries=2, **kwargs)


def test_ideas_come_back_as_validated_structured_output(fake, kits):
    ideas = ask(fake, kits["lotus-tea"])
    # The English tagline on a Chinese kit is dropped; the others are stripped and kept.
    assert [idea.tagline for idea in ideas] == ["莲香一路，茶韵同行", "一壶清茶，满城春色"]
    assert ideas[0].prompt_words == ["jade pavilion", "lotus leaves"]

    [request] = fake.requests
    assert request.path == "/v1/chat/completions" and request.headers["authorization"] == f"Bearer {KEY}"
    sent = request.json()
    schema = sent["response_format"]
    assert schema["type"] == "json_schema" and schema["json_schema"]["strict"] is True
    assert schema["json_schema"]["name"] == "IdeaBatch"
    idea_schema = json.dumps(schema["json_schema"]["schema"])
    assert all(field in idea_schema for field in ("brief", "prompt_words", "tagline"))
    text = json.dumps(sent["messages"], ensure_ascii=False)
    assert "莲心茶坊" in text and "Simplified Chinese" in text and "Give exactly 3" in text


def test_an_english_kit_wants_english_taglines(fake, kits):
    ideas = ask(fake, kits["kestrel-stride"])
    assert [idea.tagline for idea in ideas] == ["Tea for all"]


def test_no_usable_idea_is_an_error(fake, kits):
    fake.chat_content = json.dumps({"ideas": [{"brief": " ", "prompt_words": [], "tagline": "莲"}]})
    with pytest.raises(IdeationError, match="none of OpenAI's 1 idea"):
        ask(fake, kits["lotus-tea"])


def test_count_is_respected_and_checked(fake, kits):
    assert len(ask(fake, kits["lotus-tea"], count=1)) == 1
    with pytest.raises(ValueError, match="count"):
        ask(fake, kits["lotus-tea"], count=0)


def test_a_refusal_is_its_own_error(fake, kits):
    fake.plan("refuse")
    with pytest.raises(IdeasRefused, match="can't help"):
        ask(fake, kits["lotus-tea"])
    assert len(fake.requests) == 1


@pytest.mark.parametrize("content", ["not json at all", json.dumps({"ideas": [{"brief": "no tagline"}]}),
                                     json.dumps({"thoughts": "hmm"})])
def test_an_answer_that_does_not_fit_the_schema_is_a_clear_error(fake, kits, content):
    fake.chat_content = content
    with pytest.raises(IdeationError, match="not a valid list of ideas"):
        ask(fake, kits["lotus-tea"])


def test_a_garbage_body_is_a_clear_error(fake, kits):
    fake.plan("garbage")
    with pytest.raises(IdeationError, match="not a valid list of ideas"):
        ask(fake, kits["lotus-tea"])


def test_missing_key_fails_before_any_request(fake, kits):
    with pytest.raises(IdeationError, match="no OpenAI API key"):
        ask(fake, kits["lotus-tea"], key=None)
    assert not fake.requests


def test_401_is_clear_and_not_retried(fake, kits):
    fake.plan("401")
    with pytest.raises(IdeationError, match=r"rejected the API key \(401\)") as caught:
        ask(fake, kits["lotus-tea"])
    assert len(fake.requests) == 1 and KEY not in str(caught.value) and KEY[:3] + "*" not in str(caught.value)


def test_429_and_500_are_retried(fake, kits):
    fake.plan("429", "500")
    assert ask(fake, kits["lotus-tea"])
    assert len(fake.requests) == 3


def test_retries_have_a_limit(fake, kits):
    fake.plan("500", "500", "500")
    with pytest.raises(IdeationError, match=r"server error \(500\) after 2 retries"):
        ask(fake, kits["lotus-tea"])
    assert len(fake.requests) == 3


def test_timeout(fake, kits):
    fake.plan("slow", "slow", "slow")
    with pytest.raises(IdeationError, match="no answer within 0.2s"):
        ask(fake, kits["lotus-tea"], timeout=0.2)
    assert len(fake.requests) == 3


# Catalog and prompts -------------------------------------------------------------------------------


@pytest.fixture
def campaign(tmp_path, kits_folder):
    return load_campaign(write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "renders",
                                        generation={"seeds": [1, 2], "width": 96, "height": 96}))


def test_ideas_are_saved_edited_accepted_and_lead_to_linked_concepts(fake, kits, campaign):
    kit = kits["lotus-tea"]
    with Catalog(campaign.catalog_path) as catalog:
        first, second = save_ideas(catalog, kit, "a lantern-festival parade", ask(fake, kit), model="gpt-4o-mini")
        assert [i.status for i in catalog.ideas("lotus-tea")] == ["proposed", "proposed"]
        assert catalog.idea(first.id).tagline == "莲香一路，茶韵同行" and catalog.idea(first.id).language == "zh"

        edited = catalog.update_idea(first.id, brief="A jade lantern pavilion float.", status="accepted")
        catalog.update_idea(second.id, status="dropped")
        assert edited.brief == "A jade lantern pavilion float." and edited.updated_at >= first.updated_at
        with pytest.raises(CatalogError, match="status"):
            catalog.update_idea(first.id, status="maybe")
        with pytest.raises(CatalogError, match="cannot change"):
            catalog.update_idea(first.id, brand="other")

        report = generate_from_ideas(campaign, [kit], catalog, PrevizBackend())
        assert len(report.made) == 2 and not report.failed  # two seeds, one accepted idea
        linked = catalog.idea_concepts(first.id)
        assert sorted(linked) == sorted(report.made) and catalog.idea_concepts(second.id) == []
        for concept_id in linked:
            prompt = catalog.concept(concept_id).prompt
            assert prompt.startswith("A jade lantern pavilion float, jade pavilion, lotus leaves for Lotus Heart")

        again = generate_from_ideas(campaign, [kit], catalog, PrevizBackend())
        assert not again.made and sorted(again.skipped) == sorted(linked), "a re-run resumes"
        assert sorted(catalog.idea_concepts(first.id)) == sorted(linked)


def test_an_idea_is_a_prompt_for_any_backend(kits):
    idea = FloatIdea(brief="A lantern boat float.", prompt_words=["paper lanterns", "night river"], tagline="x")
    prompt = idea_prompt(kits["kestrel-stride"], PromptTemplate(), idea)
    assert prompt.text.startswith("A lantern boat float, paper lanterns, night river for ")


def test_the_key_is_nowhere_in_the_catalog_or_logs(fake, kits, campaign, caplog):
    caplog.set_level(logging.DEBUG)
    kit = kits["lotus-tea"]
    with Catalog(campaign.catalog_path) as catalog:
        save_ideas(catalog, kit, "a parade", ask(fake, kit), model="gpt-4o-mini")
    fake.plan("401")
    with pytest.raises(IdeationError):
        ask(fake, kit)
    assert caplog.records and KEY not in caplog.text
    for path in campaign.root.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


# The widget ----------------------------------------------------------------------------------------


def test_widget_without_a_key_says_so_and_cannot_ask(kits, campaign):
    from workbench.copywriting_widget import IdeasWidget

    with Catalog(campaign.catalog_path) as catalog:
        widget = IdeasWidget(campaign, list(kits.values()), catalog, settings=OpenAISettings())
        assert "no key" in widget.status.value and widget.ask_button.disabled
        assert "no key" in widget.key_note


def test_widget_asks_edits_and_accepts(fake, kits, campaign):
    from workbench.copywriting_widget import IdeasWidget

    with Catalog(campaign.catalog_path) as catalog:
        widget = IdeasWidget(campaign, list(kits.values()), catalog,
                             settings=OpenAISettings(api_key=KEY, base_url=fake.base_url))
        widget.brand.value = "lotus-tea"
        widget.count.value = 2
        widget.ask_button.click()
        assert len(fake.requests) == 1 and len(widget.rows) == 2, widget.status.value
        row = widget.rows[0]
        row.brief.value = "A moon-gate tea float."
        row.words.value = "moon gate, tea bowls"
        row.accept.value = True
        widget.save_button.click()
        [accepted] = catalog.ideas("lotus-tea", status="accepted")
        assert accepted.brief == "A moon-gate tea float." and accepted.prompt_words == ["moon gate", "tea bowls"]
        assert len(catalog.ideas("lotus-tea", status="proposed")) == 1
        assert "1 accepted" in widget.status.value
        assert KEY not in widget.status.value


# The command line ----------------------------------------------------------------------------------


def _campaign_talking_to(fake, tmp_path, kits_folder, monkeypatch):
    """A small campaign file, with the settings and key that point the CLI at the fake server."""
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'[openai]\nbase_url = "{fake.base_url}"\n')
    monkeypatch.setenv("PARADE_WORKBENCH_SETTINGS", str(settings_file))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    return write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "renders",
                          generation={"seeds": [1], "width": 96, "height": 96})


def test_cli_ideate_then_generate_from_the_accepted_ideas(fake, tmp_path, kits_folder, monkeypatch):
    from typer.testing import CliRunner

    from workbench.cli import app

    runner, campaign_file = CliRunner(), _campaign_talking_to(fake, tmp_path, kits_folder, monkeypatch)
    result = runner.invoke(app, ["ideate", str(campaign_file), "--brand", "lotus-tea", "--count", "2", "--accept"])
    assert result.exit_code == 0, result.output
    assert "莲香一路" in result.output and "saved as accepted" in result.output and KEY not in result.output

    result = runner.invoke(app, ["generate", str(campaign_file), "--brand", "lotus-tea", "--ideas"])
    assert result.exit_code == 0, result.output
    assert "made 2" in result.output and len(fake.requests) == 1, "previz made them; only ideation asked"

    fake.plan("401")
    result = runner.invoke(app, ["ideate", str(campaign_file), "--brand", "lotus-tea"])
    assert result.exit_code == 1 and "rejected the API key (401)" in result.output and KEY not in result.output


def test_a_key_echoed_in_ideas_is_stored_and_printed_nowhere(fake, tmp_path, kits_folder, monkeypatch):
    """A hostile or broken server sends the key back in every field of an idea, and in a refusal."""
    from PIL import Image
    from typer.testing import CliRunner

    from workbench.cli import app

    fake.chat_content = json.dumps({"ideas": [{
        "brief": f"A jade pavilion float for {API_KEY_ECHO}.", "prompt_words": ["jade pavilion", API_KEY_ECHO],
        "tagline": f"莲香一路 {API_KEY_ECHO}"}]}, ensure_ascii=False)
    runner, campaign_file = CliRunner(), _campaign_talking_to(fake, tmp_path, kits_folder, monkeypatch)
    result = runner.invoke(app, ["ideate", str(campaign_file), "--brand", "lotus-tea", "--count", "1", "--accept"])
    assert result.exit_code == 0, result.output
    assert KEY not in result.output and "莲香一路 [redacted]" in result.output
    result = runner.invoke(app, ["generate", str(campaign_file), "--brand", "lotus-tea", "--ideas"])
    assert result.exit_code == 0 and "made 1" in result.output and KEY not in result.output, result.output

    fake.chat_refusal = f"I can't help account {API_KEY_ECHO} with that."
    fake.plan("refuse")
    result = runner.invoke(app, ["ideate", str(campaign_file), "--brand", "lotus-tea"])
    assert result.exit_code == 1 and "I can't help account [redacted]" in result.output and KEY not in result.output

    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        [idea] = catalog.ideas("lotus-tea")
        [concept] = catalog.concepts("lotus-tea")
    # Blanked where it was echoed, the rest kept: the idea still reads as one.
    assert idea.brief == "A jade pavilion float for [redacted]." and idea.tagline == "莲香一路 [redacted]"
    assert idea.prompt_words == ["jade pavilion", "[redacted]"]
    assert "[redacted]" in concept.prompt  # the idea's brief became the concept's prompt, redacted
    written = [path for path in campaign.root.rglob("*") if path.is_file()]
    pngs = [path for path in written if path.suffix == ".png"]
    assert pngs and any(path.suffix == ".sqlite" for path in written)
    for path in written:  # the catalog, its WAL and journal, and the PNGs
        assert KEY.encode() not in path.read_bytes(), path
    for path in pngs:  # text chunks may be compressed, so look at them decoded too
        with Image.open(path) as image:
            assert "[redacted]" in image.text["prompt"] and KEY not in " ".join(image.text.values()), path


def test_cli_ideate_without_a_key_says_so(tmp_path, kits_folder):
    from typer.testing import CliRunner

    from workbench.cli import app

    campaign_file = write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "renders")
    result = CliRunner().invoke(app, ["ideate", str(campaign_file), "--brand", "lotus-tea"])
    assert result.exit_code == 1 and "no OpenAI API key" in result.output
