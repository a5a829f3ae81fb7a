# The two README commands. Each sets up what it needs first (once; again when pyproject.toml changes).
.PHONY: demo test lab setup catalogs

.venv/.installed: pyproject.toml scripts/setup.sh scripts/jupyterlab-overrides.json
	bash scripts/setup.sh

setup: .venv/.installed

# The compiled message catalogs, again whenever a .po changes (scripts/i18n.sh: extract, update, compile).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard workbench/locale/*/LC_MESSAGES/workbench.po))
%.mo: %.po .venv/.installed
	bash scripts/i18n.sh compile

catalogs: $(CATALOGS)

demo: .venv/.installed catalogs
	.venv/bin/workbench demo

test: .venv/.installed catalogs
	.venv/bin/python -m pytest -n 2 -q

# JupyterLab in the workbench's language: WORKBENCH_LANG=zh_CN make lab (scripts/lab.py).
lab: .venv/.installed catalogs
	.venv/bin/python scripts/lab.py -- notebooks/
