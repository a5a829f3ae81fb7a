"""Personal settings that must never live in the repository: the OpenAI API key, the C2PA signing key,
and who the AI-content labels name as the producer.

The key comes from the environment (`OPENAI_API_KEY`) or from a settings file in the user's own
config folder, never from a campaign or a kit (those are committed and shared):

    # ~/.config/parade-workbench/settings.toml
    [openai]
    api_key = "..."
    # base_url = "https://..."   # optional: a proxy or a compatible server

The key is held as a pydantic `SecretStr`, so printing or logging the settings shows `**********`.
Only the client constructor ever sees the real value. And since a server (or a proxy before it) can
echo the key back in any answer, a 200 as well as an error, every string that comes back from the
service goes through `redact` before it is stored, printed, logged or raised.

    >>> settings = load_openai_settings()
    >>> settings.has_key
    True
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Callable, Mapping

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, field_validator

from workbench.errors import InputError
from workbench.i18n import N_, Translator

KEY_VARIABLE = "OPENAI_API_KEY"
REDACTED = "[redacted]"
SETTINGS_VARIABLE = "PARADE_WORKBENCH_SETTINGS"  # another settings file, e.g. on a shared machine
HOW_TO_SET_A_KEY_TEMPLATE = N_("set {variable} in the environment, or put api_key under [openai] in {file}"
                               " (outside the repository)")
SETTINGS_FILE_SHOWN = "~/.config/parade-workbench/settings.toml"  # where the default settings file is, as people write it
HOW_TO_SET_A_KEY = HOW_TO_SET_A_KEY_TEMPLATE.format(variable=KEY_VARIABLE, file=SETTINGS_FILE_SHOWN)


def how_to_set_a_key(tr: Translator) -> str:
    """HOW_TO_SET_A_KEY in `tr`'s language."""
    return tr._(HOW_TO_SET_A_KEY_TEMPLATE).format(variable=KEY_VARIABLE, file=SETTINGS_FILE_SHOWN)


class SettingsError(InputError):
    """A problem in the personal settings file (the message never contains the key)."""


class MissingKey(RuntimeError):
    """No API key anywhere: raised before any request is made."""

    def __init__(self):
        super().__init__(f"no OpenAI API key: {HOW_TO_SET_A_KEY}")


class OpenAISettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    api_key: SecretStr | None = None
    base_url: str | None = None
    organization: str | None = None

    @property
    def has_key(self) -> bool:
        return self.api_key is not None and bool(self.api_key.get_secret_value().strip())

    def key(self) -> str:
        """The key itself, for the client constructor only. Raises MissingKey when there is none."""
        if not self.has_key:
            raise MissingKey()
        return self.api_key.get_secret_value().strip()


def redact(text: str, secret: str | None) -> str:
    """`text` with the secret blanked out. The one guard for every string from the service (error
    messages, refusal reasons, revised prompts, ideas), so there is one place to get it right."""
    if secret and secret in text:
        text = text.replace(secret, REDACTED)
    return text


def explain_openai_error(error: Exception, retries: int, timeout: float, secret: str | None,
                         timeout_hint: str = "") -> str | None:
    """One line for a failed OpenAI call after the client's retries (401, 429, timeout, connection,
    5xx, any other status), the key redacted; None for errors that are not the service's answer.
    The one wording for the image backend and for ideation alike."""
    import openai

    if isinstance(error, openai.AuthenticationError):
        return redact("OpenAI rejected the API key (401): check OPENAI_API_KEY or your settings file"
                      f" ({openai_error_code(error) or 'invalid key'})", secret)
    if isinstance(error, openai.RateLimitError):
        return f"still rate-limited (429) after {retries} retries; try again in a minute"
    if isinstance(error, openai.APITimeoutError):  # before APIConnectionError, its parent
        return f"no answer within {timeout:g}s, {retries} retries" + (f"; {timeout_hint}" if timeout_hint else "")
    if isinstance(error, openai.APIConnectionError):
        return redact(f"could not reach OpenAI after {retries} retries: {type(error.__cause__ or error).__name__}",
                      secret)
    if isinstance(error, openai.InternalServerError):
        return f"OpenAI server error ({error.status_code}) after {retries} retries"
    if isinstance(error, openai.APIStatusError):
        return redact(f"OpenAI error {error.status_code}: {openai_error_message(error)}", secret)
    return None


def openai_error_code(error: Any) -> str:
    """The `code` of an OpenAI error body ("insufficient_quota", "content_policy_violation", ...)."""
    return _error_body_field(error, "code") or str(getattr(error, "code", "") or "")


def openai_error_message(error: Any) -> str:
    return _error_body_field(error, "message") or f"HTTP {getattr(error, 'status_code', '?')}"


def _error_body_field(error: Any, name: str) -> str:
    """`name` from an OpenAI error's JSON body (`{"error": {...}}` or flat), "" when it has none."""
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get(name):
            return str(inner[name])
    return ""


