"""The kit editor of `01_brand_kits`: a form per kit with a live previz float beside it.

    >>> KitEditor(Path("../brand_kits"))                  # every kit of the folder, the first shown
    >>> KitEditor(Path("../brand_kits"), slug="lotus-tea")

The form holds names, palette (colour pickers beside the hex), motifs, motif shapes, style and
negative words, and a logo upload. Each change is checked as it is typed by the kits' own
`check_kit_data` and `check_kit_files`, so the messages are the ones `workbench kits validate`
prints; while the kit is valid, the float is drawn again (small, by the previz backend) and shown
beside the form. The front end waits for a pause in typing (DEBOUNCE_MS) before it sends the form,
so the float follows the typing within a second without drawing every keystroke.

Save writes brand.yaml atomically, keeping its comments and key order (`writer.save_brand_yaml`,
a ruamel.yaml round-trip), and an uploaded logo beside it; then the kit is loaded again as
`kits validate` would, and the result is shown. Nothing is written before Save.

State lives in traitlets (the form's values, the problems, the float as a data URI, a status line);
the front end is `editor.js` and `editor.css` beside this file. An uploaded logo is read by the
kits' own reader, in a folder of its own, before anything else looks at it.
"""

from __future__ import annotations

import base64
import io
import tempfile
from pathlib import Path
from typing import Any, Callable, get_args

import anywidget
import traitlets
from PIL import Image

from workbench.i18n import N_, speaking, translator
from workbench.kits import (
    LOGO_MAX_BYTES, LOGO_SUFFIXES, BrandKit, KitError, MotifShape, check_kit_data, check_kit_files, load_kit,
)
from workbench.onboarding.logo_palette import prepare_logo
from workbench.onboarding.writer import save_brand_yaml
from workbench.yamlfile import KIT_FILE_MAX_BYTES, read_yaml_mapping

HERE = Path(__file__).parent
FLOAT_SIZE = 320  # px: the float beside the form is drawn small, so it follows typing
DEBOUNCE_MS = 300
LANGUAGES = ("en", "zh", "ja", "ko", "other")
LIST_FIELDS = ("motifs", "motif_shapes", "style_words", "negative_words")
TEXT_FIELDS = ("display_name", "latin_name", "category", "language", "tagline")
ROLES = ("primary", "secondary", "accent", "background")
FloatDrawer = Callable[[BrandKit, int], Image.Image]
# Every word editor.js draws: it looks each up in the `words` trait, these translated (tests check the list).
EDITOR_WORDS = (
    N_("Kit"), N_("Save brand.yaml"), N_("Names"), N_("Palette"), N_("Motifs and words"), N_("Logo"),
    N_("Display name"), N_("any script: the name on the banner"),
    N_("Latin name"), N_("shown under a name in another script; may be empty"),
    N_("Category"), N_("what the brand is: tea house, electric vehicles..."),
    N_("Tagline"), N_("in the brand's own language"),
    N_("Language"), N_("of the display name and tagline"),
    N_("Motifs"), N_("what the float is sculpted around, comma-separated"),
    N_("Style words"), N_("comma-separated"),
    N_("Negative words"), N_("what images must avoid, comma-separated"),
    N_("Motif shapes"), N_("the shapes previz decorates the float with"),
    N_("Upload"), N_("PNG or SVG kept exact; a JPEG loses its flat background"),
    N_("(no logo)"), N_("the kit's logo"), N_("previz float of the kit"),
    N_("previz float, drawn from the form"), N_("the float of the last valid form: fix the problems to draw it again"),
)


def previz_float(kit: BrandKit, seed: int, size: int = FLOAT_SIZE) -> Image.Image:
    """The offline previz float of the kit (the default drawer)."""
    from workbench.backends.previz import PrevizBackend
    from workbench.prompts import PromptTemplate, build_prompt

    [concept] = PrevizBackend().generate(kit, build_prompt(kit, PromptTemplate()), seed, {"width": size, "height": size})
    return concept.image


