"""The gallery in a real browser: Playwright driving Debian's chromium.

The campaign is generated and then triaged by the real `workbench triage` (one concept's image is
blurred first, a real defect for triage to flag; triage shortlists the best concept of each brand).

1. JupyterLab on 127.0.0.1 with a token opens 03_curate on a small campaign and runs it; a click on
   one concept's Approve and the reject key (pressed on the page after a click on the other
   concept's card, no text box) land in the catalog as rows. Every card shows triage's score badge;
   the Triage filter narrows the grid to the flagged concepts, whose detail lists each check; and
   "Accept triage shortlist" approves the shortlist in the designer's name.
2. `workbench review serve` (Voila, 127.0.0.1, token) shows one thumbnail and one score badge per
   concept, and an art director's click there is recorded with that role.

Screenshots (1440x900) are kept as test artefacts: in the pytest temp folder, and also in
$WORKBENCH_ARTEFACTS when set (CI uploads that folder). Timeouts are generous and every wait is
for a selector or a catalog row, never a fixed sleep, so a busy 2-core runner only makes it slower.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import write_campaign

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_curate.ipynb"
BRANDS = ["lotus-tea", "kestrel-stride", "polar-scoop"]
SEEDS = [1, 2, 3]
SLOW = int(os.environ.get("WORKBENCH_BROWSER_TIMEOUT_MS", 240_000))  # ms: kernel start, imports and thumbnails on a busy 2-core machine

if not CHROMIUM.is_file():
    pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium, or set $CHROMIUM)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")


BLURRED = ("kestrel-stride", 2)  # (brand, index by seed): the concept whose image is blurred before triage


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """A 3-brand x 3-seed previz campaign, generated (one image then blurred) and triaged."""
    from PIL import Image
    from typer.testing import CliRunner

    from workbench.campaign import load_campaign
    from workbench.catalog import Catalog
    from workbench.cli import app

    root = tmp_path_factory.mktemp("browser")
    kits = root / "brand_kits"
    for slug in BRANDS:
        shutil.copytree(NOTEBOOK.parents[1] / "brand_kits" / slug, kits / slug)
    campaign_file = write_campaign(root / "campaign.yaml", kits, root / "renders", title="Browser Parade",
                                   generation={"backend": "previz", "seeds": SEEDS, "width": 320, "height": 320},
                                   triage={"shortlist": 1})
    result = CliRunner().invoke(app, ["generate", str(campaign_file)])
    assert result.exit_code == 0, result.output
    brand, index = BLURRED
    with Catalog(load_campaign(campaign_file).catalog_path) as catalog:
        image_path = catalog.image_path(catalog.concepts(brand)[index])
    with Image.open(image_path) as image:  # what a soft, out-of-focus render looks like
        soft = image.resize((image.width // 8, image.height // 8)).resize(image.size)
    soft.save(image_path)
    result = CliRunner().invoke(app, ["triage", str(campaign_file)])
    assert result.exit_code == 0, result.output
    return campaign_file


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def keep(artefacts: Path, page, name: str) -> Path:
    path = artefacts / name
    page.screenshot(path=str(path))
    extra = os.environ.get("WORKBENCH_ARTEFACTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / name)
    print(f"screenshot: {path}")
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield chromium
        chromium.close()


def free_port() -> int:
    from workbench.curate.voila_app import free_port as pick

    return pick()


def start(command: list[str], port: int, cwd: Path) -> subprocess.Popen:
    """Start a server in its own process group and wait (up to 3 minutes) until it listens on `port`."""
    log = open(cwd / f"server-{len(list(cwd.glob('server-*.log')))}.log", "w")
    process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return process
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise RuntimeError(f"server did not listen on port {port} in 3 minutes; see {log.name}")


def stop(process: subprocess.Popen) -> None:
    """Stop the server and anything it started (kernels), by its process group."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def without_token(url: str) -> str:
    """Where a request without the token ends up (the login page), or the refusal's status."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.geturl()
    except urllib.error.HTTPError as error:
        return f"/login refused {error.code}" if error.code in (401, 403) else str(error)


def hide_jupyter_news(page) -> None:
    """JupyterLab asks about its news in a toast; not part of the gallery, so it stays out of the picture."""
    page.evaluate("document.querySelectorAll('.Toastify__toast-container').forEach(e => e.remove())")


def rows(catalog_path: Path, concept_id: str) -> list[tuple]:
    """A concept's reviews by people (triage's automatic ones left out)."""
    with sqlite3.connect(catalog_path) as db:
        return db.execute("SELECT verdict, reviewer, role FROM reviews WHERE concept_id = ? AND role != 'triage'"
                          " ORDER BY id", (concept_id,)).fetchall()


def wait_for_row(catalog_path: Path, concept_id: str, expected: tuple, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if expected in rows(catalog_path, concept_id):
            return
        time.sleep(0.25)
    raise AssertionError(f"{concept_id}: no review row {expected} after {seconds}s; rows: {rows(catalog_path, concept_id)}")


def concept_ids(catalog_path: Path, brand: str) -> list[str]:
    with sqlite3.connect(catalog_path) as db:
        return [r[0] for r in db.execute("SELECT id FROM concepts WHERE brand = ? ORDER BY seed, id", (brand,))]


def triage_statuses(catalog_path: Path) -> dict[str, str]:
    """Concept id -> triage's status, as `workbench triage` wrote it."""
    from workbench.catalog import Catalog

    with Catalog(catalog_path) as catalog:
        return {concept_id: result.status for concept_id, result in catalog.triage_results().items()}