def default_settings_path(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    if environ.get(SETTINGS_VARIABLE):
        return Path(environ[SETTINGS_VARIABLE]).expanduser()
    config_home = Path(environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config_home / "parade-workbench" / "settings.toml"


def load_openai_settings(path: Path | str | None = None, environ: dict[str, str] | None = None) -> OpenAISettings:
    """The [openai] table of the settings file, with OPENAI_API_KEY from the environment taking precedence."""
    environ = os.environ if environ is None else environ
    path = Path(path) if path is not None else default_settings_path()
    table = _settings_table(path, "openai")
    if environ.get(KEY_VARIABLE, "").strip():
        table = {**table, "api_key": environ[KEY_VARIABLE]}
    return _validated(OpenAISettings, table, path, lambda field: f"openai.{field}")


class ProvenanceSettings(BaseModel):
    """Who the workbench says produced its files, and the C2PA signing key (paths outside the repository).

        # ~/.config/parade-workbench/settings.toml
        [labels]
        producer_code = "..."     # e.g. the studio's registration number, written as ContentProducer
        producer_name = "..."
        propagator_code = ""      # a platform that distributes the files, if it asks to be named
        [c2pa]
        key = "~/keys/studio.key"                  # PEM private key
        certificates = "~/keys/studio-chain.pem"   # end-entity certificate first, then the chain
        trust_anchors = "~/keys/trusted-roots.pem" # optional: roots `provenance show` trusts

    The environment overrides each: PARADE_WORKBENCH_AIGC_PRODUCER_CODE, ..._AIGC_PRODUCER_NAME,
    PARADE_WORKBENCH_C2PA_KEY, ..._C2PA_CERTIFICATES, ..._C2PA_TRUST_ANCHORS.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    producer_code: str = ""
    producer_name: str = ""
    propagator_code: str = ""
    c2pa_key: Path | None = None
    c2pa_certificates: Path | None = None
    c2pa_algorithm: str = "es256"
    c2pa_trust_anchors: Path | None = None
    source: Path | None = None  # the settings file, for error messages

    @property
    def signs(self) -> bool:
        return self.c2pa_key is not None or self.c2pa_certificates is not None

    def signing(self):
        """The checked C2PA signing key and chain, or None when none is configured (a half-set pair is an error)."""
        if not self.signs:
            return None
        from workbench.provenance.c2pa import load_signing

        where = self.source or Path("settings")
        if self.c2pa_key is None or self.c2pa_certificates is None:
            missing = "c2pa.key" if self.c2pa_key is None else "c2pa.certificates"
            raise SettingsError(where, missing, "a signing key needs both c2pa.key and c2pa.certificates")
        return load_signing(self.c2pa_key, self.c2pa_certificates, algorithm=self.c2pa_algorithm)


PROVENANCE_VARIABLES = {
    "PARADE_WORKBENCH_AIGC_PRODUCER_CODE": ("labels", "producer_code"),
    "PARADE_WORKBENCH_AIGC_PRODUCER_NAME": ("labels", "producer_name"),
    "PARADE_WORKBENCH_C2PA_KEY": ("c2pa", "key"),
    "PARADE_WORKBENCH_C2PA_CERTIFICATES": ("c2pa", "certificates"),
    "PARADE_WORKBENCH_C2PA_TRUST_ANCHORS": ("c2pa", "trust_anchors"),
}


def load_provenance_settings(path: Path | str | None = None, environ: dict[str, str] | None = None) -> ProvenanceSettings:
    """The [labels] and [c2pa] tables of the settings file, the environment taking precedence."""
    environ = os.environ if environ is None else environ
    path = Path(path) if path is not None else default_settings_path()
    tables = {"labels": _settings_table(path, "labels"), "c2pa": _settings_table(path, "c2pa")}
    for variable, (table, key) in PROVENANCE_VARIABLES.items():
        if environ.get(variable, "").strip():
            tables[table] = {**tables[table], key: environ[variable].strip()}
    values = {**tables["labels"], **{f"c2pa_{key}": value for key, value in tables["c2pa"].items()}}
    for key in ("c2pa_key", "c2pa_certificates", "c2pa_trust_anchors"):
        if isinstance(values.get(key), str):
            values[key] = Path(values[key]).expanduser()
    settings = _validated(ProvenanceSettings, values, path, _provenance_setting)
    return settings.model_copy(update={"source": path})


class UISettings(BaseModel):
    """How the workbench speaks to this person:

        # ~/.config/parade-workbench/settings.toml
        [ui]
        language = "zh_CN"    # or "en"; $WORKBENCH_LANG and a notebook's `lang` parameter come first
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    language: str | None = None

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        from workbench.i18n import LANGUAGES, normalise

        if value is None or not value.strip():
            return None
        language = normalise(value)
        if language is None:
            raise ValueError(f"unknown language {value!r}; expected one of {', '.join(LANGUAGES)}")
        return language


def load_ui_settings(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> UISettings:
    """The [ui] table of the settings file (the file named by $PARADE_WORKBENCH_SETTINGS in `environ`, if set)."""
    if path is None:
        path = default_settings_path(environ)
    path = Path(path)
    values = _settings_table(path, "ui")
    try:
        return UISettings.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        # Our validator's message names the value and the languages; a number or a table is not a name at all.
        message = (first["msg"].removeprefix("Value error, ") if first["type"] == "value_error"
                   else 'expected a language name such as "zh_CN" or "en"')
        raise SettingsError(path, f"ui.{field}", message) from None


def _settings_table(path: Path, name: str) -> dict:
    """One [table] of the settings file ({} when the file or the table is absent)."""
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        # The decoder's message can quote the offending line, which may hold the key: say only where.
        line = getattr(error, "lineno", None)
        raise SettingsError(path, f"line {line}" if line else "file", "not valid TOML") from None
    if not isinstance(table, dict):
        raise SettingsError(path, name, f"expected a table: [{name}]")
    return table


def _validated(model: type[BaseModel], values: dict, path: Path, setting: Callable[[str], str]):
    """`values` as `model`; a wrong one is a SettingsError naming `setting(field)` as the settings file spells it."""
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        # pydantic's message may echo the input; name the field and the expectation only.
        raise SettingsError(path, setting(field), first["type"].replace("_", " ")) from None


def _provenance_setting(field: str) -> str:
    """c2pa_key -> c2pa.key, producer_code -> labels.producer_code."""
    return field.replace("c2pa_", "c2pa.", 1) if field.startswith("c2pa_") else f"labels.{field}"
