"""The one error shape for bad input: which file, which field, what was expected."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A problem in something a person wrote or supplied, naming the file and the field."""

    def __init__(self, file: Path | str, field: str, message: str):
        self.file = Path(file)
        self.field = field
        self.message = message
        super().__init__(f"{self.file}: {field}: {message}")


def explain_validation(error: dict) -> tuple[str, str]:
    """(field path, message) for the first problem pydantic found, in a designer's words."""
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "missing":
        return where, "required field is missing"
    if kind == "extra_forbidden":
        return where, "unknown field (check the spelling)"
    message = error["msg"].removeprefix("Value error, ")
    if kind != "value_error" and "input" in error:
        return where, f"{message} (got {error['input']!r})"
    return where, message
