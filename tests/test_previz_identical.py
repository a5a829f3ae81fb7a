"""The previz float is the same to the byte as when the fixture was made: refactors of previz.py must
not move a single pixel. Regenerate the fixture (only for an intended change of the drawing) with
`.venv/bin/python tests/test_previz_identical.py`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from workbench.backends.previz import (ARRANGEMENTS, BANNERS, BODIES, MASSIVE, MEDALLIONS, SKIRTS, TRIMS,
                                       choose_design, render_float)
from workbench.kits import load_kits

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "data" / "previz_hashes.json"
SEEDS = range(1, 13)
SIZES = (768, 256)
OVERRIDE_SIZE = 384
OVERRIDE_SEED = 5
# Pinned designs, so every body, banner and other choice is drawn at least once whatever the seeds pick.
OVERRIDES = ([{"body": body, "banner": banner} for body in BODIES for banner in BANNERS]
             + [{"arrangement": value} for value in ARRANGEMENTS] + [{"trim": value} for value in TRIMS]
             + [{"medallion": value} for value in MEDALLIONS] + [{"skirt": value} for value in SKIRTS]
             + [{"body": "mascot", "hero_motif": value} for value in MASSIVE])


def _cases() -> dict[str, tuple[str, int, int, dict]]:
    """Each case by name: (slug, seed, size, overrides)."""
    slugs = sorted(load_kits(REPO / "brand_kits").kits)
    cases = {f"{slug}/seed{seed}/{size}px": (slug, seed, size, {})
             for slug in slugs for seed in SEEDS for size in SIZES}
    for index, overrides in enumerate(OVERRIDES):
        slug = slugs[index % len(slugs)]  # spread the pinned designs over the kits
        name = ",".join(f"{key}={value}" for key, value in overrides.items())
        cases[f"{slug}/seed{OVERRIDE_SEED}/{OVERRIDE_SIZE}px/{name}"] = (slug, OVERRIDE_SEED, OVERRIDE_SIZE, overrides)
    return cases


def _hash(slug: str, seed: int, size: int, overrides: dict) -> str:
    """sha256 of the float's RGBA pixels (the array, so PNG encoder settings cannot matter)."""
    kit = load_kits(REPO / "brand_kits").kits[slug]
    image, layout = render_float(kit, choose_design(kit, seed, overrides), size, size)
    pixels = np.asarray(image.convert("RGBA"))
    return hashlib.sha256(f"{pixels.shape}|{layout}".encode() + pixels.tobytes()).hexdigest()


CASES = _cases()


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    return json.loads(FIXTURE.read_text())


def test_fixture_covers_every_case(expected):
    assert sorted(expected) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_float_is_identical_to_the_byte(name, expected):
    assert _hash(*CASES[name]) == expected[name], f"previz drew {name} differently"


if __name__ == "__main__":
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps({name: _hash(*case) for name, case in sorted(CASES.items())}, indent=1) + "\n")
    print(f"wrote {len(CASES)} hashes to {FIXTURE}")
