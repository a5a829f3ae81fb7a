"""The parade film's frames and the finishing export's passes are the same to the byte as when the fixture
was made: refactors of workbench/parade must not move a single pixel. Regenerate the fixture (only for an
intended change of the pictures) with `.venv/bin/python tests/test_parade_identical.py`.

Three brands (conftest's fake floats) at 320x180 and 180x320, 10 fps: named moments (each card, the
dissolves, the banners sliding in and fading out, holds, travel) and a digest of every frame, with
particles and the AI label on and off, and without cards; then the finishing export of each aspect.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import SAMPLE_KITS, SHOWN, add_concept, make_campaign
from workbench.catalog import Catalog
from workbench.kits import load_kits
from workbench.parade import prepare_film
from workbench.parade.export import export_for_finishing

FIXTURE = Path(__file__).resolve().parent / "data" / "parade_frame_hashes.json"
ASPECTS = ("16:9", "9:16")
VARIANTS = {  # film settings changed from conftest's make_campaign
    "default": {},
    "no particles": {"particles": False},
    "no AI label": {"ai_label": False},
    "no cards": {"title_seconds": 0, "end_seconds": 0},
}
FINISHING = {"fps": 5, "size": {"16:9": (256, 144), "9:16": (144, 256)}}


def moments(timeline) -> dict[str, float]:
    """The times worth a frame each, by name: every card, dissolve, banner move and hold of the film."""
    first, second, last = timeline.slots[0], timeline.slots[1], timeline.slots[-1]
    start, end, dissolve = timeline.procession_start, timeline.procession_end, timeline.dissolve_seconds
    named = {
        "title card": 0.37, "title card, last instant": start - 0.013,
        "dissolve in, first instant": start, "dissolve in, middle": start + dissolve / 2,
        "first banner slides in": first.hold_start - 0.11, "first hold starts": first.hold_start,
        "first hold, middle": first.hold_mid, "first banner fades out": first.hold_end + 0.12,
        "travel between the first two": (first.hold_end + second.hold_start) / 2,
        "second banner slides in": second.hold_start - 0.23, "second hold, middle": second.hold_mid + 0.031,
        "last hold, middle": last.hold_mid, "last hold, last instant": last.hold_end - 0.004,
        "last banner fades out": last.hold_end + 0.21,
        "dissolve out, middle": end - dissolve / 2, "dissolve out, last instant": end - 0.007,
        "end card starts": end, "end card": end + 0.55, "end card, last instant": timeline.duration - 0.011,
    }
    return {name: t for name, t in named.items() if 0 <= t < timeline.duration}


def pixels_digest(*arrays: np.ndarray) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.shape}|{array.dtype}|".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def three_brands(root: Path, **film) -> tuple:
    """(campaign, kits, catalog): conftest's three shown brands, each with one approved fake float."""
    kits = load_kits(SAMPLE_KITS).kits
    campaign = make_campaign(root, **film)
    catalog = Catalog(campaign.catalog_path)
    for slug in SHOWN:
        add_concept(catalog, campaign, kits[slug], 1, "approved")
    return campaign, [kits[slug] for slug in SHOWN], catalog


def film_hashes(root: Path, aspect: str, variant: str) -> dict[str, str]:
    """Each named moment's frame, every frame of the film together, and the banners' boxes."""
    campaign, kits, catalog = three_brands(root, **VARIANTS[variant])
    film = prepare_film(campaign, kits, catalog, aspect)
    parade, timeline, fps = film.parade, film.timeline, campaign.film.fps
    hashes = {f"{aspect}/{variant}/{name} ({t:.3f} s)": pixels_digest(parade.frame(t))
              for name, t in moments(timeline).items()}
    every_frame = [parade.frame(i / fps) for i in range(round(timeline.duration * fps))]
    hashes[f"{aspect}/{variant}/every frame ({len(every_frame)})"] = pixels_digest(*every_frame)
    boxes = [[*parade.banner(slot.index).logo_box, *parade.banner(slot.index).text_box] for slot in timeline.slots]
    hashes[f"{aspect}/{variant}/banner boxes"] = hashlib.sha256(json.dumps(boxes).encode()).hexdigest()
    return hashes


def finishing_hashes(root: Path, aspect: str) -> dict[str, str]:
    """The export's passes: which frames each float's pass covers, and every PNG's pixels."""
    campaign, kits, catalog = three_brands(root)
    export = export_for_finishing(campaign, kits, catalog, aspect, fps=FINISHING["fps"],
                                  size=FINISHING["size"][aspect])
    prefix = f"{aspect}/finishing"
    ranges = [[float_pass.brand, float_pass.first, float_pass.stop] for float_pass in export.passes]
    hashes = {f"{prefix}/pass frames": hashlib.sha256(json.dumps(ranges).encode()).hexdigest()}
    for path in sorted(export.folder.rglob("*.png")):
        pixels = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        hashes[f"{prefix}/{path.relative_to(export.folder)}"] = pixels_digest(pixels)
    return hashes


def all_hashes(root: Path) -> dict[str, str]:
    hashes = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for aspect in ASPECTS:
            for variant in VARIANTS:
                hashes.update(film_hashes(root / aspect.replace(":", "x") / variant, aspect, variant))
            hashes.update(finishing_hashes(root / aspect.replace(":", "x") / "finishing", aspect))
    return hashes


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, str]:
    return all_hashes(tmp_path_factory.mktemp("identical"))


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_the_same_frames_and_passes_are_made(made, expected):
    assert sorted(made) == sorted(expected), "a moment, variant or finishing file came or went"
    changed = [name for name in expected if made[name] != expected[name]]
    assert not changed, f"{len(changed)} of {len(expected)} differ, e.g. {changed[:5]}"


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="parade-identical-") as folder:
        hashes = all_hashes(Path(folder))
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(hashes, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(hashes)} hashes to {FIXTURE}")
