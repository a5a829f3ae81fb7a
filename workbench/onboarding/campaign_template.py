"""`workbench new campaign NAME --brands a,b,c`: a campaign file with the current defaults, explained.

The text is made from the campaign's own pydantic models, so it cannot drift from them: every value
is a default of `workbench.campaign.Campaign` as this version has it, each block's comment is its
model's docstring and each field's comment its `description`. `load_campaign` reads the file back
to the same settings (the tests check it), so a new campaign starts from exactly what an empty one
would get, with every knob in view.

    >>> print(campaign_text("spring-parade", ["lotus-tea", "tern-motors"], Path("../brand_kits")))
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from workbench.campaign import Campaign, CampaignError
from workbench.errors import InputError
from workbench.i18n import _
from workbench.files import atomic_path
from workbench.kits import SLUG_PATTERN, load_kits

BLOCKS = ("prompt", "generation", "triage", "film", "labels")  # the nested settings, in the file's order
# The top-level fields are plain values without a model of their own to describe them.
TOP_LEVEL_COMMENTS = {
    "name": "the campaign's slug: its renders go in <renders_folder>/<name>/",
    "title": "on the film's title card",
    "end_card": "on the film's end card (in Chinese, the AI label says AI生成)",
    "brands": "the kits of the campaign, in parade order (slugs of folders in kits_folder)",
    "kits_folder": "relative to this file",
    "renders_folder": "relative to this file",
}


def campaign_text(name: str, brands: list[str], kits_folder: str, renders_folder: str = "../renders",
                  title: str | None = None) -> str:
    """The commented YAML of a new campaign with every default of this version."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    document = CommentedMap()
    document["name"] = name
    document["title"] = title or name.replace("-", " ").title()
    document["end_card"] = ""
    document["brands"] = _flow(list(brands))
    document["kits_folder"] = str(kits_folder)
    document["renders_folder"] = str(renders_folder)
    for key, comment in TOP_LEVEL_COMMENTS.items():
        document.yaml_add_eol_comment(comment, key, column=40)
    defaults = Campaign.model_construct()  # every default, without needing a real kits folder
    for block in BLOCKS:
        model = getattr(defaults, block)
        document[block] = _block(model, indent=2)
        document.yaml_set_comment_before_after_key(block, before="\n" + _docstring(type(model)), indent=0)
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    # "duration: null" says there is a setting and that it is off; a bare "duration:" reads as forgotten.
    yaml.representer.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "null"))
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    header = (f"# Campaign {name}, made by `workbench new campaign` with this version's defaults.\n"
              "# Each block says what it sets; a line deleted goes back to its default.\n")
    return header + buffer.getvalue()


def write_campaign_file(name: str, brands: list[str], kits_folder: Path, into: Path = Path("campaigns"),
                        title: str | None = None) -> Path:
    """Write `<into>/<name>.yaml` atomically; an existing file, a bad name or an unknown brand is an InputError."""
    path = Path(into) / f"{name}.yaml"
    if not SLUG_PATTERN.fullmatch(name):
        raise CampaignError(path, "name", _("expected a slug of lowercase letters, digits and '-', got {name!r}").format(
            name=name))
    if path.exists():
        raise CampaignError(path, "file", _("a campaign of that name exists; pick another name or edit it"))
    if not Path(kits_folder).is_dir():
        raise InputError(kits_folder, "--kits", _("brand kit folder not found"))
    report = load_kits(kits_folder)
    unknown = [brand for brand in brands if brand not in report.kits]
    if not brands or unknown:
        known = ", ".join(sorted(report.kits)) or "none"
        raise InputError(kits_folder, "--brands", _("unknown brand(s) {brands}; known: {known}").format(
            brands=", ".join(map(repr, unknown)), known=known) if unknown else _(
            "name at least one brand; known: {known}").format(known=known))
    relative_kits = os.path.relpath(Path(kits_folder).resolve(), Path(into).resolve())
    relative_renders = os.path.relpath((Path(into) / ".." / "renders").resolve(), Path(into).resolve())
    text = campaign_text(name, brands, relative_kits, relative_renders, title=title)
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return path


def _block(model: BaseModel, indent: int):
    """A model's defaults as a commented mapping: each field's description above it."""
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap()
    for field_name, info in type(model).model_fields.items():
        value = getattr(model, field_name)
        if isinstance(value, BaseModel):
            mapping[field_name] = _block(value, indent + 2)
            comment = info.description or _docstring(type(value))
        else:
            mapping[field_name] = _yaml_value(value)
            comment = info.description
        if comment:
            mapping.yaml_set_comment_before_after_key(field_name, before=_one_line(comment), indent=indent)
    return mapping


def _yaml_value(value: Any):
    """A default as YAML: paths as text, short lists inline, text with ':' quoted (PyYAML, which reads the
    file back, takes an unquoted 16:9 for the number 969)."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, BaseModel):
        return _block(value, 0)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return DoubleQuotedScalarString(value) if ":" in value or value == "" else value
    if isinstance(value, (list, tuple)):
        return _flow([_yaml_value(item) for item in value])
    if isinstance(value, dict):
        mapping = CommentedMap((_yaml_value(key), _yaml_value(item)) for key, item in value.items())
        if all(not isinstance(item, (dict, BaseModel)) for item in value.values()):
            mapping.fa.set_flow_style()
        return mapping
    return value


def _flow(items: list):
    from ruamel.yaml.comments import CommentedSeq

    sequence = CommentedSeq(items)
    sequence.fa.set_flow_style()
    return sequence


def _docstring(model: type) -> str:
    """A model's docstring as one comment line (its first paragraph)."""
    paragraph = (model.__doc__ or model.__name__).strip().split("\n\n")[0]
    return _one_line(paragraph)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
