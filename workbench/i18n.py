"""The workbench's languages: the one place that knows which ones there are and which one is chosen.

Every word a person reads goes through gettext, over the compiled catalogs in
`workbench/locale/<language>/LC_MESSAGES/workbench.mo` (Babel extracts, updates and compiles them:
scripts/i18n.sh). English is the source language: its messages are the catalog's keys.

    >>> from workbench.i18n import _, translator
    >>> _("Approve")                      # the process's language (see `choose_language`)
    'Approve'
    >>> translator("zh_CN")._("Approve")  # one gallery in Chinese inside an English process
    '通过'

The language is chosen, first match wins, from: an explicit argument (a notebook's `lang` parameter,
the CLI's `--lang`), $WORKBENCH_LANG, `[ui] language` in the personal settings file, the system
locale ($LC_ALL, $LC_MESSAGES, $LANG), else English. A language we have no catalog for, asked for by
name, is one line naming where it came from; a system locale we do not have quietly falls back to English.

Messages are looked up when they are drawn, never at import, so switching languages takes effect at
the next draw. Text kept in module constants is marked with `N_` (extracted, not translated) and
translated where it is shown.
"""

from __future__ import annotations

import gettext
import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

DOMAIN = "workbench"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "zh_CN")  # the languages with a catalog (English needs none: it is the source)
LANGUAGE_VARIABLE = "WORKBENCH_LANG"
SYSTEM_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # the order the C library reads them in
# Other spellings people use for the languages we have, lower case, "-" read as "_".
ALIASES = {"zh": "zh_CN", "zh_hans": "zh_CN", "zh_hans_cn": "zh_CN", "zh_sg": "zh_CN", "en_us": "en",
           "en_gb": "en", "c": "en", "posix": "en"}


class UnknownLanguage(ValueError):
    """A language was asked for by name that the workbench has no catalog for."""

    def __init__(self, value: str, source: str):
        self.value, self.source = value, source
        super().__init__(f"{source}: unknown language {value!r}; expected one of {', '.join(LANGUAGES)}")


def normalise(code: str) -> str | None:
    """"zh-CN", "zh_CN.UTF-8", "zh", "zh-Hans" -> "zh_CN"; "en_US.UTF-8", "C" -> "en"; None when unknown."""
    bare = code.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not bare:
        return None
    for language in LANGUAGES:
        if bare.lower() == language.lower():
            return language
    if bare.lower() in ALIASES:
        return ALIASES[bare.lower()]
    return "en" if bare.lower().startswith("en_") else None


def checked(code: str, source: str) -> str:
    """`code` as one of LANGUAGES, or UnknownLanguage naming `source` (an option, a variable, a setting)."""
    language = normalise(code)
    if language is None:
        raise UnknownLanguage(code, source)
    return language


def choose_language(explicit: str | None = None, environ: Mapping[str, str] | None = None,
                    settings_path: Path | str | None = None) -> str:
    """The language to speak: `explicit` > $WORKBENCH_LANG > [ui] language in the settings file >
    the system locale > English. An unknown explicit, variable or setting value raises UnknownLanguage
    (a SettingsError naming `ui.language` for the file)."""
    environ = os.environ if environ is None else environ
    if explicit:
        return checked(explicit, "lang")
    if environ.get(LANGUAGE_VARIABLE, "").strip():
        return checked(environ[LANGUAGE_VARIABLE], f"${LANGUAGE_VARIABLE}")
    from workbench.settings import load_ui_settings  # settings imports errors, which imports this module

    setting = load_ui_settings(settings_path, environ).language
    if setting:
        return setting
    for variable in SYSTEM_VARIABLES:
        value = environ.get(variable, "").strip()
        if value:  # the first one set decides, as in the C library; a locale we lack means English
            return normalise(value) or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


@dataclass(frozen=True)
class Translator:
    """One language's messages. `_` and `ngettext` are the names Babel extracts, as method calls too:
    `tr._("Approve")`, `tr.ngettext("{n} concept", "{n} concepts", n)`."""

    language: str
    catalog: gettext.NullTranslations

    def _(self, message: str) -> str:
        return self.catalog.gettext(message) if message else message

    gettext = _

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.catalog.ngettext(singular, plural, count)

    @property
    def is_source(self) -> bool:
        return self.language == SOURCE_LANGUAGE


