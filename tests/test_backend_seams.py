"""The seams between campaign, backends and generation: what imports what, options checked at load,
and the cost hook the CLI asks for whichever backend the campaign names."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write_campaign
from workbench.backends import COST_ESTIMATES, OPTIONS, REGISTRY, cost_estimator, options_model
from workbench.campaign import CampaignError, load_campaign
from workbench.cli import app

BACKENDS_FOLDER = Path(__file__).parent.parent / "workbench" / "backends"


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(BACKENDS_FOLDER.glob("*.py")), ids=lambda p: p.name)
def test_no_backend_imports_generation_or_the_catalog(path):
    upward = {name for name in _imported_modules(path)
              if name.startswith(("workbench.generate", "workbench.catalog", "workbench.cli"))}
    assert not upward, f"{path.name} imports {upward}: a backend knows nothing of the catalog"


@pytest.mark.parametrize("path", sorted(BACKENDS_FOLDER.glob("*_options.py")), ids=lambda p: p.name)
def test_option_modules_import_no_heavy_library(path):
    heavy = {name for name in _imported_modules(path) if name.split(".")[0] in ("torch", "diffusers", "openai")}
    assert not heavy, f"{path.name} imports {heavy}"


def test_loading_any_backends_campaign_imports_neither_torch_nor_openai(tmp_path, kits_folder):
    """In a fresh interpreter: import the campaign module, then load a campaign of each backend."""
    files = []
    for backend, options in (("previz", {"body": "wagon"}), ("openai", {"quality": "low"}),
                             ("diffusers", {"model": "/models/sd15", "mode": "controlnet", "controlnet": "/cn",
                                            "scheduler": "euler_a", "previz": {"body": "barge"}})):
        files.append(str(write_campaign(tmp_path / f"{backend}.yaml", kits_folder, tmp_path / "renders", generation={
            "backend": backend, "width": 512, "height": 512, "options": options})))
    script = (
        "import sys, json\n"
        "import workbench.campaign as campaign\n"
        f"for path in {files!r}: campaign.load_campaign(path)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'diffusers', 'openai'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent.parent)
    assert json.loads(done.stdout) == []


def test_every_backend_has_an_options_model_and_only_paid_ones_a_cost_estimate():
    assert set(OPTIONS) == set(REGISTRY) and set(COST_ESTIMATES) <= set(REGISTRY)
    for name in REGISTRY:
        assert options_model(name).model_json_schema()["type"] == "object"
    assert cost_estimator("previz") is None and cost_estimator("diffusers") is None
    assert cost_estimator("openai")({"width": 768, "height": 768, "quality": "low"}, 4).usd == pytest.approx(4 * 0.011)


def _campaign(tmp_path, kits_folder, **generation):
    return write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "renders",
                          generation={"seeds": [1], "width": 256, "height": 256, **generation})


def test_an_unknown_backend_is_named_when_the_campaign_loads(tmp_path, kits_folder):
    with pytest.raises(CampaignError, match=r"generation\.backend: unknown backend 'midjourney'; known: diffusers"):
        load_campaign(_campaign(tmp_path, kits_folder, backend="midjourney"))


def test_previz_design_overrides_are_checked_and_other_options_kept_as_written(tmp_path, kits_folder):
    with pytest.raises(CampaignError, match=r"generation\.options\.body: Input should be 'barge'"):
        load_campaign(_campaign(tmp_path, kits_folder, backend="previz", options={"body": "rocket"}))
    with pytest.raises(CampaignError, match=r"generation\.options\.wheels"):
        load_campaign(_campaign(tmp_path, kits_folder, backend="previz", options={"wheels": 9}))
    # previz ignores what it does not draw; the dict stays the file's, since concept ids hash it
    options = {"body": "wagon", "batch_size": 2}
    assert load_campaign(_campaign(tmp_path, kits_folder, backend="previz", options=options)).generation.options == options


def test_diffusers_options_keep_the_file_as_written(tmp_path, kits_folder):
    options = {"model": "/models/sd15"}
    campaign = load_campaign(_campaign(tmp_path, kits_folder, backend="diffusers", options=options))
    assert campaign.generation.options == options, "no defaults filled in: they would change every concept id"


def test_cli_asks_the_campaigns_backend_for_its_cost(tmp_path, kits_folder):
    result = CliRunner().invoke(app, ["generate", str(_campaign(tmp_path, kits_folder, backend="previz")),
                                      "--brand", "lotus-tea"])
    assert result.exit_code == 0, result.output
    assert "runs locally: no cost per image" in result.output and "start this batch?" not in result.output


@pytest.mark.parametrize("backend, field", [("openai", "generation.options.body"), ("nope", "generation.backend")])
def test_cli_backend_override_is_checked_like_the_file(tmp_path, kits_folder, backend, field):
    path = _campaign(tmp_path, kits_folder, backend="previz", options={"body": "wagon"})
    result = CliRunner().invoke(app, ["generate", str(path), "--backend", backend])
    assert result.exit_code == 2 and f"c.yaml: {field}: " in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