def shortlist_nobody_decided(catalog_path: Path) -> list[str]:
    """The concepts triage approved that no person has decided yet."""
    from workbench.catalog import Catalog

    with Catalog(catalog_path) as catalog:
        return sorted(concept_id for concept_id, by_role in catalog.verdicts_by_role().items()
                      if by_role.get("triage") == "approved" and not {"designer", "art_director"} & set(by_role))


def expect_cards(page, count: int) -> None:
    """Wait until the grid shows `count` cards, each with triage's score badge."""
    sync_api.expect(page.locator(".wb-card:visible")).to_have_count(count, timeout=SLOW)
    sync_api.expect(page.locator(".wb-card:visible .wb-score")).to_have_count(count, timeout=SLOW)


def test_curate_notebook_in_jupyterlab_records_a_click_and_a_key(campaign, browser, artefacts):
    from workbench.campaign import load_campaign

    catalog_path = load_campaign(campaign).catalog_path
    folder = campaign.parent / "lab"
    folder.mkdir()
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.insert(2, nbformat.v4.new_code_cell(  # what papermill's injected-parameters cell does
        f"campaign_file = {str(campaign)!r}\nreviewer = 'browser-designer'"))
    nbformat.write(notebook, folder / "03_curate.ipynb")

    token, port = secrets.token_hex(16), free_port()
    server = start([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
                    "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
                    f"--ServerApp.root_dir={folder}", "--LabApp.news_url="], port, folder)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(SLOW)
    try:
        page.goto(f"http://127.0.0.1:{port}/lab/workspaces/gallery/tree/03_curate.ipynb?token={token}&reset")
        page.wait_for_selector(".jp-Notebook")
        # Run All before the kernel is connected runs nothing, so wait for the status bar to say so.
        page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"Python 3.*\| Idle")).first.wait_for()
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")

        liked = concept_ids(catalog_path, "kestrel-stride")[1]  # not in the first selection
        disliked = concept_ids(catalog_path, "polar-scoop")[2]
        page.click(f".wb-approve.wb-concept-{liked}")
        wait_for_row(catalog_path, liked, ("approved", "browser-designer", "designer"))

        # A click on the card puts the highlight on it and the keyboard in the gallery; then a bare
        # key press (no text box) rejects it, and JupyterLab's own "r" (raw cell) must not fire.
        page.click(f".wb-open.wb-concept-{disliked}")
        page.wait_for_selector(f".wb-card.wb-current.wb-concept-{disliked}")
        page.keyboard.press("r")
        wait_for_row(catalog_path, disliked, ("rejected", "browser-designer", "designer"))
        page.wait_for_selector(f".wb-card.wb-is-rejected.wb-concept-{disliked}")

        assert rows(catalog_path, liked) == [("approved", "browser-designer", "designer")]
        assert rows(catalog_path, disliked) == [("rejected", "browser-designer", "designer")]
        assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']:has-text('Traceback')").count() == 0
        assert page.locator(".jp-Notebook .jp-RawCell").count() == 0  # JupyterLab did not also take the key

        page.click(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")  # fold the file browser away
        hide_jupyter_news(page)
        page.evaluate("document.querySelector('.wb-gallery').scrollIntoView({block: 'start'})")
        everything = len(BRANDS) * len(SEEDS)
        expect_cards(page, everything)
        keep(artefacts, page, "gallery_jupyterlab.png")

        # The Triage filter narrows the grid to what triage flagged (the blurred concept among them).
        statuses = triage_statuses(catalog_path)
        flagged = sorted(concept_id for concept_id, status in statuses.items() if status == "flagged")
        blurred = concept_ids(catalog_path, BLURRED[0])[BLURRED[1]]
        assert len(statuses) == everything and blurred in flagged, statuses
        page.select_option(".wb-triage-filter select", label="Flagged")
        expect_cards(page, len(flagged))
        page.wait_for_selector(f".wb-card.wb-concept-{blurred} .wb-score-flagged")
        page.click(f".wb-open.wb-concept-{blurred}")
        page.wait_for_selector(".wb-panel .wb-checks .wb-failed")
        page.evaluate("document.querySelector('.wb-gallery').scrollIntoView({block: 'start'})")
        keep(artefacts, page, "gallery_jupyterlab_flagged.png")
        page.evaluate("document.querySelector('.wb-panel .wb-checks').scrollIntoView({block: 'center'})")
        keep(artefacts, page, "gallery_jupyterlab_flagged_detail.png")
        page.select_option(".wb-triage-filter select", label="Passed")
        expect_cards(page, everything - len(flagged) - list(statuses.values()).count("duplicate"))
        page.select_option(".wb-triage-filter select", label="Any")
        expect_cards(page, everything)

        # One click makes triage's shortlist the designer's own approvals.
        shortlist = shortlist_nobody_decided(catalog_path)
        assert shortlist, "triage shortlisted nothing"
        page.click(f".wb-accept-shortlist:has-text('Accept triage shortlist ({len(shortlist)})')")
        for concept_id in shortlist:
            wait_for_row(catalog_path, concept_id, ("approved", "browser-designer", "designer"))
        assert shortlist_nobody_decided(catalog_path) == []
    except BaseException:
        keep(artefacts, page, "gallery_jupyterlab_failed.png")
        raise
    finally:
        page.close()
        stop(server)


def test_voila_page_shows_one_thumbnail_per_concept_and_records_the_art_director(campaign, browser, artefacts):
    from workbench.campaign import load_campaign

    catalog_path = load_campaign(campaign).catalog_path
    token, port = secrets.token_hex(16), free_port()
    server = start([sys.executable, "-m", "workbench.cli", "review", "serve", str(campaign), "--port", str(port),
                    "--token", token, "--reviewer", "ad-lee", "--role", "art_director"], port, campaign.parent)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(SLOW)
    try:
        assert "/login" in without_token(f"http://127.0.0.1:{port}/")  # no token, no gallery
        page.goto(f"http://127.0.0.1:{port}/?token={token}")
        expected = len(BRANDS) * len(SEEDS)
        page.wait_for_function(
            "n => [...document.querySelectorAll('.wb-card[class*=\"wb-concept-\"] img')]"
            ".filter(img => img.complete && img.naturalWidth > 0).length === n", arg=expected)
        shown = page.locator(".wb-card[class*='wb-concept-'] img").count()
        assert shown == expected
        assert page.locator(".wb-card").count() == 12  # the page's slots; the empty ones are hidden
        expect_cards(page, expected)  # each with its score badge

        chosen = concept_ids(catalog_path, "lotus-tea")[2]
        page.click(f".wb-approve.wb-concept-{chosen}")
        wait_for_row(catalog_path, chosen, ("approved", "ad-lee", "art_director"))
        page.wait_for_selector(f".wb-card.wb-is-approved.wb-concept-{chosen}")
        page.evaluate("document.querySelector('.wb-gallery').scrollIntoView({block: 'start'})")  # the click scrolled
        keep(artefacts, page, "gallery_voila.png")
    except BaseException:
        keep(artefacts, page, "gallery_voila_failed.png")
        raise
    finally:
        page.close()
        stop(server)
