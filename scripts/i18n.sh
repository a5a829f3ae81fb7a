#!/usr/bin/env bash
# The message catalogs, with Babel (pybabel from the project's .venv):
#   scripts/i18n.sh extract   workbench/**/*.py -> workbench/locale/workbench.pot
#   scripts/i18n.sh update    the .pot into each language's .po (new messages appear empty, to translate)
#   scripts/i18n.sh compile   each .po -> .mo, the files the workbench reads (setup.sh runs this)
#   scripts/i18n.sh all       extract, update, compile
# tests/test_i18n.py fails while a message in the code is missing from the .pot or untranslated in a .po.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=${PYBABEL:-.venv/bin/pybabel}
locale_dir=workbench/locale
pot=${POT:-$locale_dir/workbench.pot}  # POT=... extracts elsewhere (tests/test_i18n.py compares)

extract() {
  # No line numbers in the template: a diff shows messages that changed, not code that moved.
  "$pybabel" -q extract -F babel.cfg -k N_ --no-location --sort-output \
    --project "Parade Workbench" --version 0.1.0 --msgid-bugs-address "" -o "$pot" workbench notebooks
}
update() {
  "$pybabel" -q update -i "$pot" -d "$locale_dir" -D workbench --no-fuzzy-matching --ignore-obsolete
}
compile() {
  "$pybabel" -q compile -d "$locale_dir" -D workbench --statistics
}

case "${1:-all}" in
  extract) extract ;;
  update) update ;;
  compile) compile ;;
  all) extract; update; compile ;;
  *) echo "usage: scripts/i18n.sh [extract|update|compile|all]" >&2; exit 2 ;;
esac
