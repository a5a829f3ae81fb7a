"""Hand-off: layers and an OpenTimelineIO timeline for finishing, and short per-brand clips for social posts.

Both are drawn by the film's own layers: a pass is its layer drawn alone, over the frames in which
the layer says it shows, so a float is exactly where the film shows it, frame for frame.

    >>> export = export_for_finishing(campaign, kits, catalog, "16:9")
    >>> export.timeline_path.name
    'festival-demo_16x9.otio'
    >>> clips = render_social_clips(campaign, kits, catalog, "9:16", seconds=6)

A finishing folder, `<films_dir>/<campaign>_<16x9|9x16>_finishing/`, holds:

    <campaign>_16x9.otio        the parade: the film for reference, each float's pass, each lower third
    plate.png                   the street with nothing on it
    floats/<brand>/<brand>.0042.png   each float's pass (and its shadow), full frame, straight alpha
    floats/<brand>.mov          the same pass as ProRes 4444 with alpha, when asked for and ffmpeg has it
    banners/<brand>.png         the lower third, full frame, straight alpha
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from workbench.campaign import Campaign
from workbench.catalog import Catalog
from workbench.files import atomic_path, remove_stale_parts
from workbench.kits import BrandKit
from workbench.parade import Film, film_manifest, first_frame_at, prepare_film, reporting_full_disk
from workbench.parade.encode import (
    VideoFormat, encode_frames, ffmpeg_binary, ffmpeg_process_options, prefetched, write_manifest,
)

SOCIAL_SECONDS = (5.0, 8.0)  # shortest and longest social clip


@dataclass(frozen=True)
class FloatPass:
    """The frames [first, stop) in which one float is in frame, at the export's frame rate."""

    index: int
    brand: str
    first: int
    stop: int


@dataclass(frozen=True)
class FinishingExport:
    """What `export_for_finishing` wrote."""

    folder: Path
    timeline_path: Path
    passes: list[FloatPass]
    frame_files: int


def float_passes(film: Film, fps: int) -> list[FloatPass]:
    """When each float is in frame, as the film's floats layer says."""
    floats = film.parade.layers.floats
    passes = []
    for slot in film.timeline.slots:
        frames = floats.frames_in_view(slot.index, fps)
        if frames:
            passes.append(FloatPass(slot.index, slot.brand, frames.start, frames.stop))
    return passes


def export_for_finishing(
    campaign: Campaign, kits: list[BrandKit], catalog: Catalog, aspect: str,
    fps: int | None = None, size: tuple[int, int] | None = None, prores: bool = False,
) -> FinishingExport:
    """Write the finishing folder for one aspect. `fps` and `size` default to the film's (smaller is quicker)."""
    film_settings = {"fps": fps or campaign.film.fps}
    if size is not None:
        film_settings["sizes"] = {**campaign.film.sizes, aspect: tuple(size)}
    campaign = campaign.with_changes(film=film_settings)
    film = prepare_film(campaign, kits, catalog, aspect)
    fps = campaign.film.fps
    folder = campaign.films_dir / f"{film.stem}_finishing"
    with reporting_full_disk(folder, "the finishing export"):
        return _write_finishing(film, catalog, folder, fps, prores)


def _write_finishing(film: Film, catalog: Catalog, folder: Path, fps: int, prores: bool) -> FinishingExport:
    parade, layers = film.parade, film.parade.layers
    pass_folders = [folder / "floats" / slot.brand for slot in film.timeline.slots]
    for written_to in [folder, folder / "banners", folder / "floats", *pass_folders]:
        remove_stale_parts(written_to)  # temp files of a killed export
    _save_rgba(parade.alone(layers.street, film.timeline.procession_start, channels=3), folder / "plate.png")
    passes = float_passes(film, fps)
    written = 0
    for float_pass in passes:
        pass_folder = folder / "floats" / float_pass.brand
        alone = layers.floats.alone(float_pass.index)
        for frame_number in range(float_pass.first, float_pass.stop):
            still = pass_folder / f"{float_pass.brand}.{frame_number:04d}.png"
            _save_rgba(parade.alone(alone, frame_number / fps), still)
            written += 1
        if prores:
            _prores_4444(pass_folder, float_pass, fps, folder / "floats" / f"{float_pass.brand}.mov")
    for banner in layers.banners:  # each still at its place during the hold
        _save_rgba(parade.alone(banner, banner.slot.hold_start), folder / "banners" / f"{banner.slot.brand}.png")

    timeline_path = folder / f"{film.stem}.otio"
    _write_timeline(film, catalog, passes, fps, folder, timeline_path)
    write_manifest(folder / f"{film.stem}.json", film_manifest(film, catalog))
    return FinishingExport(folder, timeline_path, passes, written)


