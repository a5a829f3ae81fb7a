#!/usr/bin/env bash
# Set up what the workbench needs on a fresh Linux machine: system packages (ffmpeg for ffprobe,
# a CJK font so Chinese brand names render, Chromium for the browser tests, exiftool to read back
# the AI-content labels, PostgreSQL for the team-catalog tests) and a virtual environment
# with the package and its dependencies from pyproject.toml (the one dependency list).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ffprobe >/dev/null || need+=(ffmpeg)
compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc" >/dev/null || need+=(fonts-noto-cjk)
command -v chromium >/dev/null || need+=(chromium)
command -v exiftool >/dev/null || need+=(libimage-exiftool-perl)
# PostgreSQL's server programs: the tests start a throw-away server to run the team catalog against
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing system packages: ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "please install: ${need[*]} (or their equivalents: ffmpeg, Noto Sans CJK, Chromium, exiftool, PostgreSQL)" >&2
  fi
fi

python=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
# The message catalogs the workbench reads (workbench/locale/*/LC_MESSAGES/workbench.mo), from the .po files.
bash scripts/i18n.sh compile
# JupyterLab defaults for the workbench: every cell stays attached to the page (our notebooks are short,
# and browser tests read every cell), and no news or update checks on a closed network.
mkdir -p .venv/share/jupyter/lab/settings
cp scripts/jupyterlab-overrides.json .venv/share/jupyter/lab/settings/overrides.json
touch .venv/.installed
