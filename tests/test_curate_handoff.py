"""The hand-off PDF and PNG pages, the report's blocking line, and the Voila app notebook."""

from __future__ import annotations

import re

import nbformat
import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import write_campaign
from workbench.campaign import load_campaign
from workbench.catalog import Catalog
from workbench.cli import app
from workbench.curate.handoff import COLUMNS, ROWS, PAGE_SIZE, PNG_DPI, Text, handoff_pages
from workbench.curate.voila_app import voila_server, write_app_notebook

runner = CliRunner()


@pytest.fixture
def campaign_file(tmp_path, kits_folder):
    path = write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders",
                          generation={"backend": "previz", "seeds": list(range(1, 13)), "width": 96, "height": 96})
    assert runner.invoke(app, ["generate", str(path)]).exit_code == 0
    return path


def test_handoff_pdf_and_pngs_hold_the_approved_concepts_per_brand(campaign_file):
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        lotus = catalog.concepts("lotus-tea")
        for record in lotus:  # 12 approved: two pages for lotus-tea
            catalog.review(record.id, "approved", stars=3)
        catalog.review(catalog.concepts("kestrel-stride")[4].id, "approved")
        catalog.review(catalog.concepts("polar-scoop")[0].id, "rejected")
        pages = handoff_pages(catalog, {}, "Test Parade", ["kestrel-stride", "lotus-tea", "polar-scoop"])
    texts = [[item.text for item in page.items if isinstance(item, Text)] for page in pages]
    assert len(pages) == 1 + 2 + 1  # cover, lotus-tea (12 > 10 per page), kestrel-stride
    assert COLUMNS * ROWS == 10
    assert "blocks parade" in texts[0] and "12 approved" in texts[0]
    assert lotus[0].id in texts[2] and lotus[11].id in texts[3] and "page 4 of 4" in texts[3][-1]

    result = runner.invoke(app, ["review", "handoff", str(campaign_file)])
    assert result.exit_code == 0, result.output
    folder = campaign.gallery_dir / "handoff"
    pdf = (folder / "contact_sheet.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", pdf)) == 4
    assert re.search(rb"/BaseFont /\w+\+NotoSansCJK", pdf)  # the CJK font, embedded as a subset
    pngs = sorted(folder.glob("contact_sheet_p*.png"))
    assert len(pngs) == 4
    with Image.open(pngs[1]) as page:
        assert page.size == (round(PAGE_SIZE[0] * PNG_DPI / 25.4), round(PAGE_SIZE[1] * PNG_DPI / 25.4))
        assert len(page.convert("RGB").getcolors(1 << 16) or range(1 << 16)) > 50  # thumbnails, not a blank page
    assert "4 pages" in result.output


def test_report_names_the_brands_that_block_the_parade(campaign_file):
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        catalog.review(catalog.concepts("lotus-tea")[0].id, "approved")
    result = runner.invoke(app, ["review", "report", str(campaign_file)])
    assert result.exit_code == 0
    assert "2 brand(s) block the parade: kestrel-stride, polar-scoop" in result.output


def test_serve_refuses_a_bad_role_before_starting(campaign_file):
    result = runner.invoke(app, ["review", "serve", str(campaign_file), "--role", "boss"])
    assert result.exit_code == 2 and "role" in result.output


def test_app_notebook_opens_the_gallery_and_voila_listens_on_localhost_with_a_token(tmp_path, campaign_file):
    path = write_app_notebook(tmp_path, campaign_file, "ad-lee", "art_director")
    [cell] = nbformat.read(path, as_version=4).cells
    assert "open_gallery(" in cell.source and "'ad-lee'" in cell.source and str(campaign_file.resolve()) in cell.source
    server = voila_server(path)
    assert server.port > 0 and len(server.token) >= 24
    assert "--Voila.ip=127.0.0.1" in server.command()
    assert server.token not in " ".join(server.command())  # the command line is readable by every local user
    assert server.environment({})["JUPYTER_TOKEN"] == server.token
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith(server.token)