def _save_rgba(premultiplied: np.ndarray, path: Path) -> None:
    """A premultiplied RGB or RGBA layer as a PNG with straight alpha (what compositing apps expect)."""
    if premultiplied.shape[2] == 3:
        straight = cv2.cvtColor(premultiplied, cv2.COLOR_RGB2BGRA)
    else:
        alpha = premultiplied[..., 3:4].astype(np.float32)
        colour = premultiplied[..., :3].astype(np.float32) * 255 / np.maximum(alpha, 1)
        rgba = np.dstack((np.clip(np.round(colour), 0, 255).astype(np.uint8), premultiplied[..., 3]))
        straight = cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temp:
        ok, data = cv2.imencode(".png", straight, [cv2.IMWRITE_PNG_COMPRESSION, 1])  # fast: mostly transparent
        if not ok:
            raise RuntimeError(f"could not encode {path.name}")
        temp.write_bytes(data.tobytes())


def prores_available() -> bool:
    result = subprocess.run([ffmpeg_binary(), "-hide_banner", "-encoders"], capture_output=True, text=True)
    return " prores_ks " in result.stdout


def _prores_4444(pass_folder: Path, float_pass: FloatPass, fps: int, output: Path) -> None:
    if not prores_available():
        raise RuntimeError("this ffmpeg has no prores_ks encoder; the PNG sequence is the hand-off")
    pattern = pass_folder / f"{float_pass.brand}.%04d.png"
    with atomic_path(output) as temp:
        subprocess.run([
            ffmpeg_binary(), "-v", "error", "-y", "-framerate", str(fps), "-start_number", str(float_pass.first),
            "-i", str(pattern), "-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le",
            "-f", "mov", str(temp),
        ], check=True, capture_output=True, **ffmpeg_process_options())


def _write_timeline(film: Film, catalog: Catalog, passes: list[FloatPass], fps: int, folder: Path, path: Path) -> None:
    """Tracks, bottom to top: the rendered film (for reference), the floats, the lower thirds.

    Each float's clip is its whole pass, from entering the frame to leaving it, so the layers stacked
    over the plate give the film's procession. Passes overlap in time (a float leaves while the next
    arrives), so floats take turns on as many tracks as are ever on screen together. Each clip
    carries its concept's provenance and a marker where the float holds the front.
    """
    import opentimelineio as otio

    def span(first: int, stop: int) -> otio.opentime.TimeRange:
        time = otio.opentime.RationalTime
        return otio.opentime.TimeRange(time(first, fps), time(stop - first, fps))

    timeline = otio.schema.Timeline(name=f"{film.campaign.title} ({film.aspect})")
    timeline.global_start_time = otio.opentime.RationalTime(0, fps)
    manifest = film_manifest(film, catalog)
    frame_count = manifest["frame_count"]

    reference = otio.schema.Track(name="Film (reference)", kind=otio.schema.TrackKind.Video)
    film_path = film.campaign.films_dir / f"{film.stem}.mp4"
    reference.append(otio.schema.Clip(
        name=film_path.name, source_range=span(0, frame_count),
        media_reference=otio.schema.ExternalReference(target_url=film_path.resolve().as_uri(),
                                                      available_range=span(0, frame_count)),
    ))
    timeline.tracks.append(reference)

    layers = _float_layers(passes)
    float_tracks = [otio.schema.Track(name=f"Floats {chr(ord('A') + i)}", kind=otio.schema.TrackKind.Video)
                    for i in range(max(layers.values(), default=-1) + 1)]
    ends = [0] * len(float_tracks)
    by_brand = {entry["brand"]: entry for entry in manifest["segments"] if entry["kind"] == "brand"}
    for float_pass in passes:
        entry = by_brand[float_pass.brand]
        track = layers[float_pass.index]
        if float_pass.first > ends[track]:
            float_tracks[track].append(otio.schema.Gap(source_range=span(0, float_pass.first - ends[track])))
        clip = otio.schema.Clip(
            name=float_pass.brand,
            source_range=span(float_pass.first, float_pass.stop),
            media_reference=otio.schema.ImageSequenceReference(
                target_url_base=(folder / "floats" / float_pass.brand).resolve().as_uri() + "/",
                name_prefix=f"{float_pass.brand}.", name_suffix=".png", start_frame=float_pass.first,
                frame_step=1, rate=fps, frame_zero_padding=4, available_range=span(float_pass.first, float_pass.stop),
            ),
            metadata={"parade": {"concept_id": entry["concept_id"], **manifest["concepts"][entry["concept_id"]],
                                 "slot_frames": entry["frames"], "hold_frames": entry["hold_frames"],
                                 "logo_box": entry["logo_box"]}},
        )
        hold_first, hold_stop = entry["hold_frames"]
        clip.markers.append(otio.schema.Marker(name=f"{float_pass.brand} at the front",
                                               marked_range=span(hold_first, hold_stop)))
        float_tracks[track].append(clip)
        ends[track] = float_pass.stop
    timeline.tracks.extend(float_tracks)

    banners = otio.schema.Track(name="Lower thirds", kind=otio.schema.TrackKind.Video)
    end = 0
    for banner in film.parade.layers.banners:
        entry = by_brand[banner.slot.brand]
        shown_from, shown_until = banner.span  # sliding in, held, fading out
        first, stop = max(end, first_frame_at(shown_from, fps)), min(frame_count, first_frame_at(shown_until, fps))
        if first > end:
            banners.append(otio.schema.Gap(source_range=span(0, first - end)))
        still = (folder / "banners" / f"{entry['brand']}.png").resolve().as_uri()
        banners.append(otio.schema.Clip(
            name=f"{entry['brand']} lower third", source_range=span(0, stop - first),
            media_reference=otio.schema.ExternalReference(target_url=still),
            metadata={"parade": {"text_box": entry["text_box"], "logo_box": entry["logo_box"]}},
        ))
        end = stop
    timeline.tracks.append(banners)
    with atomic_path(path) as temp:
        otio.adapters.write_to_file(timeline, str(temp), adapter_name="otio_json")


