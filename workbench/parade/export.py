"""Hand-off: layers and an OpenTimelineIO timeline for finishing, and short per-brand clips for social posts.

Both are drawn by the film's own layers: a pass is its layer drawn alone, over the frames in which
the layer says it shows, so a float is exactly where the film shows it, frame for frame.

    >>> export = export_for_finishing(campaign, kits, catalog, "16:9")
    >>> export.timeline_path.name
    'festival-demo_16x9.otio'
    >>> clips = render_social_clips(campaign, kits, catalog, "9:16", seconds=6)

A finishing folder, `<films_dir>/<campaign>_<16x9|9x16>_finishing/`, holds:

    <campaign>_16x9.otio        the parade: the film for reference, each float's pass, each lower third
    <campaign>_16x9.xml         the same timeline as FCP 7 XML (Premiere, Resolve), with the ProRes passes
    <campaign>_16x9.mp4         a copy of the rendered film, the timeline's reference track
    <campaign>_16x9.json        the manifest: which brand is on screen when, and each concept's provenance
    plate.png                   the street with nothing on it
    plate/plate.0042.png        the backdrop frame by frame, where it moves (a camera, a video plate)
    plate.mov                   the same as ProRes 422 HQ, when asked for and ffmpeg has it
    floats/<brand>/<brand>.0042.png   each float's pass (and its shadow), full frame, straight alpha
    floats/<brand>.mov          the same pass as ProRes 4444 with alpha, when asked for and ffmpeg has it
    banners/<brand>.png         the lower third, full frame, straight alpha

The folder travels: every media reference in the timelines is a path relative to the folder (as OTIO's
own bundles write them: `floats/lotus-tea.mov`, no `file:` scheme), so it can be zipped and opened on
another machine. A float clip offers its pass both ways, as OTIO media references by name: the PNG
sequence ("image_sequence") and, with `prores=True`, the ProRes clip ("prores_4444", then the active
one). FCP 7 XML has no image sequences, so the .xml (and `otioconvert -i X.otio -o X.xml`) needs the
ProRes passes, and a frame rate FCP timecode runs at.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from workbench.campaign import Campaign
from workbench.catalog import Catalog
from workbench.files import atomic_path, remove_stale_parts
from workbench.kits import BrandKit
from workbench.parade import Film, film_manifest, first_frame_at, label_film, prepare_film, reporting_full_disk
from workbench.parade.encode import (
    VideoFormat, encode_frames, ffmpeg_binary, ffmpeg_process_options, metadata_options, prefetched, write_manifest,
)
from workbench.provenance.aigc import COMPOSITE, TRAINED, png_bytes_with_text
from workbench.provenance.labeller import Labeller

SOCIAL_SECONDS = (5.0, 8.0)  # shortest and longest social clip
IMAGE_SEQUENCE, PRORES_4444, PRORES_422_HQ = "image_sequence", "prores_4444", "prores_422hq"  # media references
EDITOR_FPS = (24, 25, 30, 48, 50, 60)  # whole-number rates OTIO writes FCP 7 XML timecode for


@dataclass(frozen=True)
class FloatPass:
    """The frames [first, stop) in which one float is in frame, at the export's frame rate."""

    index: int
    brand: str
    first: int
    stop: int


@dataclass(frozen=True)
class FinishingExport:
    """What `export_for_finishing` wrote; `editor_xml` is the FCP 7 XML, None without ProRes passes."""

    folder: Path
    timeline_path: Path
    passes: list[FloatPass]
    frame_files: int
    editor_xml: Path | None


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
    labeller: Labeller | None = None,
) -> FinishingExport:
    """Write the finishing folder for one aspect. `fps` and `size` default to the film's (smaller is quicker).

    Every image carries the implicit AI-content label (`labeller`, by default the campaign's): a float's
    pass names its concept, the rest the film; the visible label is a pass of its own (`labels/label.png`)
    on a track of its own, over the spans the film shows it.
    """
    labeller = labeller or Labeller.for_campaign(campaign)
    film_settings = {"fps": fps or campaign.film.fps}
    if size is not None:
        film_settings["sizes"] = {**campaign.film.sizes, aspect: tuple(size)}
    campaign = campaign.with_changes(film=film_settings)
    film = prepare_film(campaign, kits, catalog, aspect)
    fps = campaign.film.fps
    folder = campaign.films_dir / f"{film.stem}_finishing"
    with reporting_full_disk(folder, "the finishing export"):
        return _write_finishing(film, catalog, folder, fps, prores, labeller)


