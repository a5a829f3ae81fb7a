"""The workbench in two languages (issue 14): every message has its Chinese, the catalogs are current
with the code, the language is chosen in the documented order, and what a person reads follows it.
Errors keep naming the file and the field as the file spells them."""

from __future__ import annotations

import gettext
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from workbench import i18n
from workbench.i18n import LANGUAGES, UnknownLanguage, choose_language, normalise, translator
from workbench.settings import SettingsError

REPO = Path(__file__).resolve().parent.parent
LOCALE = REPO / "workbench" / "locale"
POT = LOCALE / "workbench.pot"
TRANSLATED = [language for language in LANGUAGES if language != i18n.SOURCE_LANGUAGE]


@pytest.fixture(autouse=True)
def no_language_left_chosen():
    """Each test starts in English (conftest sets $WORKBENCH_LANG) and leaves no language chosen behind."""
    yield
    i18n.set_language(None)


def _catalog(path: Path, locale: str | None = None):
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def _ids(catalog) -> set[str]:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


def _placeholders(text: str) -> list[str]:
    """The {name!r:spec} fields and %(name)s/%s placeholders of a message, sorted (order may change in a translation)."""
    fields = [f"{{{name}{'!' + conversion if conversion else ''}}}"
              for _text, name, _spec, conversion in string.Formatter().parse(text) if name is not None]
    return sorted(fields + re.findall(r"%(?:\([a-z_]+\))?[sdrf]", text))


# The catalogs ------------------------------------------------------------------------------------


def test_the_template_is_current_with_the_code(tmp_path):
    """Re-extracting the code gives the committed template's messages: none added or dropped unseen."""
    fresh = tmp_path / "fresh.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(["bash", str(REPO / "scripts/i18n.sh"), "extract"], check=True, cwd=REPO,
                   env={**os.environ, "POT": str(fresh), "PYBABEL": str(pybabel)})
    code, committed = _ids(_catalog(fresh)), _ids(_catalog(POT))
    assert code - committed == set(), "messages in the code but not in workbench.pot: run scripts/i18n.sh all"
    assert committed - code == set(), "messages in workbench.pot no longer in the code: run scripts/i18n.sh all"
    assert len(code) > 250  # the gallery, sheets, widgets, CLI and errors all went through gettext



