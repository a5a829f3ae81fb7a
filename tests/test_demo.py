"""The demo path end to end on three kits: generate, review (one brand wholly rejected), render both aspects.

Films are checked as a viewer would: ffprobe for the format, and frames sampled at the manifest's
times must show each approved brand's exact logo where the manifest says, and nothing of the
rejected brand anywhere.
"""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_KITS, probe, write_campaign
from workbench.campaign import load_campaign
from workbench.catalog import Catalog
from workbench.cli import app
from workbench.kits import load_kits

runner = CliRunner()
SHOWN, REJECTED = ("lotus-tea", "kestrel-stride"), "polar-scoop"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    kits_folder = root / "brand_kits"
    for slug in (*SHOWN, REJECTED):
        shutil.copytree(SAMPLE_KITS / slug, kits_folder / slug)
    film = {"sizes": {"16:9": [640, 360], "9:16": [360, 640]}, "fps": 10, "title_seconds": 1.0,
            "end_seconds": 1.0, "seconds_per_brand": 2.0, "preset": "ultrafast"}
    campaign_file = write_campaign(root / "campaign.yaml", kits_folder, root / "renders", film=film)
    assert runner.invoke(app, ["generate", str(campaign_file)]).exit_code == 0
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        rows = ["concept_id,verdict,reason"]
        for concept in catalog.concepts():
            verdict = "approved" if concept.brand in SHOWN and concept.seed == 2 else "rejected"
            rows.append(f"{concept.id},{verdict},test")
    (root / "decisions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["review", "import", str(campaign_file), str(root / "decisions.csv")]).exit_code == 0
    result = runner.invoke(app, ["render", str(campaign_file)])
    assert result.exit_code == 0, result.output
    return campaign, load_kits(kits_folder).kits


def _frame(path, seconds: float) -> np.ndarray:
    video = cv2.VideoCapture(str(path))
    video.set(cv2.CAP_PROP_POS_MSEC, seconds * 1000)
    ok, frame = video.read()
    video.release()
    assert ok, f"no frame at {seconds}s in {path}"
    return frame


def _logo_template(kit, box) -> tuple[np.ndarray, np.ndarray]:
    from PIL import Image

    width, height = box[2] - box[0], box[3] - box[1]
    logo = np.asarray(kit.logo_image().resize((width, height), Image.LANCZOS))
    bgr = cv2.cvtColor(np.ascontiguousarray(logo[..., :3]), cv2.COLOR_RGB2BGR)
    return bgr, logo[..., 3]


def _logo_error_at(frame, kit, box) -> float:
    """Mean colour error over the logo's opaque pixels, where the manifest says the logo is."""
    template, alpha = _logo_template(kit, box)
    crop = frame[box[1]:box[3], box[0]:box[2]].astype(np.int16)
    opaque = alpha > 200
    return float(np.abs(crop - template.astype(np.int16))[opaque].mean())


def _best_rms_anywhere(frame, kit, box) -> float:
    """The smallest RMS colour error of the logo (at the box's size) over every place in the frame."""
    template, alpha = _logo_template(kit, box)
    mask = (alpha > 200).astype(np.float32)
    squared = cv2.matchTemplate(frame.astype(np.float32), template.astype(np.float32), cv2.TM_SQDIFF,
                                mask=cv2.merge([mask] * 3))
    return float(np.sqrt(squared.min() / (3 * mask.sum())))


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_film_format_and_brands(rendered, aspect):
    campaign, kits = rendered
    tag = aspect.replace(":", "x")
    film = campaign.films_dir / f"{campaign.name}_{tag}.mp4"
    manifest = json.loads(film.with_suffix(".json").read_text(encoding="utf-8"))
    media = probe(film)
    video = next(stream for stream in media["streams"] if stream["codec_type"] == "video")
    width, height = campaign.film.size(aspect)
    assert (video["codec_name"], video["width"], video["height"], video["pix_fmt"]) == ("h264", width, height, "yuv420p")
    assert video["r_frame_rate"] == f"{campaign.film.fps}/1"
    # 1 s title + 2 shown brands x 2 s + 1 s end card; the rejected brand takes no time.
    assert float(media["format"]["duration"]) == pytest.approx(6.0, abs=0.15)

    brand_segments = [s for s in manifest["segments"] if s["kind"] == "brand"]
    assert [s["brand"] for s in brand_segments] == sorted(SHOWN)  # kits in folder order
    for segment in brand_segments:
        moment = (segment["hold_start"] + segment["hold_end"]) / 2
        frame = _frame(film, moment)
        box = segment["logo_box"]
        assert 0 <= box[0] < box[2] <= width and 0 <= box[1] < box[3] <= height, "logo wholly inside the frame"
        shown = kits[segment["brand"]]
        assert _logo_error_at(frame, shown, box) < 25, f"{shown.slug} logo not at {box} at {moment:.2f}s"
        assert _best_rms_anywhere(frame, shown, box) < 25
        assert _best_rms_anywhere(frame, kits[REJECTED], box) > 40, "the rejected brand's logo is nowhere"


def test_rejected_brand_is_nowhere(rendered):
    campaign, kits = rendered
    film = campaign.films_dir / f"{campaign.name}_16x9.mp4"
    manifest = json.loads(film.with_suffix(".json").read_text(encoding="utf-8"))
    assert REJECTED not in json.dumps(manifest)
    with Catalog(campaign.catalog_path) as catalog:
        approved_ids = {c.id for c in catalog.approved()}
    assert {s["concept_id"] for s in manifest["segments"] if s["kind"] == "brand"} <= approved_ids