class KitEditor(anywidget.AnyWidget):
    """Edit the kits of one folder. `draw(kit, seed)` makes the float (default: previz, small)."""

    _esm = HERE / "editor.js"
    _css = HERE / "editor.css"

    slugs = traitlets.List(traitlets.Unicode()).tag(sync=True)
    slug = traitlets.Unicode("").tag(sync=True)
    form = traitlets.Dict().tag(sync=True)  # the form's values: names, palette, lists, logo
    problems = traitlets.List(traitlets.Dict()).tag(sync=True)  # [{field, message}], as kits validate says them
    preview = traitlets.Unicode("").tag(sync=True)  # the float as a data: URI
    preview_current = traitlets.Bool(False).tag(sync=True)  # False: the float is of an earlier, valid form
    logo_preview = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    dirty = traitlets.Bool(False).tag(sync=True)
    seed = traitlets.Int(1).tag(sync=True)
    shapes = traitlets.List(traitlets.Unicode(), default_value=list(get_args(MotifShape))).tag(sync=True)
    languages = traitlets.List(traitlets.Unicode(), default_value=list(LANGUAGES)).tag(sync=True)
    debounce_ms = traitlets.Int(DEBOUNCE_MS).tag(sync=True)
    words = traitlets.Dict().tag(sync=True)  # English -> the editor's language, for what editor.js draws

    def __init__(self, kits_folder: Path | str, slug: str | None = None, draw: FloatDrawer | None = None,
                 lang: str | None = None):
        self.tr = translator(lang)  # None: the process's language
        super().__init__(words={english: self.tr._(english) for english in EDITOR_WORDS})
        self.kits_folder = Path(kits_folder)
        self._draw = draw or previz_float
        self._staging = tempfile.TemporaryDirectory(prefix="kit-editor-")
        self._other: dict[str, Any] = {}  # brand.yaml fields the form does not show (font, unknown keys)
        self._staged_logo: Path | None = None
        self._logo_shown: Path | None = None
        self.slugs = sorted(p.name for p in self.kits_folder.iterdir()
                            if (p / "brand.yaml").is_file() and not p.name.startswith(("_", ".")))
        self.on_msg(self._on_message)
        self.observe(lambda change: self._open(change["new"]), names="slug")
        self.observe(lambda change: self._changed(), names="form")
        self.observe(lambda change: self._changed(redraw_only=True), names="seed")
        if not self.slugs:
            self.status = self.tr._("no kits in {folder}").format(folder=self.kits_folder)
            return
        self.slug = slug if slug in self.slugs else self.slugs[0]

    @property
    def folder(self) -> Path:
        return self.kits_folder / self.slug

    # Opening a kit ---------------------------------------------------------------------------------

    def _open(self, slug: str) -> None:
        self._staged_logo = self._logo_shown = None
        self.preview, self.logo_preview = "", ""
        try:
            data = read_yaml_mapping(self.folder / "brand.yaml", KitError, "kit", KIT_FILE_MAX_BYTES)
        except KitError as error:  # unreadable YAML: say so, show an empty form
            data = {"slug": slug}
            self.status = str(error)
        else:
            self.status = self.tr._("editing {file}").format(file=self.folder / "brand.yaml")
        self._other = {key: value for key, value in data.items()
                       if key not in (*TEXT_FIELDS, *LIST_FIELDS, "palette", "logo", "slug")}
        self.form = form_values(data)
        self.dirty = False

    # Checking and drawing --------------------------------------------------------------------------

    def kit_data(self) -> dict[str, Any]:
        """brand.yaml's fields as the form now holds them."""
        return {"slug": self.slug, **self._other, **data_from_form(self.form)}

    def _changed(self, redraw_only: bool = False) -> None:
        if not redraw_only:
            self.dirty = True
        folder = self._staged_logo.parent if self._staged_logo else self.folder
        with speaking(self.tr.language):  # the problems in the editor's language, not the process's
            kit, problems = check_kit_data(self.kit_data(), folder)
            if kit is not None:
                try:
                    check_kit_files(kit)
                except KitError as error:
                    kit, problems = None, [error]
        self.problems = [{"field": problem.field, "message": problem.message} for problem in problems]
        if kit is None:
            self.preview_current = False
            return
        if self._logo_shown != kit.logo_path:  # the thumbnail only when the logo changes, not each keystroke
            self.logo_preview = _data_uri(_thumbnail(kit.logo_image(), 160))
            self._logo_shown = kit.logo_path
        self.preview = _data_uri(self._draw(kit, self.seed))
        self.preview_current = True

    # Messages from the front end -------------------------------------------------------------------

    def _on_message(self, _widget, content, buffers) -> None:
        if not isinstance(content, dict):
            return
        if content.get("kind") == "save":
            self.save()
        elif content.get("kind") == "logo" and buffers:
            self.upload_logo(str(content.get("name", "")), bytes(buffers[0]))

    def upload_logo(self, name: str, data: bytes) -> None:
        """Stage an uploaded logo (read by the kits' own reader; a JPEG loses its flat background)."""
        suffix = Path(name).suffix.lower()
        if suffix not in LOGO_SUFFIXES:
            self.status = self.tr._("logo: expected one of {suffixes}, got {name!r}").format(
                suffixes=", ".join(LOGO_SUFFIXES), name=Path(name).name)
            return
        if len(data) > LOGO_MAX_BYTES:
            self.status = self.tr._("logo: {name} is over {limit} MB").format(name=Path(name).name,
                                                                               limit=LOGO_MAX_BYTES // 1024**2)
            return
        staging = Path(self._staging.name) / self.slug
        staging.mkdir(parents=True, exist_ok=True)
        upload = Path(self._staging.name) / f"upload{suffix}"
        upload.write_bytes(data)
        try:
            prepared = prepare_logo(upload, error_file=self.folder / "brand.yaml")
        except KitError as error:
            self.status = self.tr._("logo: {problem}").format(
                problem=error.message.replace("upload" + suffix, Path(name).name))
            return
        staged = staging / prepared.source.file_name
        prepared.source.write(staged)
        self._staged_logo = staged
        self.status = self.tr._("logo {name} ready; Save writes it as {file}").format(
            name=Path(name).name, file=prepared.source.file_name)
        self.form = {**self.form, "logo": prepared.source.file_name}

    def save(self) -> None:
        """Write brand.yaml (and a staged logo) atomically, then load the kit as `kits validate` does."""
        if self.problems:
            self.status = self.tr._("not saved: fix the problems first")
            return
        if self._staged_logo is not None:
            from workbench.files import atomic_path

            with atomic_path(self.folder / self._staged_logo.name) as temp:
                temp.write_bytes(self._staged_logo.read_bytes())
            self._staged_logo = None
        save_brand_yaml(self.folder / "brand.yaml", self.kit_data())
        try:
            load_kit(self.folder)
        except KitError as error:
            self.status = self.tr._("saved, but: {problem}").format(problem=error)
        else:
            self.status = self.tr._("saved {file}; kits validate: ok").format(file=self.folder / "brand.yaml")
            self.dirty = False


def form_values(data: dict[str, Any]) -> dict[str, Any]:
    """The form's values from brand.yaml's fields: text as text, lists as lists of text, the palette by role.
    A value of the wrong type (a number for a name) is shown as text, for validation to point at."""
    palette = data.get("palette") if isinstance(data.get("palette"), dict) else {}
    values: dict[str, Any] = {name: "" if data.get(name) is None else str(data[name]) for name in TEXT_FIELDS}
    values["language"] = values["language"] or "en"
    values["palette"] = {role: "" if palette.get(role) is None else str(palette[role]) for role in ROLES}
    for name in LIST_FIELDS:
        value = data.get(name)
        values[name] = [str(item) for item in value] if isinstance(value, list) else ([str(value)] if value else [])
    values["logo"] = "" if data.get("logo") is None else str(data["logo"])
    return values


def data_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """brand.yaml's fields from the form (an empty Latin name is no Latin name)."""
    data: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
    if not data["latin_name"]:
        data["latin_name"] = None
    palette = form.get("palette") if isinstance(form.get("palette"), dict) else {}
    data["palette"] = {role: str(palette.get(role, "")).strip() for role in ROLES}
    for name in LIST_FIELDS:
        items = form.get(name) if isinstance(form.get(name), list) else []
        data[name] = [str(item).strip() for item in items if str(item).strip()]
    data["logo"] = str(form.get("logo", "")).strip()
    return data


def _thumbnail(image: Image.Image, side: int) -> Image.Image:
    image = image.copy()
    image.thumbnail((side, side))
    return image


def _data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