def test_the_notebooks_printed_words_are_extracted_and_translated():
    """babel.cfg reads the notebooks' code cells too: what they print through _() is in the catalog."""
    import nbformat

    ids = _ids(_catalog(POT))
    chinese = translator("zh_CN")
    found = []
    for path in sorted((REPO / "notebooks").glob("0*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                found += re.findall(r'(?<![\w.])_\("((?:[^"\\]|\\.)*)"\)', cell.source)
    assert "no accepted ideas yet: accept some above, then run this cell" in found
    assert [message for message in found if message not in ids] == []
    assert all(chinese._(message) != message for message in found)


def test_no_message_hides_inside_an_f_string():
    """Babel reads an f-string as one literal: a _() inside it is never extracted, so never translated."""
    import io
    import tokenize

    hidden = []
    for path in sorted((REPO / "workbench").rglob("*.py")):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if (token.type == tokenize.STRING and re.match(r"^[rbuRBU]*[fF]", token.string)
                    and re.search(r"(?<![\w.])(?:tr\.|self\.tr\.)?(?:_|ngettext|N_)\(", token.string)):
                hidden.append(f"{path.relative_to(REPO)}:{token.start[0]}")
    assert hidden == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation_with_the_same_placeholders(language):
    po = _catalog(LOCALE / language / "LC_MESSAGES" / "workbench.po", locale=language)
    by_id = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in po if m.id}
    untranslated, mismatched = [], []
    for message_id in sorted(_ids(_catalog(POT))):
        message = by_id.get(message_id)
        strings = ([message.string] if isinstance(message.string, str) else list(message.string)) if message else []
        if not strings or not all(s.strip() for s in strings) or (message and message.fuzzy):
            untranslated.append(message_id)
            continue
        # A plural form may say the singular's or the plural's placeholders (Chinese has one form for both).
        originals = {tuple(_placeholders(text)) for text in ([message.id] if isinstance(message.id, str) else message.id)}
        if any(tuple(_placeholders(text)) not in originals for text in strings):
            mismatched.append((message_id, strings))
    assert untranslated == [], f"{language}: untranslated (edit the .po, then scripts/i18n.sh compile)"
    assert mismatched == [], f"{language}: placeholders differ from the English"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_is_the_po(language):
    """The .mo the workbench reads says what the .po says (a stale .mo: scripts/i18n.sh compile, or make)."""
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "workbench.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for message in _catalog(folder / "workbench.po", locale=language):
        if message.id and isinstance(message.id, str) and message.string:  # untranslated: the test above
            assert compiled.gettext(message.id) == message.string, message.id


def test_placeholders_are_compared_by_name():
    assert _placeholders("{count} of {pages}") == _placeholders("共 {pages} 页中的 {count}")
    assert _placeholders("{value!r} x") != _placeholders("{value} x")
    assert _placeholders("{count} selected") != _placeholders("已选 {n} 个")


# Choosing the language ---------------------------------------------------------------------------


def test_the_language_is_chosen_argument_variable_settings_locale_english(tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('[ui]\nlanguage = "zh-CN"\n', encoding="utf-8")
    environ = {"PARADE_WORKBENCH_SETTINGS": str(settings), "LANG": "en_US.UTF-8", "WORKBENCH_LANG": "en"}
    assert choose_language("zh_CN", environ) == "zh_CN"  # the notebook parameter or --lang first
    assert choose_language(None, environ) == "en"  # then $WORKBENCH_LANG
    del environ["WORKBENCH_LANG"]
    assert choose_language(None, environ) == "zh_CN"  # then the settings file
    settings.write_text("[ui]\n", encoding="utf-8")
    assert choose_language(None, environ) == "en"  # then the system locale
    assert choose_language(None, {**environ, "LANG": "zh_CN.UTF-8"}) == "zh_CN"
    assert choose_language(None, {**environ, "LC_ALL": "zh_CN.UTF-8"}) == "zh_CN"
    assert choose_language(None, {**environ, "LANG": "fr_FR.UTF-8"}) == "en"  # a locale we lack: English
    assert choose_language(None, {"PARADE_WORKBENCH_SETTINGS": str(tmp_path / "none.toml")}) == "en"


def test_spellings_of_the_languages():
    assert [normalise(code) for code in ("zh_CN", "zh-CN", "zh", "zh_CN.UTF-8", "zh-Hans", "EN", "en_GB", "C")] == [
        "zh_CN", "zh_CN", "zh_CN", "zh_CN", "zh_CN", "en", "en", "en"]
    assert normalise("fr") is None and normalise("") is None


def test_an_unknown_language_is_one_line_naming_where_it_came_from(tmp_path):
    with pytest.raises(UnknownLanguage, match=r"^\$WORKBENCH_LANG: unknown language 'klingon'; expected one of en, zh_CN$"):
        choose_language(None, {"WORKBENCH_LANG": "klingon"})
    with pytest.raises(UnknownLanguage, match=r"^lang: unknown language 'fr'"):
        choose_language("fr", {})
    settings = tmp_path / "settings.toml"
    settings.write_text('[ui]\nlanguage = "fr"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        choose_language(None, {"PARADE_WORKBENCH_SETTINGS": str(settings)})
    assert str(error.value) == f"{settings}: ui.language: unknown language 'fr'; expected one of en, zh_CN"
    settings.write_text("[ui]\nlanguage = 7\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"ui\.language: expected a language name"):
        choose_language(None, {"PARADE_WORKBENCH_SETTINGS": str(settings)})


def test_messages_follow_the_language_when_drawn_not_at_import(monkeypatch):
    assert i18n._("Approve selected") == "Approve selected"
    monkeypatch.setenv("WORKBENCH_LANG", "zh_CN")
    assert i18n._("Approve selected") == "通过所选"
    i18n.set_language("en")
    assert i18n._("Approve selected") == "Approve selected"
    assert translator("zh_CN")._("Approve selected") == "通过所选"  # one view in Chinese, the process in English


def test_a_bad_variable_warns_once_and_speaks_english(monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "tlh")
    with pytest.warns(UserWarning, match=r"\$WORKBENCH_LANG: unknown language 'tlh'.*speaking en"):
        assert i18n.current_language() == "en"


# What a person reads -----------------------------------------------------------------------------

ENGLISH_GALLERY_WORDS = ("Approve", "Reject", "Details", "Brand", "Verdict", "Stars", "Backend", "Seeds", "Triage",
                         "Sort", "Reset", "Refresh", "Select page", "Clear", "Previous", "Next", "Accept triage",
                         "Usable per brand", "Click a card", "Reason (saved", "Grid", "Compare", "More like this")


def _gallery_texts(view) -> list[str]:
    """Every label, option, tooltip and HTML a person can read in the gallery widget tree."""
    import ipywidgets as widgets

    texts, stack = [], [view.widget]
    while stack:
        widget = stack.pop()
        for name in ("description", "tooltip", "placeholder", "value"):
            value = getattr(widget, name, None)
            if isinstance(value, str) and not isinstance(widget, widgets.Text):
                texts.append(value)
        texts += [label for label, _value in getattr(widget, "_options_full", []) if isinstance(label, str)]
        texts += [str(title) for title in getattr(widget, "titles", ()) or ()]
        stack += list(getattr(widget, "children", ()))
    return texts


def _visible(html: str) -> str:
    """The text of some HTML, without its tags and its <style>."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))


def test_the_gallery_in_chinese_shows_none_of_the_english_labels(triage_catalog_and_kits):
    from workbench.curate.gallery import Gallery
    from workbench.curate.widgets import GalleryView

    catalog, kits = triage_catalog_and_kits
    view = GalleryView(Gallery(catalog, kits, reviewer="mei", lang="zh_CN"), title="测试巡游")
    view.gallery.set_current(view.gallery.page_items()[0].id)
    view.draw()
    shown = " ".join(_visible(text) for text in _gallery_texts(view))
    for chinese in ("通过", "驳回", "详情", "品牌", "星级", "初筛", "各品牌可用率", "点一下卡片", "全选本页", "提示词"):
        assert chinese in shown
    for english in ENGLISH_GALLERY_WORDS:
        assert re.search(rf"\b{re.escape(english)}\b", shown) is None, english
    # The same model in English, in the same process: nothing leaked between the two.
    english_view = GalleryView(Gallery(catalog, kits, reviewer="mei"))
    assert "Approve selected" in " ".join(_gallery_texts(english_view))


def test_a_key_in_chinese_still_records_the_decision(triage_catalog_and_kits):
    from workbench.curate.gallery import Gallery

    catalog, kits = triage_catalog_and_kits
    gallery = Gallery(catalog, kits, reviewer="mei", lang="zh_CN")
    concept_id = gallery.page_items()[0].id
    gallery.set_current(concept_id)
    assert gallery.press("a") == f"已通过 {concept_id}"
    assert catalog.history(concept_id)[-1].verdict == "approved"  # the catalog keeps its own words


def test_the_kit_report_and_the_contact_sheet_words_in_chinese(kits_folder, tmp_path):
    from workbench.curate.contact_sheet import board, verdict_label
    from workbench.kits import load_kits

    i18n.set_language("zh_CN")
    (kits_folder / "polar-scoop" / "brand.yaml").write_text("slug: polar-scoop\n", encoding="utf-8")
    html = load_kits(kits_folder)._repr_html_()
    assert "<th>文件</th><th>字段</th><th>问题</th>" in html and "个有效品牌包" in html
    assert "display_name" in html  # the field as the file spells it
    assert verdict_label("approved") == "已通过" and verdict_label(None) == "待审"



def _triaged(catalog, concept_id: str, status: str = "flagged", duplicate_of: str | None = None) -> None:
    """A triage result for `concept_id` as triage stores it: each check's reasons in English and their messages."""
    from workbench.catalog import TriageResult
    from workbench.i18n import N_
    from workbench.triage.check import CheckResult, Reason

    checks = {"cutout": CheckResult(30.0, True, (Reason(N_("float cut by the {sides} edges of the image"),
                                                        sides=["left", "top"]),)),
              "palette": CheckResult(55.0, True, (Reason(N_(
                  "off-brand colour {colour} covers {share} of the float (ΔE {delta_e} from the nearest brand colour)"),
                  colour="#2F7BD6", share="34%", delta_e="41"),))}
    if duplicate_of:
        checks["duplicate"] = CheckResult(0.0, False, (Reason(N_("near-copy of {id}"), id=duplicate_of),))
    catalog.save_triage([TriageResult(concept_id, "1", "0" * 64, {}, 21.0, status, duplicate_of,
                                      {name: check.as_dict() for name, check in checks.items()}, "p1")])


def test_triage_reasons_stored_in_english_show_in_the_gallery_s_language(triage_catalog_and_kits):
    """The catalog keeps triage's reasons in English with their messages; a zh_CN gallery in this English
    process says them in Chinese (the card's line, its tooltip, the detail panel), an English one as stored."""
    from workbench.curate.gallery import Gallery
    from workbench.curate.widgets import GalleryView

    catalog, kits = triage_catalog_and_kits
    concept_id = catalog.concepts()[0].id
    _triaged(catalog, concept_id)
    stored = catalog.triage_results()[concept_id].checks["palette"]
    assert stored["reasons"] == ["off-brand colour #2F7BD6 covers 34% of the float (ΔE 41 from the nearest brand colour)"]

    def drawn(lang: str | None) -> tuple[str, str]:
        view = GalleryView(Gallery(catalog, kits, reviewer="mei", lang=lang))
        view.gallery.set_current(concept_id)
        view.draw()
        return view.detail_facts.value, " ".join(_gallery_texts(view))

    detail, everything = drawn("zh_CN")
    assert "<li>彩车被画面左侧和顶部边缘截断</li>" in detail
    assert "<li>非品牌色 #2F7BD6 占彩车的 34%（与最接近的品牌色相差 ΔE 41）</li>" in detail
    assert "彩车被画面左侧和顶部边缘截断</span>" in everything  # the card's line: the worst check's reason
    assert "off-brand" not in everything and "float cut" not in everything
    detail, everything = drawn(None)
    assert "<li>float cut by the left and top edges of the image</li>" in detail
    assert "off-brand colour #2F7BD6 covers 34%" in detail and "彩车" not in everything


def test_a_near_copy_and_an_older_catalog_s_reasons(triage_catalog_and_kits):
    """A near-copy's reason names the original in Chinese; reasons stored before they kept their messages
    are shown as the catalog holds them."""
    from workbench.curate import scores

    catalog, _kits = triage_catalog_and_kits
    copy_id, original_id = (record.id for record in catalog.concepts()[:2])
    _triaged(catalog, copy_id, status="duplicate", duplicate_of=original_id)
    chinese = translator("zh_CN")
    reasons = scores.reasons_worst_first(catalog.triage_results()[copy_id], chinese)
    assert reasons[0] == f"与 {original_id} 几乎相同" and "彩车被画面左侧和顶部边缘截断" in reasons
    older = {"score": 40.0, "failed": True, "reasons": ["logo covered or altered: 40% of it exact at its place"]}
    assert scores.check_reasons(older, chinese) == ["logo covered or altered: 40% of it exact at its place"]


# The command line --------------------------------------------------------------------------------


def test_a_cli_error_in_chinese_names_the_file_and_the_field(kits_folder):
    from workbench.cli import app

    path = kits_folder / "lotus-tea" / "brand.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["palette"]["primary"] = "red"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(app, ["--lang", "zh_CN", "kits", "validate", str(kits_folder)])
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if line.startswith("lotus-tea"))
    assert "palette.primary: 应为十六进制颜色，例如 '#1F6E5A'，实际为 'red'" in line
    assert "个有效，1 个无效" in result.output and "品牌包" in result.output
    english = CliRunner().invoke(app, ["kits", "validate", str(kits_folder)])
    assert "palette.primary: expected a hex colour like '#1F6E5A', got 'red'" in english.output



def test_kit_and_campaign_problems_in_chinese_keep_file_and_field(kits_folder, tmp_path):
    """Problems found at load: the explanation in Chinese, the file and the field as they are spelt."""
    from conftest import edit_kit, write_campaign
    from workbench.campaign import CampaignError, load_campaign
    from workbench.cli import app

    kit_file = edit_kit(kits_folder / "lotus-tea", slug="lotus-teahouse")
    result = CliRunner().invoke(app, ["--lang", "zh_CN", "kits", "validate", str(kits_folder)])
    line = next(line for line in result.output.splitlines() if line.startswith("lotus-tea"))
    assert "slug: 必须与文件夹名 'lotus-tea' 相同，实际为 'lotus-teahouse'" in line
    i18n.set_language("zh_CN")
    from workbench.kits import load_kits

    problems = [str(error) for error in load_kits(kits_folder).errors]
    assert f"{kit_file}: slug: 必须与文件夹名 'lotus-tea' 相同，实际为 'lotus-teahouse'" in problems
    campaign_file = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                                   film={"sizes": {"16:9": [321, 180]}})
    with pytest.raises(CampaignError) as error:
        load_campaign(campaign_file)
    assert str(error.value) == (f"{campaign_file}: film: sizes.16:9：H.264 yuv420p 要求每边为偶数，且在 64 到 7680 px"
                                " 之间，实际为 321x180")




def test_the_kit_editor_says_its_problems_in_its_own_language(tmp_path):
    """A zh_CN kit editor in an English process: the problems in Chinese, the field as the file spells it."""
    import shutil

    from PIL import Image
    from conftest import SAMPLE_KITS
    from workbench.onboarding.editor import KitEditor

    kits = tmp_path / "brand_kits"
    shutil.copytree(SAMPLE_KITS / "tern-motors", kits / "tern-motors")
    editors = {lang: KitEditor(kits, slug="tern-motors", lang=lang, draw=lambda kit, seed: Image.new("RGBA", (8, 8)))
               for lang in ("zh_CN", "en")}
    for editor in editors.values():
        editor.form = {**editor.form, "palette": {**editor.form["palette"], "primary": "red"}}
    assert editors["zh_CN"].problems == [{"field": "palette.primary", "message": "应为十六进制颜色，例如 '#1F6E5A'，实际为 'red'"}]
    assert editors["en"].problems == [{"field": "palette.primary", "message": "expected a hex colour like '#1F6E5A', got 'red'"}]
    assert i18n._("Approve") == "Approve"  # the process still speaks English


def test_a_kits_import_row_problem_in_chinese_names_sheet_row_and_column(tmp_path):
    """`kits import` in zh_CN: SHEET:第 N 行，列“…”: the problem in Chinese, the sheet, the header and the file as they are."""
    import openpyxl
    from PIL import Image
    from workbench.cli import app

    logos = tmp_path / "logos"
    logos.mkdir()
    Image.new("RGBA", (32, 32), (31, 110, 90, 255)).save(tmp_path / "elsewhere.png")
    workbook = openpyxl.Workbook()
    workbook.active.append(["Brand", "Primary colour", "辅色", "点缀色", "背景色", "Logo"])
    workbook.active.append(["Odd Co", "#1F6E5A", "#F3E9D2", "#D9473F", "#FFF8EC", "../elsewhere.png"])
    sheet = tmp_path / "brands.xlsx"
    workbook.save(sheet)
    result = CliRunner().invoke(app, ["--lang", "zh_CN", "kits", "import", str(sheet), "--logos", str(logos),
                                      "--into", str(tmp_path / "kits")])
    assert result.exit_code == 2, result.output
    problems = [line for line in result.stderr.splitlines() if "brands.xlsx" in line]
    assert len(problems) == 1, result.stderr
    assert f"{sheet}:第 2 行，列“Logo”: '../elsewhere.png' 不在标志文件夹 {logos} 内；请写该文件夹中的文件" in problems[0]
    assert not (tmp_path / "kits").exists() or not any((tmp_path / "kits").iterdir())


def test_a_cli_input_error_in_chinese_is_one_line_with_file_and_field(campaign_file):
    from workbench.cli import app

    result = CliRunner().invoke(app, ["--lang", "zh_CN", "review", "approve", str(campaign_file), "--id", "nope"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：concept：不在 ") and lines[0].endswith("catalog.sqlite 中：nope")



def test_generate_and_triage_say_their_summaries_in_chinese(tmp_path, kits_folder):
    """`workbench --lang zh_CN generate --triage`: the stages' reports in Chinese, ids and paths as they are."""
    from conftest import write_campaign
    from workbench.cli import app

    campaign_file = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                                   brands=["lotus-tea"], generation={"backend": "previz", "seeds": [1], "width": 256,
                                                                     "height": 256})
    result = CliRunner().invoke(app, ["--lang", "zh_CN", "generate", str(campaign_file), "--triage"])
    assert result.exit_code == 0, result.output
    output = result.output  # the progress bars (stderr) share its lines
    assert "本地运行：每张图不产生费用" in output
    folder = re.escape(str(tmp_path / "renders" / "test-parade" / "concepts"))
    assert re.search(rf"已生成 1，跳过 0，失败 0，用时 [\d.]+ 秒 -> {folder}$", output, re.M), output
    assert re.search(r"^已初筛 1 个方案（新测 1 个，沿用 0 个），用时 [\d.]+ 秒：1 个合格，0 个有问题，0 个重复$", output, re.M)
    assert "初筛驳回 0 个，入选 1 个" in output
    for english in ("made", "skipped", "triaged", "passed", "no cost", "shortlisted"):
        assert english not in output, english
    again = CliRunner().invoke(app, ["generate", str(campaign_file)])  # the same process, English again
    assert "made 0, skipped 1, failed 0 in " in again.output


@pytest.mark.filterwarnings("ignore:.*unknown language")
def test_an_unknown_lang_option_or_variable_is_one_line_and_exit_2(monkeypatch, kits_folder):
    from workbench.cli import app

    result = CliRunner().invoke(app, ["--lang", "fr", "kits", "validate", str(kits_folder)])
    assert (result.exit_code, result.output.strip()) == (2, "error: lang: unknown language 'fr'; expected one of en, zh_CN")
    monkeypatch.setenv("WORKBENCH_LANG", "fr")
    result = CliRunner().invoke(app, ["kits", "validate", str(kits_folder)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "error: $WORKBENCH_LANG: unknown language 'fr'; expected one of en, zh_CN")


def test_the_help_follows_the_variable_at_import(tmp_path):
    """Typer reads help texts at import: a fresh process with WORKBENCH_LANG=zh_CN prints Chinese help."""
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "kits", "validate", "--help"], cwd=REPO,
                          env={**os.environ, "WORKBENCH_LANG": "zh_CN", "COLUMNS": "200"},
                          capture_output=True, text=True, check=True)
    assert "检查每个品牌包" in done.stdout and "品牌包文件夹" in done.stdout
    assert "Check every kit" not in done.stdout


# Shared fixture: a small triaged catalog -----------------------------------------------------------


@pytest.fixture
def triage_catalog_and_kits(tmp_path):
    from conftest import SAMPLE_KITS, add_concept, make_campaign
    from workbench.catalog import Catalog
    from workbench.kits import load_kit

    campaign = make_campaign(tmp_path / "renders")
    kits = {slug: load_kit(SAMPLE_KITS / slug) for slug in ("lotus-tea", "tern-motors")}
    catalog = Catalog(campaign.catalog_path)
    for kit in kits.values():
        for seed in (1, 2):
            add_concept(catalog, campaign, kit, seed, None)
    return catalog, kits
