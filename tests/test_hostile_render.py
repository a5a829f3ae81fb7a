"""What a hostile tester found in render, export and hand-off (issue 11, findings 6, 7 and 12).

- a concept file swapped for another brand's, or cut short, is refused in one line before it goes
  into a film, the finishing export, a social clip or the client hand-off;
- campaign values that cannot work (a seed of 2**63, a 40000x40000 film, a text file as music, a
  preset x264 does not have) are refused in one line, exit 2, before anything is made;
- a catalog in a read-only folder can still be reported on; a full disk during a render is one line,
  and the render's kept segments are deleted so the disk does not stay full;
- a killed run's temp files are cleared on a later run, and its ffmpeg dies with it.

Tiny films throughout (`write_campaign`: 320x180 and 180x320 at 10 fps).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_KITS, write_campaign
from workbench.campaign import load_campaign
from workbench.catalog import Catalog
from workbench.cli import app
from workbench.files import file_hash
from workbench.kits import load_kits

runner = CliRunner()
BRANDS = ("kestrel-stride", "lotus-tea", "polar-scoop")  # the kits of conftest's `kits_folder`, in catalog order
HOUR = 3600


# Fixtures and helpers -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """One generated campaign (previz, two seeds per brand, each brand's seed 1 approved), made once;
    each test works on its own copy (`campaign_file`)."""
    root = tmp_path_factory.mktemp("made")
    kits = root / "brand_kits"
    for slug in BRANDS:
        shutil.copytree(SAMPLE_KITS / slug, kits / slug)
    path = write_campaign(root / "campaign.yaml", kits, root / "renders")
    result = runner.invoke(app, ["generate", str(path)])
    assert result.exit_code == 0, result.output
    with Catalog(load_campaign(path).catalog_path) as catalog:
        for brand in BRANDS:
            catalog.review(catalog.concepts(brand)[0].id, "approved", reviewer="ad", role="art_director")
    return root


@pytest.fixture
def campaign_file(made, tmp_path) -> Path:
    shutil.copytree(made, tmp_path, dirs_exist_ok=True)
    return write_campaign(tmp_path / "campaign.yaml", tmp_path / "brand_kits", tmp_path / "renders")


def edited_campaign(campaign_file: Path, **fields) -> Path:
    """The test campaign with top-level fields replaced (the film's: merged into write_campaign's)."""
    if "film" in fields:
        fields["film"] = {"sizes": {"16:9": [320, 180], "9:16": [180, 320]}, "fps": 10, "title_seconds": 1.0,
                          "end_seconds": 1.0, "seconds_per_brand": 2.0, "preset": "ultrafast", **fields["film"]}
    folder = campaign_file.parent
    return write_campaign(campaign_file, folder / "brand_kits", folder / "renders", **fields)


def one_error_line(result) -> str:
    """The command ended with exit code 2 and said why in exactly one line; that line. (A progress bar
    redraws its line with carriage returns and clears it: what a terminal shows is after the last one.)"""
    assert result.exit_code == 2, f"exit {result.exit_code}: {result.output} {result.exception!r}"
    lines = [line.rsplit("\r", 1)[-1] for line in result.output.strip("\n").split("\n")]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def approved_image(campaign_file: Path, brand: str = "lotus-tea") -> Path:
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        return catalog.image_path(catalog.approved(brand)[0])


def damage(image: Path, how: str) -> None:
    """`swapped`: another brand's PNG copied over the file; `truncated`: the file cut to half its length."""
    if how == "swapped":
        other = next((image.parent.parent / "polar-scoop").glob("*.png"))
        shutil.copyfile(other, image)
    else:
        data = image.read_bytes()
        image.write_bytes(data[: len(data) // 2])


# Finding 6: the concept files are checked against the catalog ------------------------------------


COMMANDS = {"render": ["render"], "export": ["export"], "hand-off": ["review", "handoff"]}


@pytest.mark.parametrize("how", ["swapped", "truncated"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_swapped_or_truncated_concept_is_refused_in_one_line(campaign_file, command, how):
    image = approved_image(campaign_file)
    damage(image, how)
    line = one_error_line(runner.invoke(app, [*COMMANDS[command], str(campaign_file)]))
    assert line.startswith(f"error: {image}: ") and "workbench generate" in line
    assert ": content_hash: " in line  # either way, the file is not the one the catalog recorded
    films = load_campaign(campaign_file).films_dir
    assert not list(films.glob("*.mp4")) and not list(films.glob("*_finishing/*.otio"))


def test_a_social_clip_is_not_cut_from_a_swapped_concept(campaign_file):
    from workbench.files import ConceptFileError
    from workbench.parade.export import render_social_clips

    damage(approved_image(campaign_file), "swapped")
    campaign = load_campaign(campaign_file)
    kits = list(load_kits(campaign.kits_folder).kits.values())
    with Catalog(campaign.catalog_path) as catalog, pytest.raises(ConceptFileError, match="content_hash"):
        render_social_clips(campaign, kits, catalog, "9:16", seconds=5)
    assert not (campaign.films_dir / "social").exists()


def test_a_changed_file_that_still_decodes_badly_is_one_line_too(campaign_file):
    """A file the catalog's hash agrees with but Pillow cannot read (recorded broken, say by an import)."""
    image = approved_image(campaign_file)
    damage(image, "truncated")
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:  # the row made to agree with the broken file
        record = catalog.approved("lotus-tea")[0]
        catalog.add_concept(dataclasses.replace(record, content_hash=file_hash(image)))
    line = one_error_line(runner.invoke(app, ["render", str(campaign_file)]))
    assert line.startswith(f"error: {image}: image: ") and "not a readable image" in line


def test_generate_makes_the_swapped_concept_again_and_the_film_renders(campaign_file):
    damage(approved_image(campaign_file), "swapped")
    assert runner.invoke(app, ["render", str(campaign_file)]).exit_code == 2
    assert runner.invoke(app, ["generate", str(campaign_file)]).exit_code == 0  # what the error line says to do
    result = runner.invoke(app, ["render", str(campaign_file), "--aspect", "9:16"])
    assert result.exit_code == 0, result.output


def test_each_concept_file_is_hashed_once_per_render(campaign_file, monkeypatch):
    import workbench.files
    from workbench.parade import render_films

    hashed: list[str] = []
    real_hash = workbench.files.file_hash
    monkeypatch.setattr(workbench.files, "file_hash", lambda path: hashed.append(str(path)) or real_hash(path))
    campaign = load_campaign(campaign_file)
    kits = list(load_kits(campaign.kits_folder).kits.values())
    with Catalog(campaign.catalog_path) as catalog:
        images = sorted(str(catalog.image_path(record)) for record in catalog.approved())
        render_films(campaign, kits, catalog, progress=False)  # both aspects
    assert sorted(path for path in hashed if path.endswith(".png") and "/concepts/" in path) == images


# Finding 7: campaign values that cannot work -------------------------------------------------------


def test_a_seed_beyond_32_bits_is_refused_before_any_image_is_made(campaign_file):
    path = edited_campaign(campaign_file, name="big-seed",
                           generation={"backend": "previz", "seeds": [2**63], "width": 256, "height": 256})
    line = one_error_line(runner.invoke(app, ["generate", str(path)]))
    assert line.startswith(f"error: {path}: generation.seeds.0: ") and "4294967295" in line
    assert not list((path.parent / "renders" / "big-seed").rglob("*.png")), "no orphan image"


def test_an_image_whose_catalog_row_fails_is_not_left_behind(campaign_file, monkeypatch):
    """What a seed of 2**63 did before seeds were bounded: SQLite refused the row after the PNG was written."""
    from workbench.generate import generate_campaign

    def refuse(self, record):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    path = edited_campaign(campaign_file, name="refused-rows")
    campaign = load_campaign(path)
    kits = [load_kits(campaign.kits_folder).kits["lotus-tea"]]
    monkeypatch.setattr(Catalog, "add_concept", refuse)
    with Catalog(campaign.catalog_path) as catalog, pytest.raises(OverflowError):
        generate_campaign(campaign, kits, catalog, progress=False)
    assert not list(campaign.concepts_dir.rglob("*.png*")), "no orphan image, no temp file"


def test_an_unbounded_film_size_is_refused(campaign_file):
    path = edited_campaign(campaign_file, film={"sizes": {"16:9": [40000, 40000], "9:16": [180, 320]}})
    line = one_error_line(runner.invoke(app, ["render", str(path)]))
    assert line.startswith(f"error: {path}: film: sizes.16:9: ") and "7680" in line


def test_a_preset_x264_does_not_have_is_refused(campaign_file):
    path = edited_campaign(campaign_file, film={"preset": "warp9"})
    line = one_error_line(runner.invoke(app, ["render", str(path)]))
    assert line.startswith(f"error: {path}: film.preset: ") and "veryslow" in line and "'warp9'" in line


def test_a_text_file_as_music_is_refused_before_any_frame_is_made(campaign_file, monkeypatch):
    from workbench.parade.compositor import Parade

    notes = campaign_file.parent / "notes.mp3"
    notes.write_text("not a song, just notes\n" * 50, encoding="utf-8")
    path = edited_campaign(campaign_file, film={"audio": "notes.mp3"})
    monkeypatch.setattr(Parade, "frame", lambda self, t: pytest.fail("a frame was composed before the audio check"))
    line = one_error_line(runner.invoke(app, ["render", str(path)]))
    assert line.startswith(f"error: {notes}: film.audio: ") and "not an audio file" in line


# Finding 7: a read-only or full disk ---------------------------------------------------------------


def unmount(folder: Path) -> None:
    """Unmount, lazily when something still holds the mount: a test never leaves a mount behind."""
    if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@contextmanager
def read_only(folder: Path):
    """`folder` made read-only for this process: a read-only bind mount as root (who ignores file
    modes), file modes otherwise; skips the test when neither works."""
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    bound = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, text=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount a folder read-only here: {bound.stderr.strip()}")
    try:
        locked = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, text=True)
        if locked.returncode != 0:
            pytest.skip(f"cannot remount a folder read-only here: {locked.stderr.strip()}")
        yield
    finally:
        unmount(folder)


def test_review_report_works_on_a_catalog_in_a_read_only_folder(campaign_file):
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as catalog:
        concept = catalog.concepts("lotus-tea")[1].id
    with read_only(campaign.root):
        result = runner.invoke(app, ["review", "report", str(campaign_file)])
        assert result.exit_code == 0, f"{result.output} {result.exception!r}"
        assert "no brand blocks the parade" in result.output
        approve = runner.invoke(app, ["review", "approve", str(campaign_file), "--id", concept])
        assert "read-only" in one_error_line(approve)


def test_a_report_in_a_read_only_folder_sees_a_live_writers_latest_decision(campaign_file):
    """With a writer at work, its newest commits are in the -wal file; the read-only catalog reads them."""
    campaign = load_campaign(campaign_file)
    with Catalog(campaign.catalog_path) as writer:  # opened before the folder turns read-only: it keeps writing
        with read_only(campaign.root):
            for record in writer.concepts("polar-scoop"):
                writer.review(record.id, "rejected", reviewer="ad", role="art_director")
            assert campaign.catalog_path.with_name("catalog.sqlite-wal").exists()
            result = runner.invoke(app, ["review", "report", str(campaign_file)])
            writer.close()  # SQLite holds the reader's files open while another connection has the catalog
        assert result.exit_code == 0, f"{result.output} {result.exception!r}"
        assert "1 brand(s) block the parade: polar-scoop" in result.output


@contextmanager
def small_disk(folder: Path, size: str = "2m"):
    """A tmpfs of `size` mounted on `folder` (which is made, and must be empty); skips where the test
    cannot mount one (it needs root, and a container that allows mounts)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill ({mounted.stderr.strip() or 'mount failed'})")
    try:
        yield
    finally:
        unmount(folder)


def fill(folder: Path, leave: int) -> Path:
    """A ballast file that leaves about `leave` bytes free on `folder`'s disk."""
    ballast = folder / "ballast"
    free = shutil.disk_usage(folder).free
    with open(ballast, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return ballast


def test_a_full_disk_during_render_is_one_line_and_gives_the_space_back(campaign_file):
    # 14 s of film: two 10 s segments, so the first is kept when the second finds the disk full
    path = edited_campaign(campaign_file, film={"seconds_per_brand": 4.0, "aspects": ["16:9"]})
    films = load_campaign(path).films_dir
    with small_disk(films):
        ballast = fill(films, leave=96 * 1024)
        free_before = shutil.disk_usage(films).free
        line = one_error_line(runner.invoke(app, ["render", str(path)]))
        assert line.startswith(f"error: {films}: disk: no space left") and "segments were deleted" in line
        assert list(films.iterdir()) == [ballast], "no film, no kept segments, no temp files"
        assert shutil.disk_usage(films).free == free_before

        ballast.unlink()  # once there is room, the same render succeeds
        result = runner.invoke(app, ["render", str(path)])
        assert result.exit_code == 0, result.output


# Finding 12: what a killed run leaves behind -------------------------------------------------------


def leftover(folder: Path, name: str, age: float) -> Path:
    """A temp file like `atomic_path` makes, last written `age` seconds ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"half a file")
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_a_later_run_clears_a_killed_runs_temp_files(campaign_file):
    campaign = load_campaign(campaign_file)
    concepts = campaign.concepts_dir / "lotus-tea"
    stale_png = leftover(concepts, ".lotus-tea-s9-0a1b2c3d.x8k2j1.png.part", age=2 * HOUR)
    live_png = leftover(concepts, ".lotus-tea-s9-0a1b2c3d.q7w3e5.png.part", age=60)  # a writer at work now
    stale_film = leftover(campaign.films_dir, ".test-parade_9x16.abc123.mp4.part", age=2 * HOUR)

    more = edited_campaign(campaign_file, generation={"backend": "previz", "seeds": [1, 2, 3], "width": 256,
                                                       "height": 256})
    assert runner.invoke(app, ["generate", str(more), "--brand", "lotus-tea"]).exit_code == 0
    assert not stale_png.exists() and live_png.exists()
    assert runner.invoke(app, ["render", str(more), "--aspect", "9:16"]).exit_code == 0
    assert not stale_film.exists()


def proc_stat(pid: int) -> tuple[str, str, int] | None:
    """(command name, state, parent pid) of a process from /proc, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    state, parent = stat[stat.rindex(")") + 2:].split()[:2]
    return name, state, int(parent)


def ffmpeg_children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := proc_stat(int(entry.name))) is not None:
            name, _state, parent = stat
            if parent == pid and name.startswith("ffmpeg"):
                children.append(int(entry.name))
    return children


def running(pid: int) -> bool:
    stat = proc_stat(pid)
    return stat is not None and stat[1] != "Z"  # a zombie has exited


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_ffmpeg_dies_with_its_killed_render(campaign_file, tmp_path):
    """SIGKILL the rendering process alone (not its group). Its ffmpeg must not outlive it, even though
    a process forked meanwhile (as a fork-started worker would be) still holds ffmpeg's stdin open."""
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import os, time, warnings
        warnings.simplefilter("ignore")
        from workbench.campaign import load_campaign
        from workbench.catalog import Catalog
        from workbench.kits import load_kits
        from workbench.parade import render_film
        from workbench.parade.compositor import Parade

        original = Parade.frame
        def slow_frame(self, t):
            if t >= 0.3 and not os.path.exists({str(ready)!r}):
                if os.fork() == 0:  # inherits the encoder's stdin pipe; outlives the render
                    time.sleep(60)
                    os._exit(0)
                open({str(ready)!r}, "w").close()
            time.sleep(0.05)
            return original(self, t)
        Parade.frame = slow_frame
        campaign = load_campaign({str(campaign_file)!r})
        kits = list(load_kits(campaign.kits_folder).kits.values())
        render_film(campaign, kits, Catalog(campaign.catalog_path), "16:9", progress=False)
    """)
    render = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (ready.exists() and ffmpeg_children(render.pid)):
            assert render.poll() is None and time.monotonic() < deadline, "the render ended before it could be killed"
            time.sleep(0.02)
        encoders = ffmpeg_children(render.pid)
        os.kill(render.pid, signal.SIGKILL)  # the render alone
        render.wait()
        deadline = time.monotonic() + 5
        while any(running(pid) for pid in encoders) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(running(pid) for pid in encoders), "ffmpeg outlived its killed render"
    finally:
        try:
            os.killpg(render.pid, signal.SIGKILL)  # the forked sleeper (and any ffmpeg left) in its own group
        except ProcessLookupError:
            pass
