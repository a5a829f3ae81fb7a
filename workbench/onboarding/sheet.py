"""Kits from a client's spreadsheet: one kit per row, logos matched by file name.

    $ workbench kits import brands.xlsx --logos logos/ --into brand_kits

Columns are recognised by their header as a client writes them, in English or Chinese, whatever the
case, spacing or punctuation ("Primary colour", "primary color", "主色", "Logo 文件"...; the table is
`HEADERS`). A header row may sit under a title row: the first of the top rows that names at least two
known columns is the header. Unknown columns are ignored (and named, so a typo is seen).

Each row becomes a draft: the Chinese name is the display name with the English name as its Latin
name (else the English name alone); the slug is the sheet's, else made from the English name, else
from the Chinese name's pinyin; colours may be written `#1F6E5A`, `1f6e5a` or `rgb(31, 110, 90)`;
list cells are split on commas, semicolons or 、; motifs and style words missing from the sheet are
suggested from the category; palette roles missing from the sheet come from the logo's colours. The
logo is the Logo column's file in the logos folder, else the file whose name is the slug or one of
the brand's names. A JPEG logo loses its flat background; PNG and SVG logos are copied exactly.

Every draft is checked by the kits' own validation and its logo by the kits' own reader, so the
problems are the ones `kits validate` would report, each named by row and column as the client's
sheet shows them:

    brands.xlsx:row 7, column "Primary colour": expected a hex colour like '#1F6E5A', got 'blue'

The whole sheet is checked before anything is written (`check_sheet`); `write_sheet_kits` then
writes the valid drafts. Rows are numbered as the spreadsheet shows them (the header is usually row 1).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import InputError, printable, shorten
from workbench.i18n import _
from workbench.kits import LOGO_SUFFIXES, SLUG_PATTERN, KitError, check_kit_data
from workbench.onboarding.logo_palette import draft_fields, logo_colours, palette_roles, prepare_logo
from workbench.onboarding.writer import KitDraft, KitExists, write_kit
from workbench.typography import is_han

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")
SHEET_MAX_BYTES = 20 * 1024 * 1024
XLSX_MAX_UNPACKED = 200 * 1024 * 1024  # what the workbook's parts may add up to once unzipped
MAX_ROWS = 5000
MAX_COLUMNS = 200
MAX_CELL_CHARACTERS = 2000  # a tagline is a line; a motifs cell a few dozen words
HEADER_SEARCH_ROWS = 10
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel in China saves CSV as GBK (gb18030 covers it)

# The kit field a header names -> the headers clients write for it (normalised by `header_key`).
HEADERS: dict[str, tuple[str, ...]] = {
    "brand": ("brand", "brand name", "name", "display name", "品牌", "品牌名", "品牌名称", "名称", "客户"),
    "chinese_name": ("中文名", "中文名称", "中文品牌名", "chinese name", "name chinese", "name zh", "chinese"),
    "english_name": ("english name", "英文名", "英文名称", "英文品牌名", "latin name", "name english", "name en",
                     "english"),
    "slug": ("slug", "id", "brand id", "code", "代号", "标识符"),
    "category": ("category", "industry", "sector", "品类", "类别", "行业", "类目"),
    "language": ("language", "lang", "语言"),
    "tagline": ("tagline", "slogan", "claim", "口号", "标语", "广告语", "品牌口号", "slogan 口号"),
    "primary": ("primary colour", "primary", "main colour", "brand colour", "主色", "主色调", "主要颜色",
                "品牌色", "主颜色"),
    "secondary": ("secondary colour", "secondary", "辅色", "辅助色", "次要颜色", "第二颜色", "辅颜色"),
    "accent": ("accent colour", "accent", "highlight colour", "点缀色", "强调色", "点缀颜色"),
    "background": ("background colour", "background", "bg", "背景色", "背景", "底色", "背景颜色"),
    "logo": ("logo", "logo file", "logo filename", "logo file name", "标志", "标志文件", "logo文件", "标识",
             "商标", "商标文件"),
    "motifs": ("motifs", "motif", "elements", "visual elements", "图案", "元素", "视觉元素", "主题元素"),
    "motif_shapes": ("motif shapes", "shapes", "形状", "图形"),
    "style_words": ("style words", "style", "keywords", "风格", "风格词", "关键词"),
    "negative_words": ("negative words", "avoid", "negative", "不要", "避免", "禁用词"),
}
COLUMN_FIELDS = {"primary": "palette.primary", "secondary": "palette.secondary", "accent": "palette.accent",
                 "background": "palette.background"}
PALETTE_ROLES = ("primary", "secondary", "accent", "background")
LIST_FIELDS = ("motifs", "motif_shapes", "style_words", "negative_words")
_LIST_SPLIT = re.compile(r"[,;，；、\n]+")
_HEX_BARE = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_RGB = re.compile(r"(?:rgb)?\s*\(?\s*(\d{1,3})\s*[, ]\s*(\d{1,3})\s*[, ]\s*(\d{1,3})\s*\)?", re.IGNORECASE)


class SheetError(InputError):
    """The sheet as a whole cannot be read (not a spreadsheet, too big, no header row)."""


@dataclass(frozen=True)
class SheetProblem:
    """One problem in one cell (or one row, or the sheet), in the words `kits validate` uses."""

    sheet: Path
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        column = shorten(self.column, 60) if self.column is not None else None
        if self.row is not None and column is not None:
            where = _('row {number}, column "{column}"').format(number=self.row, column=column)
        elif self.row is not None:
            where = _("row {number}").format(number=self.row)
        else:
            where = _('column "{column}"').format(column=column) if column is not None else ""
        return printable(f"{self.sheet}:{where}: {self.message}" if where else f"{self.sheet}: {self.message}")


@dataclass(frozen=True)
class SheetTable:
    """The cells as text, under recognised headers: each row as (row number, {field: (header, text)})."""

    path: Path
    header_row: int
    columns: dict[str, str]  # field -> the header as the sheet writes it
    ignored: tuple[str, ...]  # headers that name no field
    rows: tuple[tuple[int, dict[str, str]], ...]


@dataclass(frozen=True)
class SheetImport:
    """The checked sheet: a draft per good row, every problem, and notes for the person."""

    sheet: Path
    drafts: tuple[tuple[int, KitDraft], ...]
    problems: tuple[SheetProblem, ...]
    notes: tuple[str, ...] = ()
    rows: int = 0

    @property
    def bad_rows(self) -> list[int]:
        return sorted({problem.row for problem in self.problems if problem.row is not None})


# Reading the sheet ---------------------------------------------------------------------------------


def header_key(text: str) -> str:
    """A header as compared: NFKC (full-width letters become ASCII), case-folded, 'color' as 'colour',
    without spaces and punctuation ("Logo 文件", "logo文件" and "LOGO-文件" are one header)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("color", "colour")
    return "".join(ch for ch in text if ch.isalnum())