def _write_finishing(film: Film, catalog: Catalog, folder: Path, fps: int, prores: bool,
                     labeller: Labeller) -> FinishingExport:
    parade, layers = film.parade, film.parade.layers
    pass_folders = [folder / "floats" / slot.brand for slot in film.timeline.slots]
    for written_to in [folder, folder / "banners", folder / "floats", folder / "labels", *pass_folders]:
        remove_stale_parts(written_to)  # temp files of a killed export
    film_label = labeller.png_text(film.stem, COMPOSITE)
    remove_stale_parts(folder / "plate")
    plate = _write_plate(film, folder, fps, prores, film_label, labeller.mp4_metadata(film.stem))
    passes = float_passes(film, fps)
    written = 0
    for float_pass in passes:
        pass_folder = folder / "floats" / float_pass.brand
        alone = layers.floats.alone(float_pass.index)
        concept_label = labeller.png_text(film.timeline.slots[float_pass.index].concept_id, TRAINED)
        for frame_number in range(float_pass.first, float_pass.stop):
            still = pass_folder / f"{float_pass.brand}.{frame_number:04d}.png"
            _save_rgba(parade.alone(alone, frame_number / fps), still, concept_label)
            written += 1
        if prores:
            _prores(pass_folder / f"{float_pass.brand}.%04d.png", float_pass.first, fps,
                    folder / "floats" / f"{float_pass.brand}.mov",
                    labeller.mp4_metadata(film.timeline.slots[float_pass.index].concept_id))
    for banner in layers.banners:  # each still at its place during the hold
        _save_rgba(parade.alone(banner, banner.slot.hold_start), folder / "banners" / f"{banner.slot.brand}.png",
                   film_label)
    if layers.labels:  # the visible AI-content label, alone, where the film shows it
        shows = {"text": film.campaign.label_text, **film.campaign.labels.film.model_dump()}
        _save_rgba(parade.alone(layers.labels[-1], layers.labels[-1].span[0]), folder / "labels" / "label.png",
                   labeller.png_text(film.stem, COMPOSITE, shows))

    timeline = _timeline(film, catalog, plate, passes, fps, folder, _copy_film(film, folder), prores)
    timeline_path = folder / f"{film.stem}.otio"
    _write_otio(timeline, timeline_path, "otio_json")
    editor_xml = _write_editor_xml(timeline, folder / f"{film.stem}.xml", fps, prores)
    write_manifest(folder / f"{film.stem}.json", film_manifest(film, catalog))
    return FinishingExport(folder, timeline_path, passes, written, editor_xml)


def _save_rgba(premultiplied: np.ndarray, path: Path, text: dict[str, str]) -> None:
    """A premultiplied RGB or RGBA layer as a PNG with straight alpha (what compositing apps expect),
    with `text` chunks (its AI-content label)."""
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
        temp.write_bytes(png_bytes_with_text(data.tobytes(), text))


def prores_available() -> bool:
    result = subprocess.run([ffmpeg_binary(), "-hide_banner", "-encoders"], capture_output=True, text=True)
    return " prores_ks " in result.stdout


def _write_plate(film: Film, folder: Path, fps: int, prores: bool, label: dict[str, str],
                 tags: dict[str, str]) -> FloatPass | None:
    """`plate.png`, the backdrop with nothing on it; where the backdrop moves (the camera frames it closer or
    softens it, or it is a video), also its every procession frame, `plate/plate.NNNN.png` (and `plate.mov`,
    ProRes 422 HQ, with `prores`): the frames [first, stop) it returns, None for a still backdrop."""
    parade, street, timeline = film.parade, film.parade.layers.street, film.timeline
    _save_rgba(parade.alone(street, timeline.procession_start, channels=3), folder / "plate.png", label)
    if not street.moves:
        shutil.rmtree(folder / "plate", ignore_errors=True)  # an earlier export's moving plate
        (folder / "plate.mov").unlink(missing_ok=True)
        return None
    first, stop = first_frame_at(timeline.procession_start, fps), first_frame_at(timeline.procession_end, fps)
    for frame_number in range(first, stop):
        _save_rgba(parade.alone(street, frame_number / fps, channels=3),
                   folder / "plate" / f"plate.{frame_number:04d}.png", label)
    if prores:
        _prores(folder / "plate" / "plate.%04d.png", first, fps, folder / "plate.mov", tags, alpha=False)
    return FloatPass(-1, "plate", first, stop)