def translator(language: str | None = None) -> Translator:
    """The translator of `language` (any spelling `normalise` knows); None: the process's language.
    A language whose compiled catalog is missing is an error naming the file and how to build it."""
    return _loaded(current_language() if language is None else checked(language, "lang"))


@lru_cache(maxsize=None)
def _loaded(language: str) -> Translator:
    if language == SOURCE_LANGUAGE:
        return Translator(language, gettext.NullTranslations())
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the {language} catalog is not compiled (run scripts/i18n.sh compile)")
    with path.open("rb") as file:
        return Translator(language, gettext.GNUTranslations(file))


_chosen: str | None = None  # set_language's choice; None: choose_language's


def set_language(language: str | None) -> str:
    """Speak `language` in this process from now on (None: choose again from the environment and settings);
    returns the language now spoken."""
    global _chosen
    _chosen = checked(language, "lang") if language else None
    return current_language()


@contextmanager
def speaking(language: str | None):
    """Messages made inside the block are in `language` (None: as they were): a widget in its own language
    that runs the validators, which speak the process's language, says their problems in its own."""
    global _chosen
    before = _chosen
    _chosen = checked(language, "lang") if language else before
    try:
        yield
    finally:
        _chosen = before


def current_language() -> str:
    if _chosen is not None:
        return _chosen
    environ = os.environ
    key = tuple(environ.get(name, "") for name in (LANGUAGE_VARIABLE, *SYSTEM_VARIABLES, "PARADE_WORKBENCH_SETTINGS",
                                                    "XDG_CONFIG_HOME", "HOME"))
    return _language_for(key)


@lru_cache(maxsize=64)
def _language_for(_environment_key: tuple[str, ...]) -> str:
    """choose_language() once per environment (the key), not on every message. A bad $WORKBENCH_LANG or
    setting is said once, as a warning naming where it came from, and English is spoken."""
    from workbench.settings import SettingsError

    try:
        return choose_language()
    except (UnknownLanguage, SettingsError) as error:
        warnings.warn(f"{error}; speaking {SOURCE_LANGUAGE}", stacklevel=4)
        return SOURCE_LANGUAGE


def default_translator() -> Translator:
    return _loaded(current_language())


def _(message: str) -> str:
    """`message` in the process's language."""
    return default_translator()._(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return default_translator().ngettext(singular, plural, count)


def say(message: str, values: Mapping[str, object], tr: Translator | None = None) -> str:
    """A message kept with its values (a triage reason, a kit problem: made in one language, shown in another)
    said in `tr`'s language (None: the process's). A list value is words, each an N_-marked message, said
    in that language ("top, left and right"); every other value is shown as it is (a number, an id, a path)."""
    tr = tr or default_translator()
    shown = {name: _listed([tr._(word) for word in value], tr) if isinstance(value, list) else value
             for name, value in values.items()}
    return tr._(message).format(**shown)


def _listed(words: list[str], tr: Translator) -> str:
    if len(words) < 2:
        return "".join(words)
    return tr._("{words} and {last}").format(words=tr._(", ").join(words[:-1]), last=words[-1])


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a constant); translate it where it is shown."""
    return message


def extract_notebook(fileobj, keywords, comment_tags, options):
    """Babel's extractor for a notebook (babel.cfg): the messages of its code cells, as Python's extractor
    finds them (the line numbers count through the cells one after another)."""
    import io
    import json

    from babel.messages.extract import extract_python

    cells = json.load(fileobj).get("cells", [])
    code = "\n".join("".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                     for cell in cells if cell.get("cell_type") == "code")
    return extract_python(io.BytesIO(code.encode("utf-8")), keywords, comment_tags, options)


__all__ = ["LANGUAGES", "LANGUAGE_VARIABLE", "N_", "Translator", "UnknownLanguage", "_", "choose_language",
           "current_language", "ngettext", "normalise", "say", "set_language", "speaking", "translator"]
