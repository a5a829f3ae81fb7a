"""JupyterLab in the workbench's language (`make lab` runs this).

JupyterLab takes its language from the `locale` setting of `@jupyterlab/translation-extension:plugin`
(the Chinese comes from the jupyterlab-language-pack-zh-CN package). This writes JupyterLab's
workbench defaults (scripts/jupyterlab-overrides.json) with that locale set to the workbench's
language into a settings folder of its own, one per language, and starts JupyterLab with that
folder as its application settings: the menus follow `--lang`, $WORKBENCH_LANG, `[ui] language`
in the settings file or the system locale, as the workbench's own words do. These are defaults:
a language picked in JupyterLab's Settings > Language menu is the person's and wins.

    WORKBENCH_LANG=zh_CN make lab
    .venv/bin/python scripts/lab.py --lang zh_CN -- notebooks/ --port 8890
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OVERRIDES = REPO / "scripts" / "jupyterlab-overrides.json"
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"


def settings_folder(language: str, root: Path | None = None) -> Path:
    """JupyterLab's application settings for `language`: the workbench's overrides and the locale."""
    folder = (root or Path(sys.prefix) / "share" / "jupyter" / "lab") / f"settings-{language}"
    overrides = json.loads(OVERRIDES.read_text(encoding="utf-8"))
    # The workbench's language names are JupyterLab's locale names ("en", "zh_CN").
    overrides[TRANSLATION_PLUGIN] = {**overrides.get(TRANSLATION_PLUGIN, {}), "locale": language}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "overrides.json").write_text(json.dumps(overrides, indent=2) + "\n", encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="JupyterLab in the workbench's language.")
    parser.add_argument("--lang", help="en or zh_CN; default $WORKBENCH_LANG, the settings file, the system locale")
    parser.add_argument("--settings-root", type=Path, help="where the settings folders go; default the venv's share")
    parser.add_argument("lab_args", nargs="*", help="passed to jupyter lab (after --)")
    options = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from workbench.i18n import UnknownLanguage, choose_language
    from workbench.settings import SettingsError

    try:
        language = choose_language(options.lang)
    except (UnknownLanguage, SettingsError) as error:
        sys.exit(f"error: {error}")
    folder = settings_folder(language, options.settings_root)
    command = [sys.executable, "-m", "jupyter", "lab", f"--LabApp.app_settings_dir={folder}", *options.lab_args]
    print(f"JupyterLab in {language} ({folder / 'overrides.json'})", flush=True)
    # The workbench in the notebooks' kernels speaks the same language as the lab around them.
    os.execve(command[0], command, {**os.environ, "WORKBENCH_LANG": language})


if __name__ == "__main__":
    main()