def _prores(pattern: Path, first: int, fps: int, output: Path, tags: dict[str, str], alpha: bool = True) -> None:
    """A PNG sequence (`pattern`, numbered from `first`) as one ProRes clip, 4444 with alpha or 422 HQ without,
    `tags` in its container (its AI-content label). Its start timecode is its first frame of the film, so the
    clip and the PNG sequence name the same frames (and an editor relinking by timecode puts the clip where
    the timeline has it)."""
    if not prores_available():
        raise RuntimeError("this ffmpeg has no prores_ks encoder; the PNG sequence is the hand-off")
    profile, pixels = ("4444", "yuva444p10le") if alpha else ("3", "yuv422p10le")
    with atomic_path(output) as temp:
        subprocess.run([
            ffmpeg_binary(), "-v", "error", "-y", "-framerate", str(fps), "-start_number", str(first),
            "-i", str(pattern), "-c:v", "prores_ks", "-profile:v", profile, "-pix_fmt", pixels,
            "-timecode", timecode(first, fps),
            *metadata_options(tags),
            "-movflags", "+use_metadata_tags", "-f", "mov", str(temp),
        ], check=True, capture_output=True, **ffmpeg_process_options())


def timecode(frame: int, fps: int) -> str:
    """Frame `frame` as non-drop-frame timecode, HH:MM:SS:FF (the film's rates are whole numbers).

        >>> timecode(97, 24)
        '00:00:04:01'
    """
    seconds, frames = divmod(frame, fps)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"


def _copy_film(film: Film, folder: Path) -> Path | None:
    """The rendered film, copied in beside the timeline as its reference, so the folder is whole on its
    own; None (with a warning) when the film is not rendered yet."""
    rendered = film.campaign.films_dir / f"{film.stem}.mp4"
    copy = folder / rendered.name
    if not rendered.is_file():
        copy.unlink(missing_ok=True)  # an earlier export's copy is not this timeline's film
        warnings.warn(f"{rendered}: not rendered yet, so the timeline's reference clip is offline;"
                      " render the film, then export again", stacklevel=3)
        return None
    with atomic_path(copy) as temp:
        shutil.copyfile(rendered, temp)
    return copy


def _write_otio(timeline, path: Path, adapter_name: str) -> None:
    import opentimelineio as otio

    with atomic_path(path) as temp:
        otio.adapters.write_to_file(timeline, str(temp), adapter_name=adapter_name)


def _write_editor_xml(timeline, path: Path, fps: int, prores: bool) -> Path | None:
    """The timeline as FCP 7 XML, each clip's media named by the same relative paths; None without the
    ProRes passes, and None with a warning at a rate FCP timecode does not run at."""
    path.unlink(missing_ok=True)  # an earlier export's XML would describe other passes
    if not prores:  # FCP 7 XML has no image sequences: without the .mov files there is nothing to name
        return None
    if fps not in EDITOR_FPS:
        warnings.warn(f"fps {fps}: FCP 7 XML timecode runs at {', '.join(map(str, EDITOR_FPS))} fps;"
                      f" no {path.name} written (the .otio and the ProRes passes are)", stacklevel=3)
        return None
    _write_otio(timeline, path, "fcp_xml")
    return path


