"""Backdrops other than the drawn street: a still image plate, a looping video plate, a generated plate.

Every plate is seen through the camera exactly like the street (`Camera.plate`), so push-ins and pans
frame it the same way. A still plate (an image, or one the campaign's backend made) is cut to cover
the stage once and becomes the `Street`'s plate, header and depth of field included. A video plate is
decoded once, at the stage's size and the film's fps, into a memory-mapped file, on a thread of its
own while the first frames are composed and encoded; frame t shows the video's frame (t * fps) modulo
its length, so any segment of a render, or a resumed one, starts anywhere and shows the same pictures.

Plates are read before the first frame: a missing, unreadable or oversized file, or a video without a
video stream, is one line naming `film.backdrop.path`.

    >>> plate = plate_picture(film.backdrop, stage, painting)  # RGB at the stage's size: the street's plate
    >>> VideoPlate.build(film.backdrop, stage, camera, fps=30, duration=60).draw(frame, t=3.2, art=ArtCache())
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

from workbench.campaign import BackdropSettings, Campaign, CampaignError
from workbench.catalog import Catalog
from workbench.colours import RGB
from workbench.errors import InputError
from workbench.files import FileHashes, check_concept_file
from workbench.kits import BrandKit
from workbench.parade.art import ArtCache
from workbench.parade.camera import Camera
from workbench.parade.layers.scene import ALWAYS
from workbench.parade.layers.street import SOFT_BACKDROP, Header, Street
from workbench.parade.safe_area import SafeArea
from workbench.parade.scenery import festival_colours, quarter_blur
from workbench.parade.stages import Stage

FIELD = "film.backdrop.path"


def plate_picture(backdrop: BackdropSettings, stage: Stage, painting: np.ndarray) -> np.ndarray:
    """The still picture behind the procession, RGB at the stage's size: the drawn street's `painting`, the
    image plate cut to cover the stage, or for a video plate its first frame (what floats are matched to)."""
    if backdrop.kind == "street":
        return painting
    if backdrop.path is None:  # a generated plate is made by prepare_film, which fills in its path
        raise CampaignError("film.backdrop", "path", f"the {backdrop.kind} plate has not been made yet")
    if backdrop.kind == "video":
        return VideoLoop.open(backdrop, stage, fps=1).first_frame()
    return _cover(_read_image(backdrop.path), stage.width, stage.height)


def with_made_plate(campaign: Campaign, kits: list[BrandKit], catalog: Catalog, stage: Stage,
                    aspect: str) -> Campaign:
    """The campaign with its generated plate's file filled in as `film.backdrop.path` (made by the campaign's
    backend and recorded in the catalog first when it is missing); any other campaign as it is."""
    backdrop = campaign.film.backdrop
    if backdrop.kind != "generated":
        return campaign
    from workbench.generate import generate_backdrop

    street = stage.routed(campaign.film.camera.depth_route)  # what the drawn street would be, offline
    record = generate_backdrop(campaign, kits[0], catalog, aspect, (stage.width, stage.height),
                               drawn=lambda: Image.fromarray(street.paint_street(festival_colours(kits))))
    path = check_concept_file(catalog.image_path(record), record.id, record.content_hash, FileHashes())
    film = campaign.film.model_copy(update={"backdrop": backdrop.model_copy(update={"path": path})})
    return campaign.model_copy(update={"film": film})


def backdrop_layer(backdrop: BackdropSettings, stage: Stage, plate: np.ndarray, colours: tuple[RGB, ...], title: str,
                   camera: Camera, safe: SafeArea | None, fps: int, duration: float) -> Street | VideoPlate:
    """The procession's backdrop: the `Street` with `plate` (the drawn street or a still plate), or the video plate
    (as much of it as a `duration`-second film shows)."""
    if backdrop.kind != "video":
        return Street.build(stage, plate, colours, title, camera, safe)
    # The street has a still camera's header painted in; a video plate, new every frame, draws it over each
    # frame instead (under a moving camera `Header.over` puts it on the screen, as for the street).
    on_screen = Header.over(stage, title, colours, camera, safe)
    header = Header(title, stage, colours, safe) if stage.has_header and not on_screen else None
    return VideoPlate.build(backdrop, stage, camera, fps, duration, header)


def _read_image(path: Path):
    """The plate's image, checked as the concept import checks hostile files (size before reading, pixels
    before decoding); any problem is one line naming film.backdrop.path."""
    from workbench.concepts_import import _decode_first_frame, _read_file

    try:
        image, _format = _decode_first_frame(path, _read_file(path))
    except InputError as error:
        raise CampaignError(path, FIELD, f"{error.field}: {error.message}") from None
    return image.convert("RGB")


def _cover(image, width: int, height: int) -> np.ndarray:
    """`image` scaled to cover width x height and cut to it about its middle, as RGB uint8."""
    return np.asarray(ImageOps.fit(image, (width, height), method=Image.LANCZOS))


@dataclass(frozen=True)
class VideoLoop:
    """A video file looped at the stage's size and a film's fps, at most `frames` frames long.

        >>> loop = VideoLoop.open(backdrop, stage, fps=30)   # fails now, in one line, for a bad file
        >>> frames = loop.decode()                           # LoopFrames, decoding as the film is made
    """

    path: Path
    width: int
    height: int
    fps: int
    frames: int  # the cap: loop_seconds at fps

    @classmethod
    def open(cls, backdrop: BackdropSettings, stage: Stage, fps: int, duration: float | None = None) -> VideoLoop:
        """The loop of `backdrop.path`, checked now: it must be a file with a video stream ffmpeg decodes. A film
        of `duration` seconds shorter than the loop needs only its own frames decoded."""
        path = Path(backdrop.path)
        if not path.is_file():
            raise CampaignError(path, FIELD, "video plate not found")
        frames = round(backdrop.loop_seconds * fps)
        if duration is not None:
            frames = min(frames, math.ceil(duration * fps - 1e-6))
        loop = cls(path, stage.width, stage.height, fps, max(1, frames))
        loop.first_frame()
        return loop

    def first_frame(self) -> np.ndarray:
        """The first frame at the stage's size (decodes just that)."""
        return LoopFrames(self, frames=1).at(0).copy()

    def decode(self) -> LoopFrames:
        """The loop's frames, decoded on a thread of their own while the film is composed and encoded."""
        return LoopFrames(self, self.frames)

    def ffmpeg_command(self, frames: int) -> list[str]:
        from workbench.parade.encode import ffmpeg_binary

        scale = (f"fps={self.fps},scale={self.width}:{self.height}:force_original_aspect_ratio=increase,"
                 f"crop={self.width}:{self.height},setsar=1")
        return [ffmpeg_binary(), "-v", "error", "-nostdin", "-i", str(self.path), "-map", "0:v:0", "-an",
                "-vf", scale, "-frames:v", str(frames), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]


