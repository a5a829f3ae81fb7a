"""The kit editor of 01_brand_kits in a real browser: Playwright driving Debian's chromium (issue 15).

JupyterLab on 127.0.0.1 with a token runs the notebook on a copy of one sample kit whose brand.yaml
carries comments. In the editor: a bad colour typed shows the message `kits validate` would print;
a good one redraws the float (the image's bytes change) within a second or so of the pause in typing;
Save writes brand.yaml, which `workbench kits validate` then passes, its comments and order kept.
Screenshots are kept as in test_browser_gallery.py.
"""

from __future__ import annotations

import base64
import re
import secrets
import shutil
import sys
import time
from pathlib import Path

import nbformat
import yaml
from typer.testing import CliRunner

from conftest import SAMPLE_KITS, write_campaign
from test_browser_gallery import SLOW, browser, free_port, hide_jupyter_news, keep, start, stop, sync_api  # noqa: F401

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_brand_kits.ipynb"
SLUG = "lotus-tea"
HEADER_COMMENT = "# Lotus Heart Tea House: approved by the client's brand team."
MOTIFS_COMMENT = "# motifs: what the float is sculpted around"


def float_bytes(page) -> bytes:
    src = page.get_attribute(".wb-kit-float", "src") or ""
    return base64.b64decode(src.split(",", 1)[1]) if src.startswith("data:image/png;base64,") else b""


def test_kit_editor_redraws_the_float_and_saves_a_valid_kit_with_its_comments(tmp_path, browser):  # noqa: F811
    kits = tmp_path / "brand_kits"
    shutil.copytree(SAMPLE_KITS / SLUG, kits / SLUG)
    kit_yaml = kits / SLUG / "brand.yaml"
    original = kit_yaml.read_text(encoding="utf-8")
    kit_yaml.write_text(f"{HEADER_COMMENT}\n" + original.replace("motifs:", f"{MOTIFS_COMMENT}\nmotifs:"),
                        encoding="utf-8")
    campaign = write_campaign(tmp_path / "campaign.yaml", kits, tmp_path / "renders")

    folder = tmp_path / "lab"
    folder.mkdir()
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell(f"campaign_file = {str(campaign)!r}"))  # as papermill does
    nbformat.write(notebook, folder / "01_brand_kits.ipynb")

    token, port = secrets.token_hex(16), free_port()
    server = start([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
                    "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
                    f"--ServerApp.root_dir={folder}", "--LabApp.news_url="], port, folder)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.set_default_timeout(SLOW)
    try:
        page.goto(f"http://127.0.0.1:{port}/lab/workspaces/kits/tree/01_brand_kits.ipynb?token={token}&reset")
        page.wait_for_selector(".jp-Notebook")
        page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"Python 3.*\| Idle")).first.wait_for()
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        page.wait_for_selector(".wb-kit-editor")
        page.wait_for_function("() => (document.querySelector('.wb-kit-float')?.src || '').startsWith('data:image/png')")
        assert page.input_value(".wb-kit-colour-primary") == "#1F6E5A"
        before = float_bytes(page)

        # A bad colour: the message `kits validate` prints, the float marked as out of date, no saving.
        page.fill(".wb-kit-colour-primary", "jade")
        problem = page.locator(".wb-kit-problem-line")
        sync_api.expect(problem).to_have_text(
            "brand.yaml: palette.primary: expected a hex colour like '#1F6E5A', got 'jade'")
        sync_api.expect(page.locator(".wb-kit-save")).to_be_disabled()
        sync_api.expect(page.locator(".wb-kit-float.wb-kit-stale")).to_have_count(1)

        # A good colour: the float is drawn again with it (timed over a few changes, the last one kept).
        redraws = []
        for colour in ("#2A6FDB", "#7A3FB0", "#B0243A"):
            old_src = page.get_attribute(".wb-kit-float", "src")
            page.fill(".wb-kit-colour-primary", colour)
            typed = time.monotonic()
            page.wait_for_function(
                "old => { const src = document.querySelector('.wb-kit-float').src;"
                " return src !== old && !document.querySelector('.wb-kit-float.wb-kit-stale'); }", arg=old_src)
            redraws.append(time.monotonic() - typed)
        print("float redrawn " + ", ".join(f"{seconds:.2f}" for seconds in redraws)
              + " s after typing (a 0.3 s pause in typing included)")
        after = float_bytes(page)
        assert after and after != before
        assert problem.count() == 0
        page.evaluate("document.querySelector('.wb-kit-editor').scrollIntoView({block: 'start'})")
        hide_jupyter_news(page)
        keep(tmp_path, page, "kit_editor_jupyterlab.png")

        page.click(".wb-kit-save")
        sync_api.expect(page.locator(".wb-kit-status")).to_contain_text("kits validate: ok")
        saved = kit_yaml.read_text(encoding="utf-8")
        assert yaml.safe_load(saved)["palette"]["primary"] == "#B0243A"
        assert saved.startswith(HEADER_COMMENT + "\n") and f"{MOTIFS_COMMENT}\nmotifs:" in saved
        # Only the changed line differs: order, quoting and every other line are as they were.
        expected = kit_yaml.read_text(encoding="utf-8").replace('primary: "#B0243A"', 'primary: "#1F6E5A"')
        assert expected == f"{HEADER_COMMENT}\n" + original.replace("motifs:", f"{MOTIFS_COMMENT}\nmotifs:")

        from workbench.cli import app

        validated = CliRunner().invoke(app, ["kits", "validate", str(kits)])
        assert validated.exit_code == 0, validated.output
        assert "1 valid, 0 invalid" in validated.stdout
        assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']:has-text('Traceback')").count() == 0
    except BaseException:
        keep(tmp_path, page, "kit_editor_failed.png")
        raise
    finally:
        page.close()
        stop(server)
