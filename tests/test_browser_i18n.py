"""The workbench in Chinese in a real browser (issue 14): Playwright driving Debian's chromium.

1. JupyterLab started by scripts/lab.py with --lang zh_CN: its own menus are Chinese (the
   jupyterlab-language-pack-zh-CN package), 03_curate runs with `lang = "zh_CN"`, the gallery shows
   its Chinese labels and none of the English ones, and a click on a card's 通过 lands in the catalog.
2. `workbench review serve --lang zh_CN` (Voila): the same gallery in Chinese, an art director's 驳回
   recorded with that role.

Screenshots (1440x900) are kept as artefacts like test_browser_gallery.py's ($WORKBENCH_ARTEFACTS).
The campaign is small (2 brands x 2 seeds) so the two servers and the kernels fit a busy 2-core machine.
"""

from __future__ import annotations

import re
import secrets
from contextlib import contextmanager
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import write_campaign
from test_browser_gallery import (  # noqa: F401 (browser: a fixture)
    SLOW, browser, concept_ids, free_port, keep, start, stop, sync_api, wait_for_row)

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "03_curate.ipynb"
BRANDS = ["lotus-tea", "kestrel-stride"]
# English labels of the gallery that must not show in Chinese (buttons, filters, panels, keys, pager).
ENGLISH = ["Approve", "Reject", "Details", "Brand", "Verdict", "Stars", "Backend", "Seeds", "Triage", "Sort",
           "Reset", "Refresh", "Select page", "Clear", "Previous", "Next", "Accept triage shortlist",
           "Usable per brand", "Click a card", "Grid", "Compare", "More like this", "Detail", "Page", "reviewing as"]
