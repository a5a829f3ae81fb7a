"""A draft kit from a brand-guide PDF: the colours its text names, its images as logo candidates, and
(with an OpenAI key) the rest of its text turned into kit fields by a chat model, for a person to check.

    $ workbench kits import-pdf guide.pdf --slug lotus-tea

Colours are read line by line from the text (pypdf): `#1F6E5A`, `HEX 1F6E5A`, `RGB 31 110 90`,
`R31 G110 B90`, `rgb(31, 110, 90)`. A CMYK or Pantone reference is printed, not read: the draft takes a
line's colour only where the line also gives it in hex or RGB, and says which lines it could not use.
A line that names a role ("Primary", "主色", "Background" ... the sheet import's words) gives that role;
colours on unnamed lines fill the roles still open, in order. The largest embedded image is the logo
(a flat background removed when it has no transparency); the others are listed as candidates.

Every image's declared size is checked before it is decoded, and the file, page and image counts are
bounded, so a hostile PDF is one line. The chat model gets at most CHAT_TEXT_CHARACTERS of the text and
answers in a JSON schema (`GuideFields`); its answer only fills fields the command line left open, and
brand.yaml says which came from it. Without a key, or when the call fails, the draft has no AI fields
and the reason is printed (never the key).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import BaseModel, Field, ValidationError

from workbench.errors import InputError, shorten
from workbench.i18n import _
from workbench.kits import LOGO_MAX_SIDE
from workbench.onboarding.logo_palette import remove_flat_background, trim
from workbench.onboarding.sheet import HEADERS, header_key
from workbench.onboarding.writer import LogoSource

PDF_MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 200
MAX_IMAGES = 40
MIN_LOGO_SIDE = 32
CHAT_TEXT_CHARACTERS = 12_000
PALETTE_ROLES = ("primary", "secondary", "accent", "background")
_HEX = re.compile(r"(?:#|\bhex\s*:?\s*)([0-9a-fA-F]{6})\b", re.IGNORECASE)
_RGB = re.compile(r"\brgb\s*:?\s*\(?\s*(\d{1,3})\s*[,/ ]\s*(\d{1,3})\s*[,/ ]\s*(\d{1,3})\b\)?"
                  r"|\bR\s*:?\s*(\d{1,3})\s*,?\s*G\s*:?\s*(\d{1,3})\s*,?\s*B\s*:?\s*(\d{1,3})\b", re.IGNORECASE)
_PRINT_ONLY = re.compile(r"\b(cmyk|pantone|pms)\b", re.IGNORECASE)


class BrandPdfError(InputError):
    """The PDF cannot be read as a brand guide (not a PDF, too big, encrypted)."""


@dataclass(frozen=True)
class GuideColour:
    hex: str
    role: str | None
    line: str
    page: int


@dataclass(frozen=True)
class LogoCandidate:
    image: Image.Image  # RGBA
    page: int
    name: str


@dataclass(frozen=True)
class BrandGuide:
    path: Path
    text: str
    colours: tuple[GuideColour, ...]
    candidates: tuple[LogoCandidate, ...]  # largest first
    notes: tuple[str, ...]

    def palette(self) -> dict[str, str]:
        """Named roles first, then unnamed colours into the roles still open, in the guide's order."""
        roles: dict[str, str] = {}
        for colour in self.colours:
            if colour.role and colour.role not in roles:
                roles[colour.role] = colour.hex
        open_roles = [role for role in PALETTE_ROLES if role not in roles]
        used = set(roles.values())
        for colour in self.colours:
            if colour.role is None and colour.hex not in used and open_roles:
                roles[open_roles.pop(0)] = colour.hex
                used.add(colour.hex)
        return {role: roles[role] for role in PALETTE_ROLES if role in roles}


# Reading -------------------------------------------------------------------------------------------


