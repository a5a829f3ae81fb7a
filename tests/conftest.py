"""Shared fixtures: the repo's sample kits, and copies of them that a test may break."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SAMPLE_KITS = REPO / "brand_kits"


@pytest.fixture(autouse=True)
def no_real_openai_key(monkeypatch, tmp_path):
    """Whatever the developer's shell holds, no test sees a real key, settings file or API address."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARADE_WORKBENCH_SETTINGS", str(tmp_path / "no-settings.toml"))


@pytest.fixture
def kits_folder(tmp_path: Path) -> Path:
    """A private copy of three sample kits (one Chinese, one SVG logo, one PNG logo)."""
    folder = tmp_path / "brand_kits"
    for slug in ("lotus-tea", "kestrel-stride", "polar-scoop"):
        shutil.copytree(SAMPLE_KITS / slug, folder / slug)
    return folder


def edit_kit(folder: Path, **changes) -> Path:
    """Rewrite a kit's brand.yaml with fields changed (a value of None removes the field)."""
    path = folder / "brand.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def write_campaign(path: Path, kits_folder: Path, renders_folder: Path, **fields) -> Path:
    """A small campaign YAML for tests: short, small films unless fields say otherwise."""
    data = {
        "name": "test-parade",
        "title": "Test Parade",
        "end_card": "The end · 谢谢",
        "kits_folder": str(kits_folder),
        "renders_folder": str(renders_folder),
        "generation": {"backend": "previz", "seeds": [1, 2], "width": 256, "height": 256},
        "triage": {"shortlist": 1},
        "film": {
            "sizes": {"16:9": [320, 180], "9:16": [180, 320]},
            "fps": 10, "title_seconds": 1.0, "end_seconds": 1.0, "seconds_per_brand": 2.0, "preset": "ultrafast",
        },
        **fields,
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def probe(path: Path) -> dict:
    """ffprobe's streams and format of a media file, as parsed JSON."""
    output = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output)


def decode(path: Path) -> np.ndarray:
    """Every frame of the video as RGB uint8, shape (frames, height, width, 3)."""
    video = next(s for s in probe(path)["streams"] if s["codec_type"] == "video")
    width, height = video["width"], video["height"]
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
