"""Writing the film: an H.264 MP4 that appears only when complete, and its JSON manifest.

    >>> encode(parade.clip(), campaign.films_dir / "demo_16x9.mp4", campaign.film, progress=False)
    >>> write_manifest(campaign.films_dir / "demo_16x9.json", {"campaign": "demo", ...})
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from workbench.campaign import FilmSettings
from workbench.errors import InputError
from workbench.files import atomic_path

MUSIC_FADE_SECONDS = 2.0


def encode(clip, path: Path, film: FilmSettings, progress: bool = True) -> None:
    """Encode a moviepy clip to `path` (libx264, yuv420p, faststart), with film.audio if set."""
    from moviepy import AudioFileClip, afx

    music = None
    if film.audio is not None:
        if not Path(film.audio).is_file():
            raise InputError(film.audio, "film.audio", "audio file not found")
        music = AudioFileClip(str(film.audio))
        if music.duration < clip.duration:
            fitted = music.with_effects([afx.AudioLoop(duration=clip.duration)])
        else:
            fitted = music.subclipped(0, clip.duration)
        fade = min(MUSIC_FADE_SECONDS, clip.duration / 3)
        clip = clip.with_audio(fitted.with_effects([afx.AudioFadeOut(fade)]))
    try:
        with atomic_path(path) as temp:
            clip.write_videofile(
                str(temp),
                fps=film.fps,
                codec="libx264",
                preset=film.preset,
                audio=music is not None,
                audio_codec="aac",
                temp_audiofile_path=str(path.parent),
                threads=os.cpu_count(),
                # "-f mp4": the temp name ends in ".part", so ffmpeg cannot guess the container.
                ffmpeg_params=["-crf", str(film.crf), "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"],
                logger="bar" if progress else None,
            )
    finally:
        if music is not None:
            music.close()


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest JSON atomically (UTF-8, readable)."""
    with atomic_path(path) as temp:
        temp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
