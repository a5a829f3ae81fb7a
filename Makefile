# The two README commands. Each sets up what it needs first (once; again when pyproject.toml changes).
.PHONY: demo test lab setup

.venv/.installed: pyproject.toml scripts/setup.sh scripts/jupyterlab-overrides.json
	bash scripts/setup.sh

setup: .venv/.installed

demo: .venv/.installed
	.venv/bin/workbench demo

test: .venv/.installed
	.venv/bin/python -m pytest -n 2 -q

lab: .venv/.installed
	.venv/bin/jupyter lab notebooks/