def _timeline(film: Film, catalog: Catalog, plate: FloatPass | None, passes: list[FloatPass], fps: int,
              folder: Path, film_copy: Path | None, prores: bool):
    """Tracks, bottom to top: the rendered film (for reference), the plate, the floats, the lower thirds, the
    cards and breaks, each as long as the film (a trailing gap where its last clip ends early), media named
    relative to `folder`.

    The plate is a clip over the procession: the still `plate.png`, or where the backdrop moves (`plate`,
    its frames), its frame sequence and ProRes clip as a float's pass offers them. The title and end cards,
    chapter cards and crowd cutaways are the film's own frames (clips of the reference film) on a track
    over the layers, so the stack shows what the film shows while the procession moves on behind them.

    Each float's clip is its whole pass, from entering the frame to leaving it, so the layers stacked
    over the plate give the film's procession. Passes overlap in time (a float leaves while the next
    arrives), so floats take turns on as many tracks as are ever on screen together. Each clip
    carries its concept's provenance and a marker where the float holds the front.
    """
    import opentimelineio as otio

    def span(first: int, stop: int) -> otio.opentime.TimeRange:
        time = otio.opentime.RationalTime
        return otio.opentime.TimeRange(time(first, fps), time(stop - first, fps))

    def url(path: Path) -> str:  # relative, so the folder can move: "floats/lotus-tea.mov"
        return otio.url_utils.url_from_filepath(path.relative_to(folder).as_posix())

    timeline = otio.schema.Timeline(name=f"{film.campaign.title} ({film.aspect})")
    timeline.global_start_time = otio.opentime.RationalTime(0, fps)
    manifest = film_manifest(film, catalog)
    frame_count = manifest["frame_count"]

    reference = otio.schema.Track(name="Film (reference)", kind=otio.schema.TrackKind.Video)
    film_name = f"{film.stem}.mp4"
    if film_copy is None:
        film_media = otio.schema.MissingReference(name=film_name, available_range=span(0, frame_count))
    else:
        film_media = otio.schema.ExternalReference(target_url=url(film_copy), available_range=span(0, frame_count))
    reference.append(otio.schema.Clip(name=film_name, source_range=span(0, frame_count), media_reference=film_media))
    timeline.tracks.append(reference)

    def film_clip(name: str, first: int, stop: int):
        """Frames [first, stop) of the rendered film (each clip its own reference, as OTIO wants)."""
        return otio.schema.Clip(name=name, source_range=span(first, stop), media_reference=film_media.clone())

    timeline.tracks.append(_plate_track(film, folder, plate, fps, span, url, prores))

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
        in_view = span(float_pass.first, float_pass.stop)
        clip = otio.schema.Clip(
            name=float_pass.brand, source_range=in_view,
            metadata={"parade": {"concept_id": entry["concept_id"], **manifest["concepts"][entry["concept_id"]],
                                 "slot_frames": entry["frames"], "hold_frames": entry["hold_frames"],
                                 "logo_box": entry["logo_box"]}},
        )
        _offer_pass(clip, folder / "floats" / float_pass.brand, folder / "floats" / f"{float_pass.brand}.mov",
                    float_pass, fps, in_view, url, prores)
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
        banners.append(otio.schema.Clip(
            name=f"{entry['brand']} lower third", source_range=span(0, stop - first),
            media_reference=otio.schema.ExternalReference(  # a still, as long as its clip (FCP XML wants a length)
                target_url=url(folder / "banners" / f"{entry['brand']}.png"), available_range=span(0, stop - first)),
            metadata={"parade": {"text_box": entry["text_box"], "logo_box": entry["logo_box"]}},
        ))
        end = stop
    timeline.tracks.append(banners)
    timeline.tracks.append(_cards_track(film, frame_count, fps, span, film_clip))
    if film.parade.layers.labels:
        timeline.tracks.append(_label_track(film, folder, frame_count, fps, span, url))

    for track in timeline.tracks:  # every track the film's length, as editors expect of a sequence
        short = frame_count - round(track.duration().value)
        if short > 0:
            track.append(otio.schema.Gap(source_range=span(0, short)))
    return timeline


def _cards_track(film: Film, frame_count: int, fps: int, span, film_clip):
    """The title and end cards, chapter cards and cutaways as the film shows them, each where it plays."""
    import opentimelineio as otio

    track = otio.schema.Track(name="Cards and breaks", kind=otio.schema.TrackKind.Video)
    end = 0
    timeline = film.timeline
    for segment in sorted([timeline.title, *timeline.breaks, timeline.end], key=lambda segment: segment.start):
        first, stop = max(end, first_frame_at(segment.start, fps)), min(frame_count, first_frame_at(segment.end, fps))
        if stop <= first:
            continue
        if first > end:
            track.append(otio.schema.Gap(source_range=span(0, first - end)))
        name = {"title": "title card", "end": "end card", "cutaway": "crowd cutaway"}.get(segment.kind)
        track.append(film_clip(name or f"chapter: {segment.text}", first, stop))
        end = stop
    return track


