"""Copy ideation: float ideas for a brand from a chat model, as validated structured output.

From a brand kit and the campaign's brief, a chat model proposes N float ideas, each a short brief
(English, for the image models), prompt words, and a tagline in the kit's own language. They are
saved in the campaign catalog as "proposed"; a designer edits and accepts them (the widget in
02_generate, or `workbench ideate --accept`), and accepted ideas become prompts for any backend:

    >>> ideas = ideate(kit, "a lantern-festival parade", count=4)
    >>> records = save_ideas(catalog, kit, "a lantern-festival parade", ideas, model=DEFAULT_CHAT_MODEL)
    >>> catalog.update_idea(records[0].id, status="accepted")
    >>> report = generate_from_ideas(campaign, [kit], catalog)   # concepts linked to their idea

The answer is asked for as a JSON schema (`IdeaBatch`), parsed by the client into pydantic models,
then checked here: blank fields and taglines in the wrong language are dropped. Every field goes
through `workbench.settings.redact` first, as error messages do: a server can echo the key in a 200
answer too. Failures become `IdeationError` with a clear message (never the key); a refusal becomes
`IdeasRefused`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from workbench.backends import Backend
from workbench.campaign import Campaign
from workbench.catalog import Catalog, IdeaRecord, now_iso
from workbench.kits import BrandKit
from workbench.prompts import Prompt, PromptTemplate, build_prompt, colour_name
from workbench.settings import MissingKey, OpenAISettings, explain_openai_error, redact

log = logging.getLogger(__name__)

DEFAULT_CHAT_MODEL = "gpt-4o-mini"
MAX_IDEAS = 12
LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese", "ja": "Japanese", "ko": "Korean"}
# What a tagline in each language must contain; "other" is not checked.
LANGUAGE_SCRIPTS = {
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"),
    "ko": re.compile(r"[\uac00-\ud7af]"),
    "en": re.compile(r"^[^\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]*[A-Za-z][^\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]*$"),
}


class FloatIdea(BaseModel):
    """One float idea, as the model returns it. (No length limits in the schema: strict JSON schema
    mode rejects some of them; the validators below and `_usable` do the checking.)"""

    brief: str = Field(description="One sentence in English: the parade float to build, concrete and visual.")
    prompt_words: list[str] = Field(description="3 to 8 short English phrases for an image model.")
    tagline: str = Field(description="A short festive tagline in the brand's language.")

    @field_validator("brief", "tagline")
    @classmethod
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @field_validator("prompt_words")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        return [word.strip() for word in value if word.strip()]


class IdeaBatch(BaseModel):
    ideas: list[FloatIdea]


class IdeationError(RuntimeError):
    """Ideas could not be had: no key, key rejected, service down, or an unusable answer."""


class IdeasRefused(IdeationError):
    """The chat model declined (its refusal is the message)."""


# Asking -------------------------------------------------------------------------------------------


def ideation_messages(kit: BrandKit, campaign_brief: str, count: int) -> list[dict[str, str]]:
    language = LANGUAGE_NAMES.get(kit.language, "the brand's own language")
    palette = kit.palette
    facts = {
        "brand": kit.display_name, "latin name": kit.latin_name or kit.display_name, "category": kit.category,
        "current tagline": kit.tagline, "motifs": kit.motifs, "style": kit.style_words,
        "colours": [colour_name(c) for c in (palette.primary, palette.secondary, palette.accent)],
        "avoid": kit.negative_words,
    }
    system = (
        "You are the creative director of a city parade of brand floats. You propose float ideas that "
        "a designer turns into images: each a one-sentence brief in English that an image model can draw "
        "(the float's shape, what it is sculpted from, its decorations), a few English prompt words, and "
        f"a short festive tagline in {language}. Use the brand's motifs and colours; never invent logos "
        "or lettering on the float (the real logo is added later)."
    )
    user = (f"Campaign brief: {campaign_brief}\nBrand facts: {json.dumps(facts, ensure_ascii=False)}\n"
            f"Give exactly {count} different float ideas.")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def ideate(
    kit: BrandKit, campaign_brief: str, count: int = 4, *, client: Any = None,
    settings: OpenAISettings | None = None, model: str = DEFAULT_CHAT_MODEL,
    max_retries: int = 3, timeout: float = 60.0,
) -> list[FloatIdea]:
    """Ask the chat model for `count` float ideas for `kit`. Raises IdeationError (clear, key-free)."""
    import openai

    from workbench.backends.openai import make_client

    if not 1 <= count <= MAX_IDEAS:
        raise ValueError(f"count: expected 1 to {MAX_IDEAS} ideas, got {count}")
    try:
        client = client or make_client(settings)
    except MissingKey as error:
        raise IdeationError(str(error)) from None
    secret = getattr(client, "api_key", None)
    try:
        completion = client.with_options(max_retries=max_retries, timeout=timeout).chat.completions.parse(
            model=model, messages=ideation_messages(kit, campaign_brief, count), response_format=IdeaBatch)
    except openai.ContentFilterFinishReasonError:
        raise IdeasRefused("OpenAI's content filter stopped the answer") from None
    except (openai.LengthFinishReasonError, openai.APIResponseValidationError, ValidationError,
            json.JSONDecodeError) as error:
        raise IdeationError(f"OpenAI's answer was not a valid list of ideas ({type(error).__name__})") from None
    except openai.APIError as error:  # 401, 429, timeouts, connection, 5xx and other statuses, after the retries
        explained = explain_openai_error(error, max_retries, timeout, secret)
        raise IdeationError(explained or redact(str(error), secret)) from None
    if not completion.choices:
        raise IdeationError("OpenAI's answer held no message")
    message = completion.choices[0].message
    if message.refusal:
        raise IdeasRefused(f"OpenAI declined: {redact(message.refusal, secret)}")
    if message.parsed is None:
        raise IdeationError("OpenAI's answer was not a valid list of ideas (empty)")
    returned = [_redacted(idea, secret) for idea in message.parsed.ideas]
    ideas = [idea for idea in returned if _usable(idea, kit)]
    dropped = len(returned) - len(ideas)
    if dropped:
        log.warning("dropped %d idea(s) for %s: blank, or tagline not in %s", dropped, kit.slug, kit.language)
    if not ideas:
        raise IdeationError(f"none of OpenAI's {len(returned)} idea(s) was usable "
                            f"(a brief, and a tagline in {LANGUAGE_NAMES.get(kit.language, kit.language)})")
    return ideas[:count]


def _redacted(idea: FloatIdea, secret: str | None) -> FloatIdea:
    """The idea with the key blanked out of every field it came back with."""
    return FloatIdea(brief=redact(idea.brief, secret), tagline=redact(idea.tagline, secret),
                     prompt_words=[redact(word, secret) for word in idea.prompt_words])


def _usable(idea: FloatIdea, kit: BrandKit) -> bool:
    script = LANGUAGE_SCRIPTS.get(kit.language)
    tagline_fits = script is None or bool(script.search(idea.tagline))
    return bool(idea.brief) and bool(idea.tagline) and tagline_fits


# Keeping and using --------------------------------------------------------------------------------


def save_ideas(catalog: Catalog, kit: BrandKit, campaign_brief: str, ideas: list[FloatIdea], model: str,
               status: str = "proposed") -> list[IdeaRecord]:
    """Record ideas in the campaign catalog (as proposed unless told), returning their records."""
    records = []
    for idea in ideas:
        created = now_iso()
        digest = hashlib.sha256(json.dumps([kit.slug, campaign_brief, idea.brief, created]).encode()).hexdigest()
        record = IdeaRecord(
            id=f"{kit.slug}-idea-{digest[:8]}", brand=kit.slug, campaign_brief=campaign_brief, brief=idea.brief,
            prompt_words=idea.prompt_words, tagline=idea.tagline, language=kit.language, model=model,
            status=status, created_at=created, updated_at=created,
        )
        catalog.add_idea(record)
        records.append(record)
    return records


def idea_brief(idea: IdeaRecord | FloatIdea) -> str:
    """The brief an idea gives a prompt template: its sentence, then its prompt words."""
    brief = idea.brief.rstrip(". ")
    return f"{brief}, {', '.join(idea.prompt_words)}" if idea.prompt_words else brief


def idea_prompt(kit: BrandKit, template: PromptTemplate, idea: IdeaRecord | FloatIdea) -> Prompt:
    return build_prompt(kit, template, brief=idea_brief(idea))


def generate_from_ideas(campaign: Campaign, kits: list[BrandKit], catalog: Catalog,
                        backend: Backend | None = None, progress: bool = False):
    """Concepts for every accepted idea of `kits` (the campaign's seeds, its backend), linked to the idea.

    Each idea's brief replaces the campaign's, so its concepts get their own ids; re-running resumes.
    Returns one GenerationReport for all ideas.
    """
    from workbench.backends import get_backend
    from workbench.generate import GenerationReport, generate_campaign

    backend = backend or get_backend(campaign.generation.backend)
    total = GenerationReport()
    for kit in kits:
        for idea in catalog.ideas(kit.slug, status="accepted"):
            for_idea = campaign.with_changes(prompt={"brief": idea_brief(idea)})
            report = generate_campaign(for_idea, [kit], catalog, backend, progress=progress)
            catalog.link_idea(idea.id, report.made + report.skipped + report.refused)
            if total.merge(report).stopped:
                return total
    return total
