"""Rendering in segments: a render that stops part-way resumes from its last finished segment and
writes the same file, byte for byte, as a render that was never stopped; the film appears only when whole.

Tiny films (320x180, 10 fps, 6.2 s = 62 frames) cut into 1.5 s segments (15 frames, so 5 segments).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import select
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLE_KITS, decode, make_campaign, parade_catalog, probe
from workbench.kits import load_kits
from workbench.parade import render_film
from workbench.parade.compositor import Parade
from workbench.parade.encode import Segments

ORDER = ["lotus-tea", "polar-scoop", "tern-motors", "kestrel-stride"]
SEGMENT_SECONDS = 1.5
FRAMES, PER_SEGMENT = 62, 15


class Stop(Exception):
    """Stands in for a crash part-way through a render."""


@pytest.fixture(scope="module")
def kits():
    return load_kits(SAMPLE_KITS).kits


def setup(root: Path, kits, **film):
    campaign = make_campaign(root, **film)
    catalog = parade_catalog(campaign, kits)
    return campaign, catalog, [kits[slug] for slug in ORDER]


def render(campaign, catalog, order, **options):
    with pytest.warns(UserWarning):  # polar-scoop has no approved concept
        return render_film(campaign, order, catalog, "16:9", progress=False, segment_seconds=SEGMENT_SECONDS,
                           **options)


def work_dir(campaign) -> Path:
    return campaign.films_dir / ".test-parade_16x9.segments"


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, kits):
    campaign, catalog, order = setup(tmp_path_factory.mktemp("whole"), kits)
    result = render(campaign, catalog, order)
    return result.path.read_bytes(), decode(result.path)


def count_frames(monkeypatch, stop_at: float | None = None) -> list[float]:
    """Record every time Parade.frame composes; with `stop_at`, raise Stop at the first frame at or after it."""
    composed: list[float] = []
    original = Parade.frame

    def frame(self, t):
        if stop_at is not None and t >= stop_at:
            raise Stop(f"stopped at {t:.2f}s")
        composed.append(t)
        return original(self, t)

    monkeypatch.setattr(Parade, "frame", frame)
    return composed


def test_segments_cover_every_frame_once():
    ranges = Segments.for_film(duration=6.2, fps=10, segment_seconds=1.5).ranges()
    assert [len(r) for r in ranges] == [15, 15, 15, 15, 2]
    assert [i for r in ranges for i in r] == list(range(FRAMES))


def test_a_stopped_render_leaves_no_film_and_resumes_to_the_same_bytes(tmp_path, kits, monkeypatch, uninterrupted):
    whole_bytes, whole_frames = uninterrupted
    campaign, catalog, order = setup(tmp_path, kits)
    film = campaign.films_dir / "test-parade_16x9.mp4"

    count_frames(monkeypatch, stop_at=3.2)  # frame 32, inside the third segment
    with pytest.raises(Stop):
        render(campaign, catalog, order)
    assert not film.exists() and not film.with_suffix(".json").exists(), "no film until it is complete"
    finished = sorted(p.name for p in work_dir(campaign).glob("*.mp4"))
    assert [name[:4] for name in finished] == ["0000", "0001"]
    assert not list(work_dir(campaign).glob(".*part")), "the interrupted segment left no half-written file"

    monkeypatch.undo()
    composed = count_frames(monkeypatch)
    result = render(campaign, catalog, order)
    # The two finished segments are checked by their first frame only; the rest are composed in full.
    assert len(composed) == 2 + (FRAMES - 2 * PER_SEGMENT)
    assert result.path.read_bytes() == whole_bytes
    assert np.array_equal(decode(result.path), whole_frames)
    assert not work_dir(campaign).exists(), "the work folder goes once the film is written"


def test_a_killed_render_process_resumes_to_the_same_bytes(tmp_path, kits, uninterrupted):
    """The real thing: SIGKILL the rendering process (and its ffmpeg) mid-segment, once two segments are done.

    The child composes frames until frame 32 (inside the third segment); there it waits for the second
    segment's file to be finished, says so on stdout, and blocks until it is killed.
    """
    whole_bytes, _frames = uninterrupted
    campaign, catalog, order = setup(tmp_path, kits)
    script = textwrap.dedent(f"""
        import sys, threading, warnings
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        warnings.simplefilter("ignore")
        from pathlib import Path
        from conftest import make_campaign
        from workbench.catalog import Catalog
        from workbench.kits import load_kits
        from workbench.parade import render_film
        from workbench.parade.compositor import Parade
        from workbench.parade.encode import Encoder

        second_finished = threading.Event()
        original_finish = Encoder.finish
        def finish(self):
            count = original_finish(self)
            if self.path.name.startswith("0001-"):
                second_finished.set()
            return count
        Encoder.finish = finish

        original = Parade.frame
        def held_frame(self, t):  # frame 32 is held until the process is killed
            if t >= 3.2:
                print("ready" if second_finished.wait(timeout=120) else "segment 0001 never finished", flush=True)
                threading.Event().wait()
            return original(self, t)
        Parade.frame = held_frame
        kits = load_kits({str(SAMPLE_KITS)!r}).kits
        campaign = make_campaign(Path({str(tmp_path)!r}))
        render_film(campaign, [kits[s] for s in {ORDER!r}], Catalog(campaign.catalog_path), "16:9",
                    progress=False, segment_seconds={SEGMENT_SECONDS})
    """)
    process = subprocess.Popen([sys.executable, "-c", script], start_new_session=True, stdout=subprocess.PIPE,
                               text=True)
    try:
        readable, _, _ = select.select([process.stdout], [], [], 180)
        said = process.stdout.readline().strip() if readable else "nothing within 180 s"
        assert said == "ready", f"the render was not held mid-segment: {said or 'it ended'}"
        assert process.poll() is None, "the render ended before it could be killed"
        assert [p.name[:4] for p in sorted(work_dir(campaign).glob("*.mp4"))] == ["0000", "0001"]
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the render and its ffmpeg, mid-segment
        process.wait()
        process.stdout.close()
    assert not (campaign.films_dir / "test-parade_16x9.mp4").exists()

    result = render(campaign, catalog, order)
    assert result.path.read_bytes() == whole_bytes
    assert not list(campaign.films_dir.glob(".*")), "no work folder or temp file left"


def test_changed_inputs_are_not_resumed_from_old_segments(tmp_path, kits, monkeypatch):
    campaign, catalog, order = setup(tmp_path, kits)
    count_frames(monkeypatch, stop_at=3.2)
    with pytest.raises(Stop):
        render(campaign, catalog, order)
    monkeypatch.undo()

    retitled = campaign.with_changes(title="Another Parade")  # changes the title card: segment 0's frames
    composed = count_frames(monkeypatch)
    render(retitled, catalog, order)
    # Segment 0 differs in its first frame; segment 1 (procession only) has the same pixels, but
    # the inputs' fingerprint changed, so nothing is reused.
    assert len(composed) == FRAMES


def test_no_resume_starts_afresh(tmp_path, kits, monkeypatch):
    campaign, catalog, order = setup(tmp_path, kits)
    count_frames(monkeypatch, stop_at=3.2)
    with pytest.raises(Stop):
        render(campaign, catalog, order)
    monkeypatch.undo()
    composed = count_frames(monkeypatch)
    render(campaign, catalog, order, resume=False)
    assert len(composed) == FRAMES


def test_segmented_film_plays_as_one(tmp_path, kits, uninterrupted):
    """Joined without re-encoding, the film still has one video stream of the right length, moov first."""
    _bytes, frames = uninterrupted
    assert len(frames) == FRAMES
    campaign, catalog, order = setup(tmp_path, kits)
    result = render(campaign, catalog, order)
    [video] = [s for s in probe(result.path)["streams"] if s["codec_type"] == "video"]
    assert video["codec_name"] == "h264" and int(video["nb_frames"]) == FRAMES
    assert float(video["duration"]) == pytest.approx(FRAMES / 10, abs=0.05)


def test_a_failed_encode_leaves_no_file(tmp_path):
    from workbench.parade.encode import VideoFormat, encode_frames, prefetched

    video = VideoFormat(64, 64, fps=10, preset="ultrafast")
    good = np.zeros((64, 64, 3), np.uint8)

    def frame(t: float) -> np.ndarray:
        return good if t < 0.5 else np.zeros((32, 32, 3), np.uint8)  # a wrong size half-way

    with pytest.raises(ValueError, match="frame 5"):
        encode_frames(prefetched(frame, [i / 10 for i in range(10)]), video, tmp_path / "clip.mp4")
    assert list(tmp_path.iterdir()) == []
    assert encode_frames([good] * 3, video, tmp_path / "clip.mp4") == 3
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]
