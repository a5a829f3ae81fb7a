"""Shared fixtures and helpers: the repo's sample kits, copies of them that a test may break, media probes,
and the parade tests' fake floats, campaign and catalog."""

from __future__ import annotations

import json
import wave
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml
from PIL import Image, ImageDraw

from workbench.campaign import Campaign
from workbench.catalog import Catalog, ConceptRecord
from workbench.files import save_png
from workbench.kits import BrandKit
from workbench.settings import PROVENANCE_VARIABLES

REPO = Path(__file__).resolve().parent.parent
SAMPLE_KITS = REPO / "brand_kits"

# The parade tests' tiny films: these brands shown (each has an approved concept), that one rejected.
SHOWN = ["lotus-tea", "tern-motors", "kestrel-stride"]
REJECTED = "polar-scoop"
FPS = 10


@pytest.fixture(autouse=True)
def no_real_openai_key(monkeypatch, tmp_path):
    """Whatever the developer's shell holds, no test sees a real key, signing key, settings file or API address,
    or speaks another language than English."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", *PROVENANCE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARADE_WORKBENCH_SETTINGS", str(tmp_path / "no-settings.toml"))
    # The tests read the workbench's English, whatever the machine's locale (tests/test_i18n.py tests the others).
    monkeypatch.setenv("WORKBENCH_LANG", "en")


@pytest.fixture
def kits_folder(tmp_path: Path) -> Path:
    """A private copy of three sample kits (one Chinese, one SVG logo, one PNG logo)."""
    folder = tmp_path / "brand_kits"
    for slug in ("lotus-tea", "kestrel-stride", "polar-scoop"):
        shutil.copytree(SAMPLE_KITS / slug, folder / slug)
    return folder


@pytest.fixture
def campaign_file(tmp_path: Path, kits_folder: Path) -> Path:
    """A small campaign of the three kits in `kits_folder`, nothing made yet (modules may override it)."""
    return write_campaign(tmp_path / "campaign.yaml", kits_folder, tmp_path / "renders")


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


# The parade tests' fake floats, campaign and catalog ------------------------------------------------


def fake_float(kit: BrandKit, width: int = 240, height: int = 180) -> Image.Image:
    """A float-like shape in the brand's colours on a transparent background."""
    primary, secondary, accent = (kit.palette.rgb(role) for role in ("primary", "secondary", "accent"))
    image = Image.new("RGBA", (width + 20, height + 20), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    w, h = width, height
    draw.ellipse((0.25 * w, 0.05 * h, 0.75 * w, 0.68 * h), fill=(*secondary, 255), outline=(*primary, 255), width=4)
    draw.regular_polygon((w / 2, 0.37 * h, 0.17 * w), 5, fill=(*accent, 255))
    draw.rounded_rectangle((0.05 * w, 0.6 * h, 0.95 * w, 0.86 * h), radius=h // 20, fill=(*primary, 255))
    for centre in (0.2, 0.5, 0.8):
        draw.ellipse(((centre - 0.06) * w, 0.8 * h, (centre + 0.06) * w, 0.98 * h), fill=(30, 30, 36, 255))
    return image


def make_campaign(renders: Path, **film) -> Campaign:
    settings = {
        "sizes": {"16:9": [320, 180], "9:16": [180, 320]}, "fps": FPS, "title_seconds": 1.0,
        "end_seconds": 1.0, "seconds_per_brand": 1.4, "preset": "ultrafast", **film,
    }
    return Campaign.model_validate({
        "name": "test-parade", "title": "Test Parade", "end_card": "Thanks for watching · 感谢观看",
        "kits_folder": SAMPLE_KITS, "renders_folder": renders, "film": settings,
    })


def add_concept(catalog: Catalog, campaign: Campaign, kit: BrandKit, seed: int, verdict: str | None, stars=None) -> str:
    path = campaign.concepts_dir / kit.slug / f"{kit.slug}-s{seed}.png"
    digest = save_png(fake_float(kit), path)
    concept_id = f"{kit.slug}-s{seed}"
    catalog.add_concept(ConceptRecord(
        id=concept_id, brand=kit.slug, backend="test", model="fake", prompt="", negative_prompt="", seed=seed,
        settings={}, path=str(path.relative_to(campaign.root)), content_hash=digest,
    ))
    if verdict or stars:
        catalog.review(concept_id, verdict=verdict, stars=stars)
    return concept_id


def parade_catalog(campaign: Campaign, kits: dict[str, BrandKit]) -> Catalog:
    """lotus-tea: two approved (the 5-star one wins); tern-motors and kestrel-stride: approved with tied
    stars (the earliest seed wins); polar-scoop: every concept rejected."""
    catalog = Catalog(campaign.catalog_path)
    add_concept(catalog, campaign, kits["lotus-tea"], 1, "approved", 3)
    add_concept(catalog, campaign, kits["lotus-tea"], 2, "approved", 5)
    add_concept(catalog, campaign, kits["lotus-tea"], 3, "rejected", 5)
    add_concept(catalog, campaign, kits["tern-motors"], 4, "approved")
    add_concept(catalog, campaign, kits["tern-motors"], 2, "approved")
    add_concept(catalog, campaign, kits["kestrel-stride"], 1, "approved", 4)
    add_concept(catalog, campaign, kits["kestrel-stride"], 2, "approved", 4)
    add_concept(catalog, campaign, kits[REJECTED], 1, "rejected")
    add_concept(catalog, campaign, kits[REJECTED], 2, "rejected")
    return catalog


def logo_template(kit: BrandKit, box: list[int]) -> np.ndarray:
    """The brand's logo resized to the box, over the banner's panel colour (the brand background)."""
    width, height = box[2] - box[0], box[3] - box[1]
    logo = kit.logo_image().resize((width, height), Image.LANCZOS)
    panel = Image.new("RGBA", logo.size, (*kit.palette.rgb("background"), 255))
    panel.alpha_composite(logo)
    return np.asarray(panel.convert("RGB"))


def match_at(frame: np.ndarray, template: np.ndarray, box: list[int], slack: int = 3) -> float:
    """Best match score of the template within a few pixels of where the box says it is."""
    left, top = max(0, box[0] - slack), max(0, box[1] - slack)
    region = frame[top:box[3] + slack, left:box[2] + slack]
    return float(cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED).max())


def write_tone(path: Path, seconds: float, rate: int = 22050) -> None:
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(samples.tobytes())
