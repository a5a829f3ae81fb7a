"""The music's beats, for a film whose holds and cuts land on them (`film.beat_sync`).

ffmpeg decodes the track straight to mono at a low sample rate, which keeps a long track quick, and
librosa's beat tracker finds the beats. A tracked beat sits on its analysis frame, a little after the
sound that makes it, so each is moved onto the attack of the onset beside it: cuts land on the hit,
not a frame later. librosa is imported here, inside the functions, so `workbench render` stays light.

    >>> beats = film_beats(Path("music/festival.wav"), duration=94.0)  # as `fit_music` plays it: looped if short
    >>> round(beats[1] - beats[0], 2)  # a 120 BPM track
    0.5
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from workbench.campaign import CampaignError

BEAT_SAMPLE_RATE = 11025  # Hz: a quarter of CD rate holds every beat and decodes a long track in a moment
BEAT_HOP = 256  # samples between analysis frames: 23 ms at BEAT_SAMPLE_RATE, under a frame at 30 fps
ATTACK_REACH_SECONDS = 0.06  # how far a tracked beat may move onto its onset's attack


def film_beats(audio: Path, duration: float) -> tuple[float, ...]:
    """The track's beats over a film of `duration` seconds, in seconds from the film's start.

    The film plays the track from its start, looped when it is shorter than the film (see
    `encode.fit_music`), so the beats repeat with it. A track with no beat to find is one line naming
    `film.beat_sync`.
    """
    samples = decoded_mono(audio, duration)
    beats = track_beats(samples, BEAT_SAMPLE_RATE)
    if len(beats) < 2:
        raise CampaignError(audio, "film.beat_sync", "found no beat in the music track to cut on;"
                                                      " choose a track with a beat or set beat_sync: false")
    track_seconds = len(samples) / BEAT_SAMPLE_RATE
    repeats = int(np.ceil(duration / track_seconds))
    return tuple(float(loop * track_seconds + beat) for loop in range(repeats) for beat in beats
                 if loop * track_seconds + beat < duration)


def decoded_mono(audio: Path, duration: float) -> np.ndarray:
    """The first `duration` seconds of the track (all of it when shorter) as mono float32 at BEAT_SAMPLE_RATE."""
    from workbench.parade.encode import check_audio, ffmpeg_binary, ffmpeg_process_options

    check_audio(audio)  # a missing or unreadable track is one line naming film.audio
    command = [ffmpeg_binary(), "-v", "error", "-i", str(audio), "-t", f"{duration:.3f}", "-vn", "-ac", "1",
               "-ar", str(BEAT_SAMPLE_RATE), "-f", "f32le", "-"]
    result = subprocess.run(command, capture_output=True, **ffmpeg_process_options())
    said = result.stderr.decode(errors="replace").strip().splitlines()
    if result.returncode != 0 or not result.stdout:
        reason = said[-1] if said else "no sound"
        raise CampaignError(audio, "film.audio", f"ffmpeg could not decode the track ({reason})")
    return np.frombuffer(result.stdout, "<f4")


def track_beats(samples: np.ndarray, rate: int) -> list[float]:
    """The beats of mono `samples` at `rate` Hz, in seconds, each on the attack of its onset where one is near."""
    import librosa

    envelope = librosa.onset.onset_strength(y=samples, sr=rate, hop_length=BEAT_HOP)
    _tempo, beats = librosa.beat.beat_track(onset_envelope=envelope, sr=rate, hop_length=BEAT_HOP, units="time")
    attacks = librosa.onset.onset_detect(onset_envelope=envelope, sr=rate, hop_length=BEAT_HOP, backtrack=True,
                                         units="time")
    if len(attacks) == 0:
        return [float(beat) for beat in beats]
    nearest = attacks[np.abs(attacks[None, :] - beats[:, None]).argmin(axis=1)]
    on_attack = np.where(np.abs(nearest - beats) <= ATTACK_REACH_SECONDS, nearest, beats)
    return sorted({float(beat) for beat in on_attack})