CHINESE = ["✓ 通过", "✗ 驳回", "详情", "品牌", "结论", "星级", "初筛", "排序", "重置", "⟳ 刷新", "全选本页",
           "采纳初筛入选", "各品牌可用率", "点一下卡片", "网格", "对比"]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """A 2-brand x 2-seed previz campaign, generated and triaged."""
    from typer.testing import CliRunner

    from workbench.cli import app

    root = tmp_path_factory.mktemp("browser-zh")
    kits = root / "brand_kits"
    for slug in BRANDS:
        shutil.copytree(REPO / "brand_kits" / slug, kits / slug)
    campaign_file = write_campaign(root / "campaign.yaml", kits, root / "renders", title="元宵巡游",
                                   generation={"backend": "previz", "seeds": [1, 2], "width": 320, "height": 320},
                                   triage={"shortlist": 1})
    for command in (["generate", str(campaign_file)], ["triage", str(campaign_file)]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0, result.output
    return campaign_file


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots-zh")


@contextmanager
def served_page(browser, artefacts: Path, failed: str, command: list[str], port: int, cwd: Path):
    """A 1440x900 page beside a server started with `command`; a screenshot `failed` if the block fails."""
    server = start(command, port, cwd)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(SLOW)
    try:
        yield page
    except BaseException:
        keep(artefacts, page, failed)
        raise
    finally:
        page.close()
        stop(server)


def decide(page, catalog_path: Path, concept_id: str, button: str, label: str, row: tuple) -> None:
    """Click a card's approve/reject button, its Chinese label checked first; wait for the catalog row and the card."""
    locator = page.locator(f".wb-{button}.wb-concept-{concept_id}")
    sync_api.expect(locator).to_have_text(label)
    locator.click()
    wait_for_row(catalog_path, concept_id, row)
    page.wait_for_selector(f".wb-card.wb-is-{row[0]}.wb-concept-{concept_id}")


def gallery_text(page) -> str:
    """What a person reads in the gallery: its text, its buttons' and options' labels and its placeholders."""
    return page.evaluate("""() => {
        const gallery = document.querySelector('.wb-gallery');
        const labels = [...gallery.querySelectorAll('option, [placeholder], [title]')]
            .map(e => [e.textContent, e.getAttribute('placeholder') || '', e.getAttribute('title') || ''].join(' '));
        const tabs = [...document.querySelectorAll('.wb-gallery .lm-TabBar-tabLabel, .wb-gallery .p-TabBar-tabLabel')]
            .map(e => e.textContent);
        return [gallery.innerText, ...labels, ...tabs].join('\\n');
    }""")


def check_chinese_gallery(page) -> None:
    text = gallery_text(page)
    missing = [label for label in CHINESE if label not in text]
    english = [label for label in ENGLISH if re.search(rf"\b{re.escape(label)}\b", text)]
    assert (missing, english) == ([], []), text[:2000]


def test_jupyterlab_in_chinese_runs_the_curate_notebook_in_chinese(campaign, browser, artefacts):
    from workbench.campaign import load_campaign

    catalog_path = load_campaign(campaign).catalog_path
    folder = campaign.parent / "lab"
    folder.mkdir()
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell(  # what papermill's injected-parameters cell does
        f"campaign_file = {str(campaign)!r}\nreviewer = 'designer-wang'\nlang = 'zh_CN'"))
    nbformat.write(notebook, folder / "03_curate.ipynb")

    token, port = secrets.token_hex(16), free_port()
    lab = [sys.executable, str(REPO / "scripts" / "lab.py"), "--lang", "zh_CN", "--settings-root",
           str(folder.parent / "lab-settings"), "--", "--no-browser", "--allow-root", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
           "--LabApp.news_url=", "--LabApp.expose_app_in_browser=True"]
    with served_page(browser, artefacts, "gallery_jupyterlab_zh_failed.png", lab, port, folder) as page:
        page.goto(f"http://127.0.0.1:{port}/lab/workspaces/zh/tree/03_curate.ipynb?token={token}&reset")
        page.wait_for_selector(".jp-Notebook")
        # JupyterLab's own menus, in Chinese, and none of their English labels.
        menus = page.locator(".lm-MenuBar-itemLabel")
        sync_api.expect(menus.filter(has_text=re.compile("^文件$"))).to_have_count(1)
        labels = menus.all_inner_texts()
        assert {"文件", "编辑", "运行", "内核", "设置", "帮助"} <= set(labels), labels
        assert not {"File", "Edit", "Run", "Kernel", "Settings", "Help"} & set(labels), labels
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.serviceManager.isReady")
        page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"Python 3.*\|.*(空闲|Idle)")).first.wait_for()
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_selector(".wb-gallery .wb-card .wb-score", timeout=SLOW)

        chosen = concept_ids(catalog_path, "kestrel-stride")[1]
        decide(page, catalog_path, chosen, "approve", "✓ 通过", ("approved", "designer-wang", "designer"))
        page.click(f".wb-open.wb-concept-{chosen}")  # the detail panel, in Chinese too
        page.wait_for_selector(".wb-panel .wb-facts th:text-is('提示词')")
        check_chinese_gallery(page)
        assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']:has-text('Traceback')").count() == 0

        page.click(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")  # fold the file browser away
        page.evaluate("document.querySelectorAll('.Toastify__toast-container').forEach(e => e.remove())")
        page.evaluate("document.querySelector('.wb-gallery').scrollIntoView({block: 'start'})")
        keep(artefacts, page, "gallery_jupyterlab_zh.png")


def test_voila_page_in_chinese_records_the_art_director(campaign, browser, artefacts):
    from workbench.campaign import load_campaign

    catalog_path = load_campaign(campaign).catalog_path
    token, port = secrets.token_hex(16), free_port()
    serve = [sys.executable, "-m", "workbench.cli", "review", "serve", str(campaign), "--port", str(port),
             "--token", token, "--reviewer", "ad-li", "--role", "art_director", "--lang", "zh_CN"]
    with served_page(browser, artefacts, "gallery_voila_zh_failed.png", serve, port, campaign.parent) as page:
        page.goto(f"http://127.0.0.1:{port}/?token={token}")
        page.wait_for_selector(".wb-gallery .wb-card .wb-score")
        chosen = concept_ids(catalog_path, "lotus-tea")[0]
        decide(page, catalog_path, chosen, "reject", "✗ 驳回", ("rejected", "ad-li", "art_director"))
        check_chinese_gallery(page)
        assert "艺术总监" in gallery_text(page)  # the role, in the heading
        page.evaluate("document.querySelector('.wb-gallery').scrollIntoView({block: 'start'})")
        keep(artefacts, page, "gallery_voila_zh.png")


def free_port() -> int:
    from workbench.curate.voila_app import free_port

    return free_port()




LAYOUT_CELL = """
import ipywidgets as widgets
from workbench.campaign import open_campaign
from workbench.catalog import Catalog
from workbench.copywriting_widget import IdeasWidget
from workbench.curate.widgets import open_gallery
from workbench.settings import OpenAISettings

campaign, kits = open_campaign({campaign!r})
catalog = Catalog(campaign.catalog_path)
views = []
for lang in ("en", "zh_CN"):
    ideas = IdeasWidget(campaign, kits, catalog, settings=OpenAISettings(), lang=lang)
    ideas.add_class(f"wb-ideas-{{lang}}")
    gallery = open_gallery({campaign!r}, reviewer="layout", lang=lang)
    gallery.widget.add_class(f"wb-gallery-{{lang}}")
    views += [ideas, gallery.widget]
widgets.VBox(views)
"""

# Every button and label whose text is cut (ellipsis): its text, language and widget.
CUT_TEXT = """lang => [...document.querySelectorAll(`.wb-ideas-${lang} :is(button, .widget-label),
                                           .wb-gallery-${lang} :is(button, .widget-label)`)]
    .filter(e => e.offsetParent !== null && e.textContent.trim() && e.scrollWidth > e.clientWidth + 1)
    .map(e => `${e.textContent.trim()} (${e.scrollWidth} > ${e.clientWidth})`)"""


def test_no_button_or_label_is_cut_in_either_language(campaign, browser, artefacts):
    """The ideas widget and the gallery, side by side in English and Chinese: no text ends in an ellipsis."""
    folder = campaign.parent / "layout"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LAYOUT_CELL.format(campaign=str(campaign)))])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "layout.ipynb")
    port = free_port()
    voila = [sys.executable, "-m", "voila", str(folder / "layout.ipynb"), "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", "--theme=light"]
    with served_page(browser, artefacts, "layout_failed.png", voila, port, folder) as page:
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector(".wb-gallery-zh_CN .wb-card .wb-score")
        for lang in ("en", "zh_CN"):
            assert page.evaluate(CUT_TEXT, lang) == [], lang
            ideas = page.locator(f".wb-ideas-{lang}")
            ideas.scroll_into_view_if_needed()
            ideas.screenshot(path=str(artefacts / f"ideas_{lang}.png"))
        sync_api.expect(page.locator(".wb-ideas-zh_CN button").first).to_have_text("征集创意")
        sync_api.expect(page.locator(".wb-ideas-en button").nth(1)).to_have_text("Save edits and choices")
