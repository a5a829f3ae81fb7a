"""Colours and font families from a W3C design tokens file (the Design Tokens Community Group format).

    $ workbench kits import-tokens tokens.json --slug lotus-tea --logo lotus.svg --name 莲心茶坊

A token is an object with a `$value`; its `$type` is its own or the nearest group's. Read here:
`color` tokens (`"#1F6E5A"`, `"#1F6E5AFF"`, `"#1e5"`, or the 2025 object form with `colorSpace: srgb`
and `components` or `hex`) and `fontFamily` tokens (a name or a list of names). A value may be an
alias, `"{group.token}"`, resolved through any chain of aliases (a cycle is refused).

Palette roles are found by the token's path ("color.brand.primary", "colors.bg" ...): the first
colour whose path names a role (`ROLE_WORDS`) takes it; roles the file does not name come from the
logo's colours. Font families cannot become the kit's font (that is a file in the kit folder), so
they are written as a comment in brand.yaml for the designer to act on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import InputError, brief_repr, shorten
from workbench.i18n import _

TOKENS_MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_ALIAS_HOPS = 16
ROLE_WORDS: dict[str, tuple[str, ...]] = {  # a token path segment that names the role
    "primary": ("primary", "brand", "main"),
    "secondary": ("secondary",),
    "accent": ("accent", "highlight", "tertiary"),
    "background": ("background", "bg", "surface", "canvas", "paper"),
}
_ALIAS = re.compile(r"\{([^{}]+)\}")
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


class TokensError(InputError):
    """A problem in a design tokens file, naming the token."""


@dataclass(frozen=True)
class DesignTokens:
    """The file's colours and font families by token path, in the file's order."""

    path: Path
    colours: dict[str, str]  # "color.brand.primary" -> "#1F6E5A"
    fonts: dict[str, list[str]]  # "font.body" -> ["Noto Sans SC", "sans-serif"]

    def palette(self) -> dict[str, str]:
        """The roles the token paths name (first match wins; a colour takes one role at most)."""
        roles: dict[str, str] = {}
        taken: set[str] = set()
        for role, words in ROLE_WORDS.items():
            for token, colour in self.colours.items():
                segments = set(re.split(r"[.\-_\s]+", token.casefold()))
                if token not in taken and segments & set(words):
                    roles[role] = colour
                    taken.add(token)
                    break
        return roles

    def font_note(self) -> str | None:
        if not self.fonts:
            return None
        families = ", ".join(f"{token}: {' / '.join(names)}" for token, names in self.fonts.items())
        return (f"font families in the tokens ({families}); to use one, put its .ttf/.otf in the kit folder "
                "and set font:")


def read_tokens(path: Path) -> DesignTokens:
    """Read and resolve a tokens file; a TokensError names the file and the token."""
    path = Path(path)
    if not path.is_file():
        raise TokensError(path, "file", _("design tokens file not found"))
    size = path.stat().st_size
    if size > TOKENS_MAX_BYTES:
        raise TokensError(path, "file", _("{size} bytes is over the {limit} MB limit for tokens").format(
            size=f"{size:,}", limit=TOKENS_MAX_BYTES // 1024**2))
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise TokensError(path, "file", _("expected UTF-8 JSON")) from None
    except json.JSONDecodeError as error:
        raise TokensError(path, _("line {line}, column {column}").format(line=error.lineno, column=error.colno),
                          _("malformed JSON: {error}").format(error=error.msg)) from None
    except RecursionError:
        raise TokensError(path, "file", _("nested deeper than {count} levels").format(count=MAX_DEPTH)) from None
    if not isinstance(document, dict):
        raise TokensError(path, _("(top level)"), _("expected an object of token groups"))
    tokens: dict[str, tuple[str | None, Any]] = {}  # path -> ($type, $value), in the file's order
    _collect(path, document, (), None, tokens)
    colours, fonts = {}, {}
    for name, (kind, value) in tokens.items():
        resolved, kind = _resolve(path, name, value, kind, tokens)
        if kind == "color":
            colours[name] = _colour(path, name, resolved)
        elif kind == "fontFamily":
            fonts[name] = _font_family(path, name, resolved)
    return DesignTokens(path, colours, fonts)


def _collect(path: Path, group: dict, where: tuple[str, ...], inherited: str | None, tokens: dict) -> None:
    if len(where) > MAX_DEPTH:
        raise TokensError(path, ".".join(where), _("nested deeper than {count} levels").format(count=MAX_DEPTH))
    kind = group.get("$type", inherited)
    if "$value" in group:
        tokens[".".join(where)] = (kind, group["$value"])
        return
    for key, child in group.items():
        if key.startswith("$") or not isinstance(child, dict):
            continue  # $description, $extensions ... and stray values are not tokens
        _collect(path, child, (*where, key), kind, tokens)


def _resolve(path: Path, name: str, value: Any, kind: str | None, tokens: dict) -> tuple[Any, str | None]:
    """The value behind any chain of aliases, and its type (the alias's own, else the target's)."""
    seen = [name]
    while isinstance(value, str) and _ALIAS.fullmatch(value.strip()):
        target = _ALIAS.fullmatch(value.strip())[1]
        if target in seen or len(seen) > MAX_ALIAS_HOPS:
            raise TokensError(path, name, _("aliases go round in a circle: {chain}").format(chain=" -> ".join(seen + [target])))
        if target not in tokens:
            raise TokensError(path, name, _("refers to {target!r}, which is not a token in the file").format(target=shorten(target)))
        seen.append(target)
        target_kind, value = tokens[target]
        kind = kind or target_kind
    return value, kind


def _colour(path: Path, name: str, value: Any) -> str:
    if isinstance(value, dict):  # the 2025 form: {"colorSpace": "srgb", "components": [r, g, b], "hex": ...}
        if isinstance(value.get("hex"), str):
            value = value["hex"]
        elif value.get("colorSpace") == "srgb" and isinstance(value.get("components"), list) and \
                len(value["components"]) == 3 and all(isinstance(c, (int, float)) and 0 <= c <= 1
                                                      for c in value["components"]):
            return "#" + "".join(f"{round(c * 255):02X}" for c in value["components"])
        else:
            raise TokensError(path, name, _("expected an sRGB colour, got {value}").format(value=brief_repr(value)))
    if not isinstance(value, str) or not _HEX.fullmatch(value.strip()):
        raise TokensError(path, name, _("expected a hex colour like '#1F6E5A', got {value}").format(value=brief_repr(value)))
    digits = _HEX.fullmatch(value.strip())[1]
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits[:6].upper()  # the alpha of #RRGGBBAA is dropped: kit colours are opaque


def _font_family(path: Path, name: str, value: Any) -> list[str]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise TokensError(path, name, _("expected a font family name or a list of them, got {value}").format(
            value=brief_repr(value)))
    return [shorten(n.strip(), 80) for n in names]