def read_brand_pdf(path: Path) -> BrandGuide:
    """The guide's text, colours and logo candidates; a BrandPdfError names the file when it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    path = Path(path)
    if not path.is_file():
        raise BrandPdfError(path, "file", _("brand guide not found"))
    size = path.stat().st_size
    if size > PDF_MAX_BYTES:
        raise BrandPdfError(path, "file", _("{size} MB is over the {limit} MB limit").format(
            size=f"{size / 1024**2:.0f}", limit=PDF_MAX_BYTES // 1024**2))
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise BrandPdfError(path, "file", _("the PDF is encrypted; export it without a password"))
        pages = list(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise BrandPdfError(path, "file", _("not a readable PDF ({error})").format(
            error=f"{type(error).__name__}: {shorten(str(error), 120)}")) from None
    if len(pages) > MAX_PAGES:
        raise BrandPdfError(path, "file", _("{count} pages; a brand guide of at most {limit} is read").format(
            count=len(pages), limit=MAX_PAGES))
    texts, colours, candidates, notes = [], [], [], []
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as error:  # pypdf raises many kinds for a damaged content stream
            notes.append(_("page {number}: text not readable ({error})").format(number=number, error=type(error).__name__))
            text = ""
        texts.append(text)
        for line in text.splitlines():
            found = colours_in_line(line)
            colours.extend(GuideColour(hex_colour, role_of(line), line.strip(), number) for hex_colour in found)
            if not found and _PRINT_ONLY.search(line):
                notes.append(f"page {number}: {shorten(line.strip(), 80)!r} gives no hex or RGB: not read")
        if len(candidates) < MAX_IMAGES:
            candidates.extend(_images(page, number, notes, MAX_IMAGES - len(candidates)))
    candidates.sort(key=lambda candidate: -candidate.image.width * candidate.image.height)
    return BrandGuide(path, "\n".join(texts), tuple(colours), tuple(candidates), tuple(notes))


def colours_in_line(line: str) -> list[str]:
    """The hex colours a line of text gives, as #RRGGBB, in order."""
    found = [(match.start(), "#" + match[1].upper()) for match in _HEX.finditer(line)]
    for match in _RGB.finditer(line):
        values = [int(v) for v in match.groups() if v is not None]
        if all(v <= 255 for v in values):
            found.append((match.start(), "#{:02X}{:02X}{:02X}".format(*values)))
    return [colour for _, colour in sorted(found)]


_ROLE_KEYS = {role: [header_key(word) for word in HEADERS[role]] for role in PALETTE_ROLES}


def role_of(line: str) -> str | None:
    """The palette role a line names ("Primary colour", "主色", "Background"...), if any."""
    key = header_key(line)
    for role, words in _ROLE_KEYS.items():
        if any(word and word in key for word in words if len(word) > 2 or not word.isascii()):
            return role
    return None


def _images(page, number: int, notes: list[str], limit: int) -> list[LogoCandidate]:
    """The page's images, each size checked before it is decoded."""
    try:
        xobjects = page["/Resources"]["/XObject"]
        declared = {name: xobjects[name].get_object() for name in xobjects}
    except (KeyError, TypeError, AttributeError):
        return []
    found = []
    for name, xobject in declared.items():
        if len(found) >= limit:
            break
        try:
            if xobject.get("/Subtype") != "/Image":
                continue
            width, height = int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
        except (TypeError, ValueError, AttributeError):
            continue
        if max(width, height) > LOGO_MAX_SIDE:
            notes.append(f"page {number}: image {name} is {width}x{height} px; over {LOGO_MAX_SIDE} px a side, skipped")
            continue
        if min(width, height) < MIN_LOGO_SIDE:
            continue
        try:
            image = page.images[name].image.convert("RGBA")
        except Exception as error:  # an undecodable image stream is that image's problem
            notes.append(f"page {number}: image {name} not decodable ({type(error).__name__})")
            continue
        found.append(LogoCandidate(image, number, name.lstrip("/")))
    return found


def logo_file(candidate: LogoCandidate, folder: Path) -> Path:
    """The candidate as a PNG ready for `prepare_logo`: trimmed, a flat background removed when opaque."""
    image = candidate.image
    if image.getchannel("A").getextrema() == (255, 255):
        image, _removed = remove_flat_background(image)
    path = Path(folder) / f"page{candidate.page}-{candidate.name}.png"
    trim(image).save(path, format="PNG")
    return path


# The chat model's draft ----------------------------------------------------------------------------


class GuideFields(BaseModel):
    """Kit fields a chat model reads out of a brand guide (all optional: it says only what the guide says)."""

    display_name: str = Field("", description="The brand's name as it is shown, in its own script.")
    latin_name: str = Field("", description="The brand's name in Latin letters, if the guide gives one.")
    category: str = Field("", description="What the brand is or sells, in a few English words.")
    language: str = Field("", description="The brand's language: en, zh, ja, ko or other.")
    tagline: str = Field("", description="The brand's tagline, as the guide writes it.")
    motifs: list[str] = Field(default_factory=list, description="Visual motifs the guide names, short English phrases.")
    style_words: list[str] = Field(default_factory=list, description="Words the guide uses for the brand's look.")
    negative_words: list[str] = Field(default_factory=list, description="What the guide says never to do or show.")


class GuideDraftError(RuntimeError):
    """No draft from the chat model (no key, rejected key, service down, unusable answer)."""