class LoopFrames:
    """A video loop's frames as ffmpeg decodes them, into a memory-mapped temporary file (a 20 s 1080p loop is
    1.9 GB, which the page cache holds instead of the heap; the file goes when this is dropped).

    Frames are kept as the video's own planar 4:2:0 and made RGB as each is drawn (half a millisecond at
    1080p): half the bytes through the pipe and into the file, and no conversion in ffmpeg, which together
    cost the render more than four times what that half millisecond does.

    Decoding runs on a thread of its own, so the film's first frames are composed and encoded while later
    ones decode, instead of the encoder waiting for the whole loop. `at(n)` waits for just frame n; past
    the end of the video, it waits for the decode to finish and wraps: the same frame for the same n,
    whichever order segments ask in.

        >>> frames = LoopFrames(loop, frames=240)
        >>> frames.at(96).shape                      # (height, width, 3) RGB uint8, once frame 96 is decoded
    """

    def __init__(self, loop: VideoLoop, frames: int):
        self._loop = loop
        self._file = tempfile.TemporaryFile()
        self._file.truncate(frames * loop.height * 3 // 2 * loop.width)  # sparse: disk is used as frames arrive
        self._frames = np.memmap(self._file, np.uint8, mode="r+", shape=(frames, loop.height * 3 // 2, loop.width))
        self._decoded = 0
        self._finished = False
        self._error: CampaignError | None = None
        self._ready = threading.Condition()
        # The decoding thread starts ffmpeg itself: ffmpeg dies with the thread that started it, which lives
        # exactly as long as the decode (a composing thread ends with each segment).
        threading.Thread(target=self._decode, args=(frames,), name="video-plate", daemon=True).start()

    def at(self, index: int) -> np.ndarray:
        """Frame `index` of the loop, modulo its length (known once the decode reaches the video's end)."""
        with self._ready:
            self._ready.wait_for(lambda: self._finished or self._decoded > index)
            if self._error is not None:
                raise self._error
            planes = self._frames[index if index < self._decoded else index % self._decoded]
        return cv2.cvtColor(planes, cv2.COLOR_YUV2RGB_I420)

    def __len__(self) -> int:
        with self._ready:
            self._ready.wait_for(lambda: self._finished)
            if self._error is not None:
                raise self._error
            return self._decoded

    def _decode(self, frames: int) -> None:
        from workbench.parade.encode import ffmpeg_process_options

        loop, error = self._loop, None
        try:
            with subprocess.Popen(loop.ffmpeg_command(frames), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  **ffmpeg_process_options()) as process:
                for index in range(frames):
                    if not _read_exactly(process.stdout, memoryview(self._frames[index]).cast("B")):
                        break
                    with self._ready:
                        self._decoded = index + 1
                        self._ready.notify_all()
                process.stdout.close()
                said = process.stderr.read().decode(errors="replace").strip().splitlines()
                failed = process.wait() != 0
            if failed or self._decoded == 0:
                reason = said[-1].removeprefix(f"{loop.path}: ") if said else "it has no video frames"
                error = CampaignError(loop.path, FIELD, f"not a video ffmpeg can read ({reason})")
        except OSError as problem:
            error = CampaignError(loop.path, FIELD, f"could not decode the video plate ({problem})")
        with self._ready:
            self._error, self._finished = error, True
            self._ready.notify_all()


def _read_exactly(stream, into: memoryview) -> bool:
    """Fill `into` from `stream`; False at the end of the stream (a partial last frame is dropped)."""
    filled = 0
    while filled < len(into):
        count = stream.readinto(into[filled:])
        if not count:
            return False
        filled += count
    return True


@dataclass(frozen=True, eq=False)
class VideoPlate:
    """A filmed street looping behind the procession, framed by the camera like the drawn street; where the
    stage has a header and the camera is still, the campaign title over it (as `Street` paints it in).

    With the camera's depth of field, each frame is cross-faded to a soft copy of itself while a float holds
    (blurred at a quarter of the size: about 2 ms a 1080p frame).

        >>> plate = VideoPlate.build(film.backdrop, stage, Camera(), fps=30, duration=timeline.duration)
        >>> plate.draw(frame, t=3.2, art=ArtCache())  # the video's frame 96, modulo the loop's length
    """

    loop: VideoLoop
    camera: Camera
    header: Header | None = None
    span = ALWAYS

    @classmethod
    def build(cls, backdrop: BackdropSettings, stage: Stage, camera: Camera, fps: int, duration: float,
              header: Header | None = None) -> VideoPlate:
        return cls(VideoLoop.open(backdrop, stage, fps, duration), camera, header)

    moves = True  # a new picture every frame

    def draw(self, frame: np.ndarray, t: float, art: ArtCache) -> None:
        frames = art.once(("plate", "video"), self.loop.decode)
        picture = frames.at(math.floor(t * self.loop.fps + 1e-6))
        softness = self.camera.softness(t)
        if softness > 0:  # the focus pull onto the holding float: a new picture every frame, so a blur every frame
            soft = quarter_blur(picture, max(0.5, SOFT_BACKDROP * picture.shape[0]))
            picture = cv2.addWeighted(picture, 1 - softness, soft, softness, 0)
        self.camera.plate(picture, t, frame)
        if self.header is not None:
            self.header.draw(frame, t, art)

    def seconds(self, art: ArtCache) -> float:
        """The loop's length: after it, the plate shows the same frames again."""
        return len(art.once(("plate", "video"), self.loop.decode)) / self.loop.fps
