"""The four notebooks, run headless in order with papermill on a temporary renders folder."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ORDER = ("01_brand_kits", "02_generate", "03_curate", "04_parade")
BRANDS = ["lotus-tea", "tern-motors"]
SEEDS = [1, 2]


@pytest.mark.parametrize("name", ORDER)
def test_notebook_is_clean_and_parameterised(name):
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert all(not cell["outputs"] and cell["execution_count"] is None for cell in code)


def test_notebooks_run_in_order(tmp_path):
    papermill = pytest.importorskip("papermill")
    renders = tmp_path / "renders"
    parameters = {"brands": BRANDS, "renders_folder": str(renders)}
    per_notebook = {
        "02_generate": {"seeds": SEEDS},
        "03_curate": {"reviewer": "test-designer"},
        "04_parade": {
            "aspects": ["16:9", "9:16"],
            "seconds_per_brand": 1.0,
            "sizes": {"16:9": [320, 180], "9:16": [180, 320]},
        },
    }
    for name in ORDER:
        papermill.execute_notebook(
            str(NOTEBOOKS / f"{name}.ipynb"), str(tmp_path / f"{name}.out.ipynb"),
            parameters={**parameters, **per_notebook.get(name, {})},
            cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False,
        )

    campaign_folder = next(path.parent for path in renders.glob("*/catalog.sqlite"))
    with sqlite3.connect(campaign_folder / "catalog.sqlite") as db:
        concepts = db.execute("SELECT brand, COUNT(*) FROM concepts GROUP BY brand ORDER BY brand").fetchall()
        approvals = db.execute("SELECT COUNT(*) FROM reviews WHERE verdict = 'approved'").fetchone()[0]
        triaged = db.execute("SELECT COUNT(*) FROM triage").fetchone()[0]
    assert concepts == [(brand, len(SEEDS)) for brand in sorted(BRANDS)]
    assert triaged == len(BRANDS) * len(SEEDS)  # 02_generate triages what it made
    assert approvals >= len(BRANDS)
    assert (campaign_folder / "gallery" / "contact_sheet.png").stat().st_size > 10_000
    films = sorted(campaign_folder.glob("films/**/*.mp4"))
    assert len(films) == 2 and all(film.stat().st_size > 1_000 for film in films)
