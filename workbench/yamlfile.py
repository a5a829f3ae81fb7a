"""Reading the YAML files people write (brand kits, campaigns) without trusting them.

One reader for every kit and campaign file, built on PyYAML's SafeLoader, that refuses what a
hostile or careless file could use against us, each with one line naming the file and the line:

- files over a size limit (checked before reading: a 50 MB brand.yaml would take minutes);
- anchors and aliases (`&a` / `*a`): a 1 KB "billion laughs" file expands to gigabytes;
- nesting deeper than MAX_DEPTH (`[[[[...` overflows the parser's recursion);
- a key written twice in one mapping (YAML silently keeps the last one);
- text that is not UTF-8.

    >>> read_yaml_mapping(Path("brand_kits/lotus-tea/brand.yaml"), KitError, "kit", KIT_FILE_MAX_BYTES)["slug"]
    'lotus-tea'
"""

from __future__ import annotations

from pathlib import Path

import yaml

from workbench.errors import InputError, brief_repr, shorten

KIT_FILE_MAX_BYTES = 256 * 1024  # a real brand.yaml is about 1 KB
CAMPAIGN_FILE_MAX_BYTES = 1024 * 1024  # a real campaign is a few KB
MAX_DEPTH = 32  # the sample files nest 3 levels deep


class RefusedYAML(yaml.YAMLError):
    """Valid YAML that we do not accept, at a place in the file."""

    def __init__(self, mark: yaml.Mark, message: str):
        super().__init__(message)
        self.line = mark.line + 1
        self.message = message


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases and deep nesting (composing), and duplicate keys (constructing)."""

    def __init__(self, text: str, kind: str):
        super().__init__(text)
        self.kind = kind  # "kit", "campaign": named in messages
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        # An anchor is refused where it is defined, before any alias could repeat it.
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise RefusedYAML(event.start_mark, f"YAML aliases (&/*) are not allowed in {self.kind} files")
        if self.depth >= MAX_DEPTH:
            raise RefusedYAML(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        first_lines: dict = {}
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue  # a list or mapping as a key is refused later; a merge key ("<<") may repeat keys
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                raise RefusedYAML(key_node.start_mark,
                                  f"key {brief_repr(key)} appears twice (first on line {first_lines[key]})")
            first_lines[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml_mapping(path: Path, error: type[InputError], kind: str, max_bytes: int) -> dict:
    """The mapping at the top of a YAML file (an empty file is an empty mapping).

    `kind` names the files in messages ("kit", "campaign"); every problem is raised as `error(path,
    where, message)`. The caller checks that the file exists (its own words for a missing one)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise error(path, "file", f"{size:,} bytes is over the {max_bytes // 1024:,} KB limit for {kind} files")
    with open(path, "rb") as handle:
        raw = handle.read(max_bytes + 1)  # bounded even if the file grows after the check
    if len(raw) > max_bytes:
        raise error(path, "file", f"over the {max_bytes // 1024:,} KB limit for {kind} files")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = raw.count(b"\n", 0, problem.start) + 1
        raise error(path, f"line {line}", f"expected UTF-8 text (byte 0x{raw[problem.start]:02x})") from None

    loader = StrictLoader(text, kind)
    try:
        data = loader.get_single_data()
    except RefusedYAML as refused:
        raise error(path, f"line {refused.line}", refused.message) from None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        message = getattr(problem, "problem", None) or str(problem)
        raise error(path, where, f"malformed YAML: {shorten(message, 200)}") from None
    finally:
        loader.dispose()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error(path, "(top level)", f"expected a mapping of fields, got {type(data).__name__}")
    return data
