"""Craft switches and fitting: particles on and off, music trimmed or looped with fades, the crowd's parallax.

Tiny films (320x180 / 180x320, 10 fps) with the fake floats of conftest.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import write_tone
from test_parade_identical import three_brands
from workbench.parade import prepare_film
from workbench.parade.encode import fit_music


@pytest.fixture(scope="module")
def parade_inputs(tmp_path_factory):
    return three_brands(tmp_path_factory.mktemp("craft"))


@pytest.mark.parametrize("aspect", ["16:9", "9:16"])
def test_particles_switch_off_leaves_a_still_title_card(parade_inputs, aspect):
    campaign, kits, catalog = parade_inputs
    lively = prepare_film(campaign, kits, catalog, aspect).parade
    calm = prepare_film(campaign.with_changes(film={"particles": False}), kits, catalog, aspect).parade
    assert not np.array_equal(lively.frame(0.2), lively.frame(0.6)), "confetti falls"
    assert np.array_equal(calm.frame(0.2), calm.frame(0.6)), "no confetti: nothing moves on the title card"


def test_crowd_slides_as_the_procession_advances(parade_inputs):
    campaign, kits, catalog = parade_inputs
    film = prepare_film(campaign.with_changes(film={"particles": False}), kits, catalog, "16:9")
    first, second = film.timeline.slots[0], film.timeline.slots[1]
    crowd_rows = slice(-round(0.05 * film.size[1]), None)  # the bottom of the frame, below the banner
    held = film.parade.frame(first.hold_mid)[crowd_rows]
    assert np.array_equal(held, film.parade.frame(first.hold_start + 0.01)[crowd_rows]), "still while a float holds"
    assert not np.array_equal(held, film.parade.frame(second.hold_mid)[crowd_rows]), "slid one float's worth on"


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as handle:
        samples = np.frombuffer(handle.readframes(handle.getnframes()), "<i2").reshape(-1, handle.getnchannels())
        return samples[:, 0].astype(float), handle.getframerate()


@pytest.mark.parametrize("track_seconds", [1.2, 9.0])  # looped up to length, or trimmed down to it
def test_music_is_fitted_to_the_film_with_fades(tmp_path, track_seconds):
    tone = tmp_path / "tone.wav"
    write_tone(tone, seconds=track_seconds)
    samples, rate = read_wav(fit_music(tone, 4.0, tmp_path / "fitted.wav"))
    assert len(samples) / rate == pytest.approx(4.0, abs=0.01)

    def loudness(start: float, seconds: float = 0.05) -> float:
        window = samples[int(start * rate):int((start + seconds) * rate)]
        return float(np.sqrt(np.mean(window**2)))

    full = loudness(2.0)
    assert full > 1000, "the tone is there"
    assert loudness(0.0) < 0.2 * full, "fades in"
    assert loudness(4.0 - 0.05) < 0.2 * full, "fades out"
