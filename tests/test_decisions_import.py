"""A decisions CSV import is all or nothing, even when killed; hostile CSVs are one line and exit 2."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from workbench.campaign import load_campaign
from workbench.catalog import Catalog, CatalogError, ConceptRecord
from workbench.cli import app
from workbench.curate.decisions import import_decisions_csv

runner = CliRunner()


@pytest.fixture
def catalog(campaign_file):
    with Catalog(load_campaign(campaign_file).catalog_path) as catalog:
        for seed in (1, 2):
            catalog.add_concept(ConceptRecord(f"lotus-tea-s{seed}", "lotus-tea", "previz", "previz-1", "p", "n",
                                              seed, {}, f"concepts/lotus-tea/{seed}.png", "0" * 64))
        yield catalog


def import_fails_with_one_line(campaign_file, csv_file, where: str) -> str:
    result = runner.invoke(app, ["review", "import", str(campaign_file), str(csv_file)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {csv_file}: {where}: "), result.output
    return lines[0]


def test_stars_that_look_like_digits_are_refused(tmp_path, campaign_file, catalog):
    csv_file = tmp_path / "decisions.csv"
    csv_file.write_text("concept_id,verdict,stars\nlotus-tea-s1,approved,5\nlotus-tea-s2,approved,²\n", encoding="utf-8")
    line = import_fails_with_one_line(campaign_file, csv_file, "line 3, column stars")
    assert line.endswith("expected a whole number from 1 to 5, got '²'")
    assert catalog.history() == []

    csv_file.write_text("concept_id,verdict,stars\nlotus-tea-s1,approved," + "0" * 5000 + "5\n", encoding="utf-8")
    assert runner.invoke(app, ["review", "import", str(campaign_file), str(csv_file)]).exit_code == 0
    assert catalog.stars() == {"lotus-tea-s1": 5}


def test_a_latin1_csv_names_the_line_and_column_of_the_bad_byte(tmp_path, campaign_file, catalog):
    csv_file = tmp_path / "decisions.csv"
    csv_file.write_bytes("concept_id,verdict,reason\nlotus-tea-s1,approved,ok\nlotus-tea-s2,rejected,café\n"
                         .encode("latin-1"))
    line = import_fails_with_one_line(campaign_file, csv_file, "line 3, column reason")
    assert line.endswith("not UTF-8 text (byte 0xe9); save the CSV as UTF-8")
    assert catalog.history() == []


def test_a_field_over_csvs_limit_names_its_line_and_column(tmp_path, campaign_file, catalog):
    csv_file = tmp_path / "decisions.csv"
    csv_file.write_text("concept_id,verdict,reason\nlotus-tea-s1,approved,ok\nlotus-tea-s2,rejected,"
                        + "x" * 200_000 + "\n", encoding="utf-8")
    line = import_fails_with_one_line(campaign_file, csv_file, "line 3, column reason")
    assert line.endswith(f"a field longer than {csv.field_size_limit():,} characters")
    assert catalog.history() == []


def test_review_many_checks_every_review_before_writing_any(catalog):
    good = {"concept_id": "lotus-tea-s1", "verdict": "approved", "reviewer": "mei"}
    for bad in ({"concept_id": "ghost", "verdict": "approved"}, {"concept_id": "lotus-tea-s2", "stars": 6},
                {"concept_id": "lotus-tea-s2", "verdict": "maybe"}, {"concept_id": "lotus-tea-s2"}):
        with pytest.raises(CatalogError):
            catalog.review_many([good, bad])
        assert catalog.history() == []
    assert catalog.review_many([good, {"concept_id": "lotus-tea-s2", "stars": 4, "role": "art_director"}]) == 2
    assert catalog.verdicts() == {"lotus-tea-s1": "approved"} and catalog.stars() == {"lotus-tea-s2": 4}
    assert [(r.reviewer, r.role) for r in catalog.history()] == [("mei", "designer"), ("", "art_director")]


ROWS = 100_000


def test_a_killed_import_writes_all_or_nothing_and_a_rerun_writes_each_decision_once(tmp_path, campaign_file):
    catalog_path = load_campaign(campaign_file).catalog_path
    Catalog(catalog_path).close()
    ids = [f"lotus-tea-s{seed}" for seed in range(ROWS)]
    with sqlite3.connect(catalog_path) as db:  # pre-filled in one transaction (add_concept is one per concept)
        db.executemany("INSERT INTO concepts (id, brand, backend, model, prompt, negative_prompt, seed, settings, path,"
                       " content_hash, created_at) VALUES (?, 'lotus-tea', 'previz', 'previz-1', 'p', 'n', ?, '{}', ?, ?, ?)",
                       [(concept_id, seed, f"concepts/{seed}.png", "0" * 64, "2024-01-01") for seed, concept_id in enumerate(ids)])
    db.close()
    csv_file = tmp_path / "decisions.csv"
    with open(csv_file, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["concept_id", "verdict", "stars", "reason"])
        writer.writerows([concept_id, ("approved", "rejected")[seed % 2], seed % 5 + 1, "bulk"]
                         for seed, concept_id in enumerate(ids))

    importer = subprocess.Popen([sys.executable, "-c", "from workbench.cli import app; app()",
                                 "review", "import", str(campaign_file), str(csv_file)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # The concepts were checkpointed when their connection closed, so a write-ahead log growing past
    # 1 MB is the import writing its reviews: kill it then, mid-write.
    wal = catalog_path.with_name(catalog_path.name + "-wal")
    deadline = time.monotonic() + 300  # generous: a slow 2-core machine runs other tests beside this one
    while importer.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 1024 * 1024:
            importer.send_signal(signal.SIGKILL)
            break
        time.sleep(0.001)
    returncode = importer.wait(timeout=60)
    assert returncode == -signal.SIGKILL, f"the import was not killed mid-write: {importer.stderr.read().decode()}"
    importer.stderr.close()

    with Catalog(catalog_path) as catalog:
        written = len(catalog.history())
        assert written in (0, ROWS), f"a killed import left {written} of {ROWS} decisions"
        if written == 0:  # (it can have been killed after its commit, before it exited)
            assert import_decisions_csv(catalog, csv_file) == ROWS
        reviews = catalog.history()
        assert len(reviews) == ROWS and {r.concept_id for r in reviews} == set(ids), "each decision exactly once"