def _float_layers(passes: list[FloatPass]) -> dict[int, int]:
    """Float index -> track number: each float on the lowest track free when its pass begins."""
    ends: list[int] = []
    layers = {}
    for float_pass in sorted(passes, key=lambda p: p.first):
        track = next((i for i, end in enumerate(ends) if end <= float_pass.first), len(ends))
        if track == len(ends):
            ends.append(0)
        ends[track] = float_pass.stop
        layers[float_pass.index] = track
    return layers


# Social clips --------------------------------------------------------------------------------------


def social_window(film: Film, index: int, seconds: float) -> tuple[float, float]:
    """`seconds` of the procession centred on brand `index`'s hold, kept clear of the title and end cards."""
    timeline = film.timeline
    slot = timeline.slots[index]
    length = min(seconds, timeline.procession_end - timeline.procession_start)
    start = slot.hold_mid - length / 2
    start = min(max(start, timeline.procession_start), timeline.procession_end - length)
    return start, start + length


def render_social_clips(
    campaign: Campaign, kits: list[BrandKit], catalog: Catalog, aspect: str = "9:16", seconds: float = 6.0,
) -> list[Path]:
    """One short MP4 per brand, `<films_dir>/social/<campaign>_<brand>_<aspect>.mp4`: its float's pass
    with its lower third, cut from the film's own timeline (5 to 8 s; shorter only if the whole
    procession is)."""
    low, high = SOCIAL_SECONDS
    if not low <= seconds <= high:
        raise ValueError(f"seconds: social clips run {low:g} to {high:g} s, got {seconds:g}")
    film = prepare_film(campaign, kits, catalog, aspect)
    video = VideoFormat.for_film(campaign.film, film.size)
    folder = campaign.films_dir / "social"
    remove_stale_parts(folder)  # temp files of a killed run
    paths = []
    with reporting_full_disk(folder, "the social clips"):
        for slot in film.timeline.slots:
            start, end = social_window(film, slot.index, seconds)
            times = [start + i / video.fps for i in range(round((end - start) * video.fps))]
            path = folder / f"{campaign.name}_{slot.brand}_{aspect.replace(':', 'x')}.mp4"
            encode_frames(prefetched(film.parade.frame, times), video, path, faststart=True)
            paths.append(path)
    return paths
