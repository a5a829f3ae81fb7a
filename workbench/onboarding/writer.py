"""Kit folders written atomically: `brand.yaml` and the logo appear together, or not at all.

A new kit is written into a hidden folder beside its final place (`.<slug>.<random>.part`, which
`load_kits` skips) and renamed into place. An existing kit is never touched unless `update=True`;
then the logo is replaced first and brand.yaml last, each file atomically, and brand.yaml keeps its
comments and key order (a round-trip with ruamel.yaml): only the fields that changed are rewritten.

    >>> write_kit(draft, Path("brand_kits"))
    PosixPath('brand_kits/lotus-tea')
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from workbench.errors import InputError
from workbench.i18n import _
from workbench.files import _umask, atomic_path  # the one umask reading (files' temp files get it too)

# The order of brand.yaml's fields in the sample kits: a written kit reads like a hand-made one.
FIELD_ORDER = ("slug", "display_name", "latin_name", "category", "language", "tagline", "palette", "logo",
               "font", "motifs", "motif_shapes", "style_words", "negative_words")
PALETTE_ORDER = ("primary", "secondary", "accent", "background")


class KitExists(InputError):
    """The kit folder is there already and the caller did not ask to update it."""


@dataclass(frozen=True)
class LogoSource:
    """The logo a draft will get: a file copied byte for byte (PNG, SVG kept exact), or an image to be
    written as PNG (a JPEG whose background was removed)."""

    file_name: str  # the name in the kit folder: logo.png, logo.svg
    copy_from: Path | None = None
    image: Image.Image | None = None

    def write(self, path: Path) -> None:
        with atomic_path(path) as temp:
            if self.copy_from is not None:
                shutil.copyfile(self.copy_from, temp)
            else:
                self.image.save(temp, format="PNG")

    def png_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG")
        return buffer.getvalue()


@dataclass(frozen=True)
class KitDraft:
    """A kit before it is written: brand.yaml's fields (already checked), its logo, and the comment
    lines that say where it came from and what a person should check."""

    fields: dict[str, Any]
    logo: LogoSource
    comments: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)  # said to the person, not written

    @property
    def slug(self) -> str:
        return self.fields["slug"]


def ordered_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """brand.yaml's fields in the sample kits' order (unknown ones last), empty optional ones left out."""
    keys = [key for key in FIELD_ORDER if key in fields] + [key for key in fields if key not in FIELD_ORDER]
    ordered = {}
    for key in keys:
        value = fields[key]
        if value is None or value == [] or value == "":
            continue
        if key == "palette":
            value = {role: value[role] for role in PALETTE_ORDER if role in value}
        ordered[key] = value
    return ordered


def write_kit(draft: KitDraft, into: Path, update: bool = False) -> Path:
    """Write the draft as `<into>/<slug>/`; raises KitExists when the folder exists and not `update`."""
    into = Path(into)
    folder = into / draft.slug
    if folder.exists() or folder.is_symlink():
        if not update:
            raise KitExists(folder, "slug", _("kit {slug!r} already exists; --update replaces it").format(slug=draft.slug))
        _update_kit(draft, folder)
        return folder
    into.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{draft.slug}.", suffix=".part", dir=into))
    try:
        draft.logo.write(staging / draft.logo.file_name)
        (staging / "brand.yaml").write_text(brand_yaml_text(draft.fields, draft.comments), encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700; the kit gets the usual mode
        os.rename(staging, folder)  # fails if the folder appeared meanwhile: nothing is overwritten
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if folder.exists():
            raise KitExists(folder, "slug", _("kit {slug!r} appeared while it was written; not replaced").format(
                slug=draft.slug)) from None
        raise
    return folder


def _update_kit(draft: KitDraft, folder: Path) -> None:
    if not folder.is_dir() or folder.is_symlink():
        raise KitExists(folder, "slug", _("is not a kit folder (a file or a link); not replaced"))
    draft.logo.write(folder / draft.logo.file_name)
    save_brand_yaml(folder / "brand.yaml", draft.fields, draft.comments)


# brand.yaml text -----------------------------------------------------------------------------------


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, key order and quoting style survive a load and a dump
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a tagline over two lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def brand_yaml_text(fields: dict[str, Any], comments: tuple[str, ...] = ()) -> str:
    """A new brand.yaml: the comment lines on top, fields in order, colours quoted, short lists inline."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    document = CommentedMap()
    for key, value in ordered_fields(fields).items():
        if key == "palette":
            value = CommentedMap((role, DoubleQuotedScalarString(colour)) for role, colour in value.items())
        elif isinstance(value, list):
            value = CommentedSeq(value)
            value.fa.set_flow_style()
        document[key] = value
    buffer = io.StringIO()
    _yaml().dump(document, buffer)
    header = "".join(f"# {line}\n" if line else "#\n" for line in comments)
    return header + buffer.getvalue()


def save_brand_yaml(path: Path, fields: dict[str, Any], comments: tuple[str, ...] = ()) -> None:
    """Write brand.yaml atomically. An existing file keeps its comments and key order: changed values
    are replaced in place, new fields added in the usual order, fields no longer set removed."""
    if not path.is_file():
        with atomic_path(path) as temp:
            temp.write_text(brand_yaml_text(fields, comments), encoding="utf-8")
        return
    yaml = _yaml()
    with open(path, encoding="utf-8") as handle:
        document = yaml.load(handle)
    _merge(document, ordered_fields(fields))
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    with atomic_path(path) as temp:
        temp.write_text(buffer.getvalue(), encoding="utf-8")


def _merge(document, fields: dict[str, Any]) -> None:
    """Change `document` (a ruamel mapping) in place to hold `fields`, keeping what did not change."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    for key in [key for key in document if key not in fields]:
        del document[key]
    for key, value in fields.items():
        old = document.get(key)
        if key == "palette":
            if not isinstance(old, CommentedMap):
                old = document[key] = CommentedMap()
            for role in [role for role in old if role not in value]:
                del old[role]
            for role, colour in value.items():
                if str(old.get(role, "")).upper() != colour.upper():
                    old[role] = DoubleQuotedScalarString(colour)
            continue
        if isinstance(value, list):
            if isinstance(old, list) and list(old) == value:
                continue
            sequence = CommentedSeq(value)
            if not isinstance(old, CommentedSeq) or old.fa.flow_style():
                sequence.fa.set_flow_style()
            value = sequence
        elif old == value:
            continue
        if key in document:
            document[key] = value
        else:
            document.insert(_position(document, key), key, value)


def _position(document, key: str) -> int:
    """Where a new field goes: after the last field that comes before it in FIELD_ORDER."""
    if key not in FIELD_ORDER:
        return len(document)
    before = FIELD_ORDER[: FIELD_ORDER.index(key)]
    keys = list(document)
    places = [keys.index(name) + 1 for name in before if name in keys]
    return max(places, default=0)