def _plate_track(film: Film, folder: Path, plate: FloatPass | None, fps: int, span, url, prores: bool):
    """The backdrop under the floats over the procession's frames: the still plate, or its moving pass."""
    import opentimelineio as otio

    timeline = film.timeline
    first, stop = first_frame_at(timeline.procession_start, fps), first_frame_at(timeline.procession_end, fps)
    track = otio.schema.Track(name="Plate", kind=otio.schema.TrackKind.Video)
    if first > 0:
        track.append(otio.schema.Gap(source_range=span(0, first)))
    if plate is None:
        track.append(otio.schema.Clip(name="plate", source_range=span(0, stop - first),
                                      media_reference=otio.schema.ExternalReference(
                                          target_url=url(folder / "plate.png"), available_range=span(0, stop - first))))
    else:
        clip = otio.schema.Clip(name="plate", source_range=span(first, stop))
        _offer_pass(clip, folder / "plate", folder / "plate.mov", plate, fps, span(first, stop), url, prores,
                    PRORES_422_HQ)
        track.append(clip)
    return track


def _offer_pass(clip, sequence_folder: Path, movie: Path, frames: FloatPass, fps: int, in_view, url,
                prores: bool, movie_key: str = PRORES_4444) -> None:
    """Give `clip` its pass both ways, by name: the PNG sequence in `sequence_folder` and, with `prores`, the
    ProRes `movie` as `movie_key` (then the active one; it starts at the pass's first frame's timecode, as the
    sequence does)."""
    import opentimelineio as otio

    media = {IMAGE_SEQUENCE: otio.schema.ImageSequenceReference(
        target_url_base=url(sequence_folder) + "/", name_prefix=f"{frames.brand}.", name_suffix=".png",
        start_frame=frames.first, frame_step=1, rate=fps, frame_zero_padding=4, available_range=in_view,
    )}
    if prores:
        media[movie_key] = otio.schema.ExternalReference(target_url=url(movie), available_range=in_view)
    clip.set_media_references(media, movie_key if prores else IMAGE_SEQUENCE)


def _label_track(film: Film, folder: Path, frame_count: int, fps: int, span, url):
    """The visible AI-content label's still over each span the film shows it: the top track, so it stays on top."""
    import opentimelineio as otio

    track = otio.schema.Track(name="AI-content label", kind=otio.schema.TrackKind.Video)
    end = 0
    for label in film.parade.layers.labels:
        first, stop = max(end, first_frame_at(label.span[0], fps)), min(frame_count, first_frame_at(label.span[1], fps))
        if stop <= first:
            continue
        if first > end:
            track.append(otio.schema.Gap(source_range=span(0, first - end)))
        track.append(otio.schema.Clip(
            name=film.campaign.label_text, source_range=span(0, stop - first),
            media_reference=otio.schema.ExternalReference(
                target_url=url(folder / "labels" / "label.png"), available_range=span(0, stop - first)),
            metadata={"parade": {"label_box": list(label.box)}},
        ))
        end = stop
    return track


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
    labeller: Labeller | None = None,
) -> list[Path]:
    """One short MP4 per brand, `<films_dir>/social/<campaign>_<brand>_<aspect>.mp4`: its float's pass
    with its lower third, cut from the film's own timeline (5 to 8 s; shorter only if the whole
    procession is). A clip shows the visible AI-content label throughout and carries the implicit one
    (ProduceID the clip's name, its concept the ingredient of its signature)."""
    low, high = SOCIAL_SECONDS
    if not low <= seconds <= high:
        raise ValueError(f"seconds: social clips run {low:g} to {high:g} s, got {seconds:g}")
    labeller = labeller or Labeller.for_campaign(campaign)
    if campaign.labels.visible:  # a clip is cut from the middle: its label stays up all along
        campaign = campaign.with_changes(labels={"film": {"shown": "whole"}})
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
            [record] = [record for _kit, record in film.chosen if record.id == slot.concept_id]
            encode_frames(prefetched(film.parade.frame, times), video, path, faststart=True,
                          tags=labeller.mp4_metadata(path.stem),
                          finish=lambda clip, stem=path.stem, shown=[record]: label_film(
                              clip, film, catalog, labeller, stem, shown))
            paths.append(path)
    return paths