def guide_messages(text: str) -> list[dict[str, str]]:
    system = ("You read brand guides and fill in a brand kit for a parade-float campaign. Answer only with what the "
              "guide itself says; leave a field empty when the guide does not say it. Never invent a tagline.")
    return [{"role": "system", "content": system},
            {"role": "user", "content": f"The brand guide's text:\n\n{text[:CHAT_TEXT_CHARACTERS]}"}]


def ask_for_fields(text: str, *, client: Any = None, settings=None, model: str | None = None,
                   max_retries: int = 2, timeout: float = 60.0) -> GuideFields:
    """The chat model's reading of the guide as kit fields; raises GuideDraftError (clear, key-free)."""
    import openai

    from workbench.backends.openai import make_client
    from workbench.copywriting import DEFAULT_CHAT_MODEL
    from workbench.settings import MissingKey, explain_openai_error, redact

    try:
        client = client or make_client(settings)
    except MissingKey as error:
        raise GuideDraftError(str(error)) from None
    secret = getattr(client, "api_key", None)
    try:
        completion = client.with_options(max_retries=max_retries, timeout=timeout).chat.completions.parse(
            model=model or DEFAULT_CHAT_MODEL, messages=guide_messages(text), response_format=GuideFields)
    except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError,
            openai.APIResponseValidationError, ValidationError, json.JSONDecodeError) as error:
        raise GuideDraftError(f"the chat model's answer was not usable ({type(error).__name__})") from None
    except openai.APIError as error:
        raise GuideDraftError(explain_openai_error(error, max_retries, timeout, secret) or redact(str(error), secret)) from None
    message = completion.choices[0].message if completion.choices else None
    if message is None or message.parsed is None:
        refusal = getattr(message, "refusal", None)
        raise GuideDraftError(f"the chat model declined: {redact(refusal, secret)}" if refusal
                              else "the chat model's answer was empty")
    parsed = message.parsed
    return GuideFields(**{name: (redact(value, secret) if isinstance(value, str) else
                                 [redact(item, secret) for item in value])
                          for name, value in parsed.model_dump().items()})


def draft_from_guide(slug: str, guide: BrandGuide, into: Path, logo: Path | None = None,
                     ai_fields: GuideFields | None = None, **given: Any):
    """A checked KitDraft: the guide's palette over the logo's, its largest image as the logo unless one is
    given, the chat model's fields under what the command line gave. Raises a KitError or BrandPdfError."""
    from workbench.onboarding.logo_palette import draft_from_logo

    given = {key: value for key, value in given.items() if value not in (None, "")}
    from_ai = []
    if ai_fields is not None:
        ai = {"name": ai_fields.display_name, "latin_name": ai_fields.latin_name, "category": ai_fields.category,
              "tagline": ai_fields.tagline, "motifs": ai_fields.motifs, "style_words": ai_fields.style_words,
              "negative_words": ai_fields.negative_words,
              "language": ai_fields.language if ai_fields.language in ("en", "zh", "ja", "ko", "other") else ""}
        for key, value in ai.items():
            if value and key not in given:
                given[key] = value
                from_ai.append("display_name" if key == "name" else key)
    comments = [f"Draft kit from the brand guide {guide.path.name}: check every field before the campaign uses it."]
    palette = guide.palette()
    if palette:
        comments.append(f"palette {', '.join(palette)}: from the guide's text "
                        f"({'; '.join(sorted({shorten(c.line, 60) for c in guide.colours}))}).")
    if from_ai:
        comments.append(f"{', '.join(from_ai)}: read from the guide by a chat model; a person checks them.")
    with tempfile.TemporaryDirectory(prefix="brand-guide-") as scratch:
        if logo is None:
            if not guide.candidates:
                raise BrandPdfError(guide.path, "images", "no image in the guide could be the logo; give one with --logo")
            chosen = guide.candidates[0]
            logo = logo_file(chosen, Path(scratch))
            others = ", ".join(f"page {c.page} {c.name} ({c.image.width}x{c.image.height})" for c in guide.candidates[1:])
            comments.append(f"logo: the guide's largest image (page {chosen.page}, {chosen.image.width}x"
                            f"{chosen.image.height})" + (f"; other candidates: {others}." if others else "."))
        draft = draft_from_logo(slug, logo, into, palette=palette, comments=tuple(comments), **given)
        if draft.logo.copy_from is not None and draft.logo.copy_from.parent == Path(scratch):
            with Image.open(draft.logo.copy_from) as image:  # the scratch folder goes: keep the pixels
                draft = replace(draft, logo=LogoSource(draft.logo.file_name, image=image.convert("RGBA")))
    return draft
