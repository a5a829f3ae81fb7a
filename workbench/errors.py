"""The one error shape for bad input: which file, which field, what was expected."""

from __future__ import annotations

import reprlib
from pathlib import Path

from workbench.i18n import N_, _


class InputError(Exception):
    """A problem in something a person wrote or supplied, naming the file and the field."""

    def __init__(self, file: Path | str, field: str, message: str):
        self.file = Path(file)
        self.field = field
        self.message = message
        super().__init__(printable(f"{self.file}: {field}: {message}"))


def printable(text: str) -> str:
    """`text` with control characters shown as escapes (\\x1b, \\n): a file or folder name from a kit
    never sends raw terminal escapes, or a second line, to the person reading the error."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def shorten(text: str, limit: int = 80) -> str:
    """`text` cut to at most `limit` characters with an ellipsis: a value from a file never makes a
    message unbounded (a 1 KB YAML alias bomb has a repr of gigabytes)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def brief_repr(value: object, limit: int = 80) -> str:
    """repr(value) in at most `limit` characters, without ever building the whole repr: only the
    first few items of each list or mapping, a few levels deep, are looked at."""
    return shorten(_BRIEF_REPR.repr(value), limit)


_BRIEF_REPR = reprlib.Repr()
_BRIEF_REPR.maxlevel = 3
_BRIEF_REPR.maxlist = _BRIEF_REPR.maxtuple = _BRIEF_REPR.maxset = _BRIEF_REPR.maxdict = 4
_BRIEF_REPR.maxstring = _BRIEF_REPR.maxother = 60


# pydantic's own English for its common errors, as message ids: translated when the template, filled
# with the error's context, says exactly what pydantic said (so English stays pydantic's wording).
PYDANTIC_MESSAGES = {
    "string_type": N_("Input should be a valid string"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "literal_error": N_("Input should be {expected}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
}


def explain_validation(error: dict) -> tuple[str, str]:
    """(field path, message) for the first problem pydantic found, in a designer's words (the
    workbench's language; the field path stays as the file spells it)."""
    where = ".".join(shorten(str(part)) for part in error["loc"]) or _("(top level)")
    kind = error["type"]
    if kind == "missing":
        return where, _("required field is missing")
    if kind == "extra_forbidden":
        return where, _("unknown field (check the spelling)")
    # Our validators' messages quote the value they refused: bounded too, however long the value.
    message = shorten(_pydantic_message(error).removeprefix("Value error, "), 240)
    if kind != "value_error" and "input" in error:
        return where, _("{message} (got {value})").format(message=message, value=brief_repr(error["input"]))
    return where, message


def _pydantic_message(error: dict) -> str:
    """pydantic's message, translated where we know its wording (see PYDANTIC_MESSAGES)."""
    template, context = PYDANTIC_MESSAGES.get(error["type"]), error.get("ctx") or {}
    try:
        if template is not None and template.format(**context) == error["msg"]:
            return _(template).format(**context)
    except (KeyError, IndexError, ValueError):
        pass  # a context this template does not fit: pydantic's own words
    return error["msg"]