_KNOWN = {header_key(spelling): name for name, spellings in HEADERS.items() for spelling in spellings}


def read_sheet(path: Path) -> SheetTable:
    """The sheet's rows under its recognised headers; a SheetError names the file when it cannot be read."""
    path = Path(path)
    if path.suffix.lower() not in SHEET_SUFFIXES:
        raise SheetError(path, "file", _("expected a .xlsx or .csv sheet, got {name!r}").format(name=path.name))
    if not path.is_file():
        raise SheetError(path, "file", _("sheet not found"))
    size = path.stat().st_size
    if size > SHEET_MAX_BYTES:
        raise SheetError(path, "file", _("{size} MB is over the {limit} MB limit for sheets").format(
            size=f"{size / 1024**2:.0f}", limit=SHEET_MAX_BYTES // 1024**2))
    raw_rows = _csv_rows(path) if path.suffix.lower() == ".csv" else _xlsx_rows(path)
    return _table(path, raw_rows)


def _csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(path, "file", _("expected text in UTF-8 or GB18030 (save the sheet as CSV UTF-8)"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    try:
        for row in reader:
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise SheetError(path, "file", _("more than {count} rows; split the sheet").format(count=MAX_ROWS))
            rows.append(_without_trailing_blanks(row[:MAX_COLUMNS + 1]))
    except csv.Error as error:
        raise SheetError(path, _("line {number}").format(number=reader.line_num), _("not readable as CSV ({error})").format(
            error=shorten(str(error), 120))) from None
    return rows


def _xlsx_rows(path: Path) -> list[list[str]]:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise SheetError(path, "file", _("not an .xlsx workbook ({error})").format(error=shorten(str(error), 120))) from None
    if unpacked > XLSX_MAX_UNPACKED:
        raise SheetError(path, "file", _("unpacks to {size} MB, over the {limit} MB limit for sheets").format(
            size=f"{unpacked / 1024**2:.0f}", limit=XLSX_MAX_UNPACKED // 1024**2))
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (KeyError, ValueError, XML errors) for a bad file
        raise SheetError(path, "file", _("not a readable .xlsx workbook ({error})").format(
            error=f"{type(error).__name__}: {shorten(str(error), 120)}")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise SheetError(path, "file", _("more than {count} rows; split the sheet").format(count=MAX_ROWS))
            rows.append(_without_trailing_blanks([_cell_text(value) for value in values]))
        return rows
    except SheetError:
        raise
    except Exception as error:
        raise SheetError(path, "file", _("not a readable .xlsx workbook ({error})").format(
            error=f"{type(error).__name__}: {shorten(str(error), 120)}")) from None
    finally:
        workbook.close()


def _without_trailing_blanks(cells: list[str]) -> list[str]:
    """A row without the empty cells after its last value (openpyxl pads rows to the widest one)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(path: Path, raw_rows: list[list[str]]) -> SheetTable:
    header_index = None
    for index, row in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):
        if len({_KNOWN[header_key(cell)] for cell in row if header_key(cell) in _KNOWN}) >= 2:
            header_index = index
            break
    if header_index is None:
        raise SheetError(path, "header", _("no header row found in the first rows: expected column names such as"
                                           " {examples}").format(examples='"Brand", "中文名", "Primary colour", "Logo"'))
    header = raw_rows[header_index]
    if len(header) > MAX_COLUMNS:
        raise SheetError(path, "header", _("more than {count} columns").format(count=MAX_COLUMNS))
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    ignored = []
    for position, cell in enumerate(header):
        name = _KNOWN.get(header_key(cell))
        if name is None:
            if cell.strip():
                ignored.append(printable(shorten(cell.strip(), 60)))
            continue
        if name in positions:
            raise SheetError(path, _("row {number}").format(number=header_index + 1), _(
                "columns {first!r} and {second!r} both give the {field}; keep one").format(
                first=columns[name], second=cell.strip(), field=name.replace("_", " ")))
        positions[name] = position
        columns[name] = cell.strip()
    rows = []
    for index in range(header_index + 1, len(raw_rows)):
        cells = raw_rows[index]
        values = {name: (cells[position].strip() if position < len(cells) else "")
                  for name, position in positions.items()}
        if any(values.values()):
            rows.append((index + 1, values))
    if len(rows) > MAX_ROWS:
        raise SheetError(path, "file", _("more than {count} rows; split the sheet").format(count=MAX_ROWS))
    return SheetTable(path, header_index + 1, columns, tuple(ignored), tuple(rows))


# Rows to drafts ------------------------------------------------------------------------------------


def normalise_colour(text: str) -> str:
    """'1f6e5a', '#1F6E5A', '#1e5', 'rgb(31, 110, 90)' or '31,110,90' as '#1F6E5A'; anything else unchanged,
    for the kit's validation to refuse in its own words."""
    text = text.strip()
    match = _HEX_BARE.fullmatch(text)
    if match:
        digits = match[1] if len(match[1]) == 6 else "".join(ch * 2 for ch in match[1])
        return "#" + digits.upper()
    match = _RGB.fullmatch(text)
    if match and all(int(v) <= 255 for v in match.groups()):
        return "#{:02X}{:02X}{:02X}".format(*(int(v) for v in match.groups()))
    return text


def slug_from(text: str) -> str:
    """A slug from a brand name: Latin letters as they are, Chinese characters by their pinyin."""
    if any(map(is_han, text)):
        from pypinyin import lazy_pinyin

        text = " ".join(lazy_pinyin(text))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:64].rstrip("-")


def split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


@dataclass
class _Row:
    """One row being turned into a draft, collecting its problems."""

    sheet: SheetTable
    number: int
    values: dict[str, str]
    problems: list[SheetProblem] = field(default_factory=list)

    def column(self, name: str) -> str:
        return self.sheet.columns.get(name, name.replace("_", " "))

    def problem(self, name: str | None, message: str) -> None:
        self.problems.append(SheetProblem(self.sheet.path, self.number, self.column(name) if name else None, message))


def check_sheet(sheet: Path, logos: Path, into: Path, update: bool = False) -> SheetImport:
    """Read and check the whole sheet; nothing is written. A SheetError when it cannot be read at all."""
    table = read_sheet(sheet)
    logos = Path(logos)
    notes = [_("{sheet}: ignored column(s): {columns}").format(sheet=table.path, columns=", ".join(table.ignored))
             ] if table.ignored else []
    problems: list[SheetProblem] = []
    if not logos.is_dir():
        raise SheetError(logos, "--logos", _("logos folder not found"))
    if not any(name in table.columns for name in ("brand", "chinese_name", "english_name")):
        problems.append(SheetProblem(table.path, table.header_row, None,
                                     'no name column: expected "Brand", "中文名" or "English name"'))
        return SheetImport(table.path, (), tuple(problems), tuple(notes), len(table.rows))
    logo_files = _logo_files(logos)
    drafts: list[tuple[int, KitDraft]] = []
    seen: dict[str, int] = {}
    for number, values in table.rows:
        row = _Row(table, number, values)
        draft = _draft(row, logos, logo_files, Path(into))
        if draft is not None:
            slug_column = "slug" if "slug" in table.columns else _name_column(row)
            if draft.slug in seen:
                row.problem(slug_column, _("slug {slug!r} is also row {number}'s; give each brand its own").format(
                    slug=draft.slug, number=seen[draft.slug]))
            elif (Path(into) / draft.slug).exists() and not update:
                row.problem(slug_column, _("kit {slug!r} already exists in {folder}; --update replaces it").format(
                    slug=draft.slug, folder=into))
            seen.setdefault(draft.slug, number)
        problems.extend(row.problems)
        if draft is not None and not row.problems:
            drafts.append((number, draft))
            notes.extend(_("row {number}: {note}").format(number=number, note=note) for note in draft.notes)
    return SheetImport(table.path, tuple(drafts), tuple(problems), tuple(notes), len(table.rows))


def write_sheet_kits(checked: SheetImport, into: Path, update: bool = False) -> list[Path]:
    """Write every good row's kit (call only when the person accepts the problems, or there are none)."""
    written = []
    for number, draft in checked.drafts:
        try:
            written.append(write_kit(draft, Path(into), update=update))
        except KitExists as error:  # appeared since the check
            raise KitExists(error.file, error.field, f"row {number}: {error.message}") from None
    return written


def _names(values: dict[str, str]) -> dict[str, tuple[str, str]]:
    """{"chinese": (name, column), "english": (name, column)}: a "Brand" cell counts as the Chinese name
    when it is in Chinese, else as the English name, unless the sheet has that column filled too."""
    names = {}
    if values.get("chinese_name"):
        names["chinese"] = (values["chinese_name"], "chinese_name")
    if values.get("english_name"):
        names["english"] = (values["english_name"], "english_name")
    brand = values.get("brand", "")
    if brand:
        names.setdefault("chinese" if any(map(is_han, brand)) else "english", (brand, "brand"))
    return names


def _name_column(row: _Row) -> str:
    """The column the row's name came from (for problems about the name or the slug made from it)."""
    return next((name for name in ("chinese_name", "english_name", "brand") if row.values.get(name)), "brand")


def _draft(row: _Row, logos: Path, logo_files: dict[str, Path], into: Path) -> KitDraft | None:
    values = row.values
    for name, text in values.items():
        if len(text) > MAX_CELL_CHARACTERS:
            row.problem(name, _("the cell holds {count} characters; at most {limit} are read").format(
                count=f"{len(text):,}", limit=f"{MAX_CELL_CHARACTERS:,}"))
    if row.problems:
        return None
    names = _names(values)
    chinese, english = names.get("chinese", ("", ""))[0], names.get("english", ("", ""))[0]
    display, display_column = names.get("chinese") or names.get("english") or ("", _name_column(row))
    if not display:
        row.problem(display_column, _("required: the brand's name"))
        return None
    slug = values.get("slug") or slug_from(english or chinese)
    if not values.get("slug") and not SLUG_PATTERN.fullmatch(slug):
        row.problem(_name_column(row), _('cannot make a slug from {name!r}; add a "slug" column').format(name=display))
        return None
    # Every check runs, so a row with a bad logo and a bad colour reports both.
    logo_path = _find_logo(row, logos, logo_files, slug, [name for name, _ in names.values()])
    prepared = None
    if logo_path is not None:
        try:
            prepared = prepare_logo(logo_path, error_file=into / slug / "brand.yaml")
        except KitError as error:
            row.problem("logo", error.message)
    palette = {role: normalise_colour(values[role]) for role in PALETTE_ROLES if values.get(role)}
    missing = [role for role in PALETTE_ROLES if role not in palette]
    if "primary" in missing:
        row.problem("primary", "required: the brand's primary colour")
    elif missing and prepared is not None:
        try:
            derived = palette_roles(logo_colours(prepared.image))
        except ValueError as error:
            row.problem("logo", str(error))
        else:
            palette.update({role: derived[role] for role in missing})
    if row.problems:  # the other cells are still checked, with stand-ins for what is missing
        palette = {role: palette.get(role, "#000000") for role in PALETTE_ROLES}
    lists = {name: split_list(values[name]) for name in LIST_FIELDS if values.get(name)}
    data = draft_fields(
        slug, palette, name=display, latin_name=english or None, category=values.get("category") or "brand",
        language=values.get("language") or None, tagline=values.get("tagline", ""),
        logo_file=prepared.source.file_name if prepared else "logo.png", **lists)
    _kit, kit_problems = check_kit_data(data, into / slug)
    for problem in kit_problems:
        row.problem(_column_for_field(problem.field, {"display_name": display_column,
                                                      "latin_name": names.get("english", ("", "english_name"))[1]}),
                    problem.message)
    if row.problems:
        return None
    comments = [f"Imported from {row.sheet.path.name}, row {row.number}: check it before the campaign uses it."]
    if missing:
        comments.append(f"palette {', '.join(missing)}: not in the sheet; from the logo's colours.")
    suggested = [name for name in ("motifs", "motif_shapes", "style_words") if name not in lists]
    if suggested:
        comments.append(f"{', '.join(suggested)}: suggested from the category {data['category']!r}.")
    return KitDraft(data, prepared.source, tuple(comments), prepared.notes)


def _column_for_field(kit_field: str, name_columns: dict[str, str]) -> str:
    """The sheet column a kit field came from ('palette.primary' -> 'primary', 'motifs.0' -> 'motifs')."""
    parts = kit_field.split(".")
    if parts[0] == "palette":
        return parts[1] if len(parts) > 1 else "primary"
    return name_columns.get(parts[0], parts[0])


def _logo_files(logos: Path) -> dict[str, Path]:
    """The logos folder's files by their stem as `header_key` compares names ("Red Dot.png": "reddot")."""
    found: dict[str, Path] = {}
    for path in sorted(logos.iterdir()):
        if path.is_file() and path.suffix.lower() in LOGO_SUFFIXES:
            found.setdefault(header_key(path.stem), path)
    return found


def _find_logo(row: _Row, logos: Path, logo_files: dict[str, Path], slug: str, names: list[str]) -> Path | None:
    named = row.values.get("logo", "")
    if named:
        path = logos / named
        if not path.resolve().is_relative_to(logos.resolve()):
            row.problem("logo", _("{name!r} is outside the logos folder {folder}; name a file inside it").format(
                name=named, folder=logos))
            return None
        if path.suffix.lower() not in LOGO_SUFFIXES:
            row.problem("logo", _("expected one of {suffixes}, got {name!r}").format(suffixes=", ".join(LOGO_SUFFIXES),
                                                                                 name=named))
            return None
        if not path.is_file():
            row.problem("logo", _("logo file not found: {path}").format(path=path))
            return None
        return path
    for name in (slug, *names):
        if header_key(name) in logo_files:
            return logo_files[header_key(name)]
    row.problem("logo", _("no logo in {folder} named after {slug!r} or the brand's names (e.g. {slug}.png or"
                          ' {slug}.svg); or give the file in a "Logo" column').format(folder=logos, slug=slug))
    return None
