"""The one error shape for bad input: which file, which field, what was expected."""

from __future__ import annotations

import reprlib
from pathlib import Path


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


def explain_validation(error: dict) -> tuple[str, str]:
    """(field path, message) for the first problem pydantic found, in a designer's words."""
    where = ".".join(shorten(str(part)) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "missing":
        return where, "required field is missing"
    if kind == "extra_forbidden":
        return where, "unknown field (check the spelling)"
    # Our validators' messages quote the value they refused: bounded too, however long the value.
    message = shorten(error["msg"].removeprefix("Value error, "), 240)
    if kind != "value_error" and "input" in error:
        return where, f"{message} (got {brief_repr(error['input'])})"
    return where, message
