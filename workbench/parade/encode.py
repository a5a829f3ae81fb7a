"""Writing the film: frames piped to ffmpeg while the next ones are composed, in segments joined without re-encoding.

A film is cut into segments of whole frames. Each segment is its own x264 encode (so it starts on a
keyframe) and is written atomically into a work folder under a name that digests everything that
made it. A render that was killed finds its finished segments there and goes on from the first
missing one; the concat demuxer then joins the segments with `-c copy`, so the film is the same
file an uninterrupted render writes, and it appears under its final name only when complete.

    >>> video = VideoFormat.for_film(campaign.film, (1920, 1080))
    >>> parts = render_segments(parade.frame, Segments(frame_count=900, length=300), video, work_dir, "inputs-digest")
    >>> join_segments(parts, films_dir / "demo_16x9.mp4", music=None)
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from workbench.campaign import CampaignError, FilmSettings
from workbench.files import NO_SPACE_MESSAGE, DiskFull, atomic_path
from workbench.i18n import _

MUSIC_FADE_IN_SECONDS = 0.5
MUSIC_FADE_OUT_SECONDS = 2.0
MUSIC_SAMPLE_RATE = 44100
PREFETCH_FRAMES = 6  # frames composed ahead of the encoder: enough to ride out a slow frame, little memory

FrameFunction = Callable[[float], np.ndarray]


def ffmpeg_binary() -> str:
    """The ffmpeg moviepy uses (imageio-ffmpeg's build unless FFMPEG_BINARY says otherwise): one ffmpeg for all."""
    from moviepy.config import FFMPEG_BINARY

    return FFMPEG_BINARY


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` that has the kernel SIGKILL the child when the thread that started it dies (Linux).

    Without it, an ffmpeg whose Python parent was killed lives on: its stdin pipe stays open in any
    process forked meanwhile (a fork-started worker inherits every descriptor), so ffmpeg waits for
    frames that never come. None elsewhere: there the encoder ends when its stdin reaches EOF.
    """
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None)  # this process's own symbols, libc's prctl among them
    parent = os.getpid()

    def arm() -> None:  # runs in the child between fork and exec
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


def ffmpeg_process_options() -> dict[str, Any]:
    """Keyword arguments for subprocess.Popen/run of every ffmpeg we start: it dies with its parent."""
    return {"preexec_fn": _die_with_parent()}


@dataclass(frozen=True)
class VideoFormat:
    """Everything that decides how frames are encoded; segments that share it join with `-c copy`.

        >>> VideoFormat(1920, 1080, fps=30, crf=20, preset="medium").encoder_command(Path("out.mp4"))[:3]
        ['.../ffmpeg', '-v', 'error']
    """

    width: int
    height: int
    fps: int
    crf: int = 20
    preset: str = "medium"
    threads: int | None = None  # x264's threads; None: x264 chooses from the machine's cores (its bytes with them)

    @classmethod
    def for_film(cls, film: FilmSettings, size: tuple[int, int], threads: int | None = None) -> VideoFormat:
        return cls(size[0], size[1], film.fps, film.crf, film.preset, threads)

    def encoder_command(self, output: Path, input_pix_fmt: str = "yuv420p") -> list[str]:
        """ffmpeg reading raw frames on stdin and writing H.264 yuv420p MP4 (the container is named, as
        `output` may end in .part)."""
        return [
            ffmpeg_binary(), "-v", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", input_pix_fmt, "-s", f"{self.width}x{self.height}", "-r", str(self.fps),
            "-i", "-",
            "-an", "-c:v", "libx264", "-preset", self.preset, "-crf", str(self.crf), "-pix_fmt", "yuv420p",
            *(["-threads", str(self.threads)] if self.threads is not None else []),
            "-f", "mp4", str(output),
        ]


def metadata_options(tags: dict[str, str] | None) -> list[str]:
    """ffmpeg's `-metadata key=value` for each tag (keep them with `-movflags +use_metadata_tags`)."""
    return [option for key, value in (tags or {}).items() for option in ("-metadata", f"{key}={value}")]


def to_yuv420p(frame: np.ndarray) -> np.ndarray:
    """RGB to the encoder's planar 4:2:0, as ffmpeg's own conversion makes it (BT.601, video range).

    Converting here, with OpenCV's vectorised code and beside the compositor, takes the conversion
    off ffmpeg's single input thread and halves the bytes through the pipe: x264 gets frames faster.
    Chroma is each 2x2 block's mean (OpenCV's I420 picks one pixel, which frays small logos).
    """
    height, width = frame.shape[:2]
    planes = cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420)  # its luma is kept, its chroma replaced below
    block_means = cv2.resize(frame, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    _luma, cr, cb = cv2.split(cv2.cvtColor(block_means, cv2.COLOR_RGB2YCrCb))  # full-range chroma
    video_range = {"alpha": 224 / 255, "beta": 128 * 31 / 255}  # 128 + (c - 128) * 224 / 255
    luma_size, chroma_size = height * width, cb.size
    flat = planes.reshape(-1)
    flat[luma_size:luma_size + chroma_size] = cv2.convertScaleAbs(cb, **video_range).reshape(-1)
    flat[luma_size + chroma_size:] = cv2.convertScaleAbs(cr, **video_range).reshape(-1)
    return planes


class Encoder:
    """One ffmpeg x264 process fed frames on stdin; its file appears at `path` only when `finish()` succeeds.

    Frames are RGB uint8 (height x width x 3), or already yuv420p (height * 3 / 2 x width, see
    `to_yuv420p`). `faststart` puts the index first, for a file that is played as it is (segments
    are joined first, then moved). `tags` and `finish` are as for `join_segments`.

        >>> encoder = Encoder(video, path)
        >>> for frame in frames:
        ...     encoder.write(frame)
        >>> encoder.finish()  # x264 drains its lookahead; may run on another thread meanwhile
    """

    def __init__(self, video: VideoFormat, path: Path, faststart: bool = False, tags: dict[str, str] | None = None,
                 finish: Callable[[Path], None] | None = None):
        self.video, self.path, self.count = video, path, 0
        self._shapes = {(video.height, video.width, 3): "rgb", (video.height * 3 // 2, video.width): "yuv"}
        self._finish_file = finish
        self._temp_file = ExitStack()
        self._temp = self._temp_file.enter_context(atomic_path(path))
        command = video.encoder_command(self._temp)
        output_options = metadata_options(tags)
        flags = ("+faststart" if faststart else "") + ("+use_metadata_tags" if tags else "")
        if flags:
            output_options += ["-movflags", flags]
        command[-3:-3] = output_options
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                                         **ffmpeg_process_options())

    def write(self, frame: np.ndarray) -> None:
        kind = self._shapes.get(frame.shape) if frame.dtype == np.uint8 else None
        if kind is None:
            raise ValueError(f"frame {self.count}: expected one of {list(self._shapes)} uint8, got {frame.shape}")
        if kind == "rgb":
            frame = to_yuv420p(frame)
        try:
            self._process.stdin.write(np.ascontiguousarray(frame).data)  # a buffer: no copy into bytes
        except BrokenPipeError:
            _output, errors = self._process.communicate()
            self.abort()
            raise ffmpeg_failure(f"ffmpeg stopped reading frames for {self.path.name}", errors, self.path) from None
        self.count += 1

    def finish(self) -> int:
        """Wait for the encode to end; then the file appears under its name. Returns the frame count."""
        _output, errors = self._process.communicate()
        if self._process.returncode != 0:
            self.abort()
            raise ffmpeg_failure(f"ffmpeg failed on {self.path.name}", errors, self.path)
        if self._finish_file is not None:  # labels and a signature, before the file takes its name
            self._finish_file(self._temp)
        self._temp_file.close()  # renames the finished temp file onto `path`
        return self.count

    def abort(self) -> None:
        """Stop ffmpeg and remove what it wrote; `path` is left as it was."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        failed = RuntimeError("encode aborted")
        self._temp_file.__exit__(type(failed), failed, None)  # the temp file is removed, not renamed


def ffmpeg_failure(what: str, errors: bytes | str, path: Path) -> Exception:
    """The exception for a failed ffmpeg run: DiskFull when the disk filled up, else a RuntimeError with its stderr."""
    text = (errors.decode(errors="replace") if isinstance(errors, bytes) else errors).strip()
    if NO_SPACE_MESSAGE in text:
        return DiskFull(path.parent, "disk", f"no space left on the device while writing {path.name}")
    return RuntimeError(f"{what}: {text}")


def encode_frames(frames: Iterable[np.ndarray], video: VideoFormat, path: Path, faststart: bool = False,
                  tags: dict[str, str] | None = None, finish: Callable[[Path], None] | None = None) -> int:
    """Pipe frames to one ffmpeg x264 process (see `Encoder`); `path` appears only if every frame was encoded."""
    encoder = Encoder(video, path, faststart, tags, finish)
    try:
        for frame in frames:
            encoder.write(frame)
    except BaseException:
        encoder.abort()
        raise
    finally:
        if hasattr(frames, "close"):  # a generator (say `prefetched`) stops its work now
            frames.close()
    return encoder.finish()


def prefetched(
    frame_function: FrameFunction, times: Iterable[float], depth: int = PREFETCH_FRAMES
) -> Iterator[np.ndarray]:
    """`frame_function(t)` for each t, in order, composed on a worker thread up to `depth` frames ahead.

    NumPy and OpenCV release the GIL while they work, so the next frames are composed while ffmpeg
    reads and encodes the previous ones. An error in the worker is raised here, at the frame it hit.
    """
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for t in times:
                if not hand_over(frame_function(t)):
                    return
            hand_over(done)
        except BaseException as error:  # handed to the consumer, which raises it
            hand_over(error)

    worker = threading.Thread(target=work, name="parade-frames", daemon=True)
    worker.start()
    try:
        while True:
            item = ready.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


@dataclass(frozen=True)
class Segments:
    """A film of `frame_count` frames cut every `length` frames.

        >>> Segments(frame_count=95, length=40).ranges()
        [range(0, 40), range(40, 80), range(80, 95)]
    """

    frame_count: int
    length: int

    @classmethod
    def for_film(cls, duration: float, fps: int, segment_seconds: float) -> Segments:
        return cls(frame_count=max(1, round(duration * fps)), length=max(1, round(segment_seconds * fps)))

    def ranges(self) -> list[range]:
        starts = range(0, self.frame_count, self.length)
        return [range(start, min(start + self.length, self.frame_count)) for start in starts]


def segment_name(index: int, frames: range, video: VideoFormat, fingerprint: str, first_frame: np.ndarray) -> str:
    """`0003-<digest>.mp4`: the digest covers the film's inputs, the encoding (x264's thread count among it, or
    where x264 chooses them, this machine's core count), the frame range and the pixels of the segment's first
    frame, so a segment is reused only when it would be encoded again the same way, even after a change to the
    compositor, and a segment encoded on another machine of the cluster has the name this one would give it."""
    digest = hashlib.sha256()
    recipe = {"fingerprint": fingerprint, "video": asdict(video), "frames": [frames.start, frames.stop],
              "cores": os.cpu_count() if video.threads is None else None}
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    digest.update(np.ascontiguousarray(first_frame).data)
    return f"{index:04d}-{digest.hexdigest()[:20]}.mp4"


@dataclass(frozen=True)
class SegmentJob:
    """One segment to encode: its place in the film, its frames, and the file it becomes."""

    index: int
    frames: range
    path: Path


class SegmentEncoder(Protocol):
    """Encodes segments elsewhere (`workbench.cluster` places each on a worker) and writes each job's file
    atomically at its path, counting frames on `bar`; `fresh_frames()` is a frame source of its own
    (`.frame(t)`, its caches empty) to compose them from."""

    def encode(self, jobs: list[SegmentJob], video: VideoFormat, fresh_frames: Callable[[], Any], bar: Any = None) -> None:
        ...


def render_segments(
    frame_function: FrameFunction, segments: Segments, video: VideoFormat, work_dir: Path, fingerprint: str,
    progress: bool = False, encoder: SegmentEncoder | None = None, fresh_frames: Callable[[], Any] | None = None,
) -> list[Path]:
    """Encode each segment not already finished in `work_dir`; return every segment's file, in order.

    In this process by default; with `encoder`, every segment is named here (its first frame composed by
    `frame_function`) and the missing ones are handed to it at once, composed from `fresh_frames()`.
    A segment file appears only when its encode completed, so a killed render leaves finished ones
    behind whole and nothing half-written under a segment's name.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    bar = _progress_bar(segments.frame_count, progress)
    try:
        if encoder is None:
            paths = _render_here(frame_function, segments, video, work_dir, fingerprint, bar)
        else:
            paths, jobs = [], []
            for index, frames in enumerate(segments.ranges()):
                first = frame_function(frames.start / video.fps)
                paths.append(work_dir / segment_name(index, frames, video, fingerprint, first))
                if paths[-1].is_file():
                    _count(bar, len(frames))
                else:
                    jobs.append(SegmentJob(index, frames, paths[-1]))
            encoder.encode(jobs, video, fresh_frames or (lambda: _Frames(frame_function)), bar)
    finally:
        if bar is not None:
            bar.close()
    keep = {path.name for path in paths}
    for stale in work_dir.glob("*.mp4"):  # left by an earlier render of different inputs
        if stale.name not in keep:
            stale.unlink(missing_ok=True)
    return paths


@dataclass(frozen=True)
class _Frames:
    frame: FrameFunction


def _render_here(frame_function: FrameFunction, segments: Segments, video: VideoFormat, work_dir: Path,
                 fingerprint: str, bar: Any) -> list[Path]:
    paths = []
    # While x264 drains one segment's lookahead, the next segment is already being composed and fed.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="segment-finish") as finisher:
        finishing = None
        try:
            for index, frames in enumerate(segments.ranges()):
                first = frame_function(frames.start / video.fps)
                path = work_dir / segment_name(index, frames, video, fingerprint, first)
                paths.append(path)
                if path.is_file():
                    _count(bar, len(frames))
                    continue
                encoder = _feed(Encoder(video, path), [first], frame_function, frames[1:], bar)
                if finishing is not None:
                    finishing.result()
                finishing = finisher.submit(encoder.finish)
        finally:
            if finishing is not None:
                finishing.result()  # a segment whose frames were all written is kept, even when a later one failed
    return paths


def encode_range(frame_function: FrameFunction, frames: range, video: VideoFormat, path: Path) -> None:
    """One segment by itself: frames `frames` composed (ahead, on a thread) and encoded to `path`, atomically."""
    _feed(Encoder(video, path), [], frame_function, frames, None).finish()


def _feed(encoder: Encoder, first: list[np.ndarray], frame_function: FrameFunction, frames: range, bar: Any) -> Encoder:
    """Write `first`, then frames `frames` composed a few ahead on a thread; on any error the encode is aborted."""
    fps = encoder.video.fps
    rest = prefetched(frame_function, (i / fps for i in frames))
    try:
        for frame in _counted(first, rest, bar):
            encoder.write(frame)
    except BaseException:
        encoder.abort()
        raise
    finally:
        rest.close()  # stops the composing thread now, not when the traceback is dropped
    return encoder


def _count(bar: Any, frames: int) -> None:
    if bar is not None:
        bar.update(frames)


def _counted(first: list[np.ndarray], rest: Iterator[np.ndarray], bar) -> Iterator[np.ndarray]:
    for frames in (first, rest):
        for frame in frames:
            yield frame
            if bar is not None:
                bar.update(1)


def _progress_bar(total: int, shown: bool):
    if not shown:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="frame", desc=_("parade"), leave=False)


def join_segments(
    segments: list[Path], path: Path, music: Path | None = None, tags: dict[str, str] | None = None,
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Join segments into `path` without re-encoding the video (concat demuxer, -c copy), moov first.

    `music`, if given, is a WAV already fitted to the film's length; it is encoded to AAC here.
    `tags` go into the container's metadata (ffprobe lists them under the format's tags), and
    `finish` is called on the joined file before it takes its place (the AI-content labels, a signature),
    so `path` never exists without them.
    """
    if not segments:
        raise ValueError("no segments to join")
    listing = segments[0].parent / "segments.txt"
    listing.write_text("".join(f"file '{_concat_quoted(p.resolve())}'\n" for p in segments), encoding="utf-8")
    command = [ffmpeg_binary(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing)]
    if music is not None:
        command += ["-i", str(music), "-map", "0:v:0", "-map", "1:a:0", "-c:a", "aac", "-b:a", "192k"]
    command += metadata_options(tags)
    with atomic_path(path) as temp:
        # use_metadata_tags: keys other than the few standard ones are kept (as mdta keys) instead of dropped.
        command += ["-c:v", "copy", "-movflags", "+faststart+use_metadata_tags", "-f", "mp4", str(temp)]
        result = subprocess.run(command, capture_output=True, text=True, **ffmpeg_process_options())
        if result.returncode != 0:
            raise ffmpeg_failure(f"ffmpeg could not join the segments of {path.name}", result.stderr, path)
        if finish is not None:
            finish(temp)
    listing.unlink(missing_ok=True)


def _concat_quoted(path: Path) -> str:
    """A path for a concat list line inside single quotes ('\\'' closes, escapes and reopens)."""
    return str(path).replace("'", "'\\''")


def check_audio(audio: Path) -> None:
    """Fail in one line naming `film.audio` unless the track is a file with an audio stream ffmpeg reads.

    ffprobe reads only the file's header: a render checks its music this way before the first frame,
    instead of finding out after the whole video is encoded. (Without ffprobe, ffmpeg opens the stream.)
    """
    if not Path(audio).is_file():
        raise CampaignError(audio, "film.audio", "audio file not found")
    ffprobe = shutil.which("ffprobe")
    if ffprobe:
        command = [ffprobe, "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_type",
                   "-of", "csv=p=0", str(audio)]
    else:
        command = [ffmpeg_binary(), "-v", "error", "-i", str(audio), "-map", "0:a:0", "-t", "0.1", "-f", "null", "-"]
    result = subprocess.run(command, capture_output=True, text=True, errors="replace", **ffmpeg_process_options())
    if result.returncode != 0 or (ffprobe and "audio" not in result.stdout):
        said = result.stderr.strip().splitlines()
        reason = said[-1].removeprefix(f"{audio}: ") if said else "it has no audio stream"
        raise CampaignError(audio, "film.audio", f"not an audio file ffmpeg can read ({reason})")


def fit_music(audio: Path, duration: float, output: Path) -> Path:
    """The track looped or trimmed to `duration`, faded in and out, written as 16-bit WAV at `output`."""
    from moviepy import AudioFileClip, afx

    check_audio(audio)
    music = AudioFileClip(str(audio))
    try:
        if music.duration < duration:
            fitted = music.with_effects([afx.AudioLoop(duration=duration)])
        else:
            fitted = music.subclipped(0, duration)
        fade_in, fade_out = min(MUSIC_FADE_IN_SECONDS, duration / 6), min(MUSIC_FADE_OUT_SECONDS, duration / 3)
        fitted = fitted.with_effects([afx.AudioFadeIn(fade_in), afx.AudioFadeOut(fade_out)])
        fitted.write_audiofile(str(output), fps=MUSIC_SAMPLE_RATE, codec="pcm_s16le", logger=None)
    finally:
        music.close()
    return output


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest JSON atomically (UTF-8, readable)."""
    with atomic_path(path) as temp:
        temp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
