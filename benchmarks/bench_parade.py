"""How fast the parade renders, next to what the encoder alone needs and what naive moviepy takes.

One run, one machine, side by side, for each x264 preset:

- (a) pure encode: the parade's frames, composed beforehand and held in memory, piped to ffmpeg
  libx264 with the same preset, CRF and pixel format. Two ways: as yuv420p, converted beforehand
  (the encoder alone: the floor), and as rgb24 for ffmpeg to convert (what piping RGB costs);
- (b) this module: `render_film` from the catalog to the finished MP4 (choosing floats, building
  the parade, composing, encoding in segments, joining, manifest);
- (c) naive moviepy: each float an `ImageClip` with a position function along the same path,
  all in one `CompositeVideoClip` over a `ColorClip`, written with `write_videofile`.

Each row is one kind of film: the side-on parade (the defaults; the only row (c) is run for), the
camera and depth route on (push-in, pan, depth route, depth of field), the same with the floats alive
(sway, contact shadow, glint), a looping video plate behind the procession (a synthetic clip, 1080p
H.264, decoded while the film is made), and the defaults at 4K (3840x2160).

It prints seconds and the ratios (b)/(a) against the floor (goal: at most 1.2 at medium, in every
row) and (c)/(b) (goal: at least 4). On a shared machine the wall clock is at the mercy of everything
else running, so it also prints (b)/(a) in CPU seconds (this process and its ffmpeg children): the
work each does, which other load barely moves.

    $ .venv/bin/python benchmarks/bench_parade.py                      # 10 s, 1080p30, 20 floats, every row
    $ .venv/bin/python benchmarks/bench_parade.py --seconds 3 --presets ultrafast
    $ .venv/bin/python benchmarks/bench_parade.py --seconds 3 --presets medium --rows camera 4k --skip-naive
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import yaml
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.campaign import Campaign  # noqa: E402
from workbench.catalog import Catalog, ConceptRecord  # noqa: E402
from workbench.files import save_png  # noqa: E402
from workbench.kits import BrandKit, load_kits  # noqa: E402
from workbench.parade import prepare_film, render_film  # noqa: E402
from workbench.parade.encode import VideoFormat, encode_frames, to_yuv420p  # noqa: E402

SPRITE_WIDTH = 400  # the floats' source width in pixels, as the issue asks
CAMERA = {"push_in": 0.06, "pan": 0.02, "depth_route": True, "depth_of_field": True}
MOTION = {"sway": 2.0, "contact_shadow": True, "glint": True}
ROWS = {  # name: film settings changed from the side-on parade's
    "side-on": {},
    "camera": {"camera": CAMERA},
    "camera+motion": {"camera": CAMERA, "motion": MOTION},
    "video-plate": {"backdrop": {"kind": "video"}},  # its path: a clip the bench films, `plate_video`
    "4k": {"sizes": {"16:9": [3840, 2160], "9:16": [2160, 3840]}},
}
PLATE_SECONDS = 8  # the video plate's clip: as long as the loop it is cut to by default


def plate_video(path: Path, size: tuple[int, int], fps: int) -> Path:
    """An H.264 clip to loop behind the procession: ffmpeg's moving test pattern, as a filmed plate would be."""
    from workbench.parade.encode import ffmpeg_binary

    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", "-f", "lavfi",
                    "-i", f"testsrc2=size={size[0]}x{size[1]}:rate={fps}:duration={PLATE_SECONDS}",
                    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def bench_float(kit: BrandKit, variant: int, width: int = SPRITE_WIDTH) -> Image.Image:
    """A float-like RGBA sprite in the kit's colours with antialiased edges (drawn 2x, then reduced)."""
    primary, secondary, accent = (kit.palette.rgb(role) for role in ("primary", "secondary", "accent"))
    w, h = 2 * width, round(2 * width * 0.78)
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0.04 * w, 0.58 * h, 0.96 * w, 0.86 * h), radius=h // 16, fill=(*primary, 255))
    draw.ellipse((0.2 * w, 0.04 * h, 0.8 * w, 0.7 * h), fill=(*secondary, 255), outline=(*primary, 255), width=12)
    draw.regular_polygon((w / 2, 0.36 * h, 0.16 * w), 5 + variant % 3, rotation=17 * variant, fill=(*accent, 255))
    for centre in (0.18, 0.5, 0.82):
        draw.ellipse(((centre - 0.06) * w, 0.8 * h, (centre + 0.06) * w, 0.98 * h), fill=(30, 30, 36, 255))
    for light in range(9):
        x = (0.08 + 0.105 * light) * w
        draw.ellipse((x - 0.025 * w, 0.64 * h, x + 0.025 * w, 0.64 * h + 0.05 * w), fill=(*accent, 255))
    return image.resize((width, h // 2), Image.LANCZOS)


def bench_campaign(root: Path, floats: int, seconds: float, fps: int, preset: str, aspect: str,
                   film: dict | None = None) -> tuple:
    """A campaign of `floats` brands (the sample kits, copied under new slugs as needed), each with one
    approved float, in a fresh folder, with `film` settings changed. Returns (campaign, kits, catalog)."""
    samples = list(load_kits(REPO / "brand_kits").kits.values())
    kits_folder = root / "kits"
    for index in range(floats):
        sample = samples[index % len(samples)]
        slug = f"{sample.slug}-{index // len(samples) + 1}"
        shutil.copytree(sample.folder, kits_folder / slug)
        data = yaml.safe_load((kits_folder / slug / "brand.yaml").read_text(encoding="utf-8"))
        (kits_folder / slug / "brand.yaml").write_text(yaml.safe_dump({**data, "slug": slug}, allow_unicode=True),
                                                       encoding="utf-8")
    kits = list(load_kits(kits_folder).kits.values())
    campaign = Campaign.model_validate({
        "name": "bench", "title": "Benchmark Parade", "end_card": "Thanks for watching",
        "kits_folder": kits_folder, "renders_folder": root / "renders",
        "film": {"aspects": [aspect], "fps": fps, "duration": seconds, "title_seconds": 0, "end_seconds": 0,
                 "preset": preset, "ai_label": False, **(film or {})},
    })
    catalog = Catalog(campaign.catalog_path)
    for index, kit in enumerate(kits):
        path = campaign.concepts_dir / kit.slug / f"{kit.slug}-s1.png"
        digest = save_png(bench_float(kit, index), path)
        catalog.add_concept(ConceptRecord(
            id=f"{kit.slug}-s1", brand=kit.slug, backend="bench", model="drawn", prompt="benchmark float",
            negative_prompt="", seed=1, settings={}, path=str(path.relative_to(campaign.root)), content_hash=digest,
        ))
        catalog.review(f"{kit.slug}-s1", verdict="approved", reviewer="bench")
    return campaign, kits, catalog


class Stopwatch:
    """Wall seconds and CPU seconds (this process and the children it waited for, ffmpeg) of a `with` block."""

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self._wall, _cpu_seconds() - self._cpu


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pure_encode(campaign: Campaign, kits, catalog, aspect: str, output: Path) -> tuple[Stopwatch, Stopwatch]:
    """(a): the frames (b) makes, composed first and held in memory, then timed through the encoder alone:
    as yuv420p converted beforehand, and as rgb24 converted by ffmpeg. Returns (yuv, rgb) stopwatches."""
    film = prepare_film(campaign, kits, catalog, aspect)
    fps = campaign.film.fps
    frames = [film.parade.frame(i / fps) for i in range(round(film.timeline.duration * fps))]
    video = VideoFormat.for_film(campaign.film, film.size)
    yuv_frames = [to_yuv420p(frame) for frame in frames]
    with Stopwatch() as yuv:
        encode_frames(yuv_frames, video, output)
    del yuv_frames
    with Stopwatch() as rgb:
        process = subprocess.Popen(video.encoder_command(output, input_pix_fmt="rgb24"), stdin=subprocess.PIPE)
        for frame in frames:
            process.stdin.write(frame.data)
        process.stdin.close()
        if process.wait() != 0:
            raise RuntimeError("ffmpeg failed on the rgb24 pipe")
    return yuv, rgb


def parade_render(campaign: Campaign, kits, catalog, aspect: str) -> Stopwatch:
    """(b): this module, from the catalog to the finished film, nothing reused."""
    with Stopwatch() as watch:
        render_film(campaign, kits, catalog, aspect, progress=False, resume=False)
    return watch


def naive_moviepy(campaign: Campaign, kits, catalog, aspect: str, output: Path) -> float:
    """(c): an ImageClip per float moving along the same path, one CompositeVideoClip over a ColorClip.

    The float images are scaled to their on-screen size beforehand, as anyone would; each clip lives only
    while its float is in frame, kept at least a pixel inside it (moviepy's compositor fails on masked
    clips wholly outside the frame).
    """
    from moviepy import ColorClip, CompositeVideoClip, ImageClip

    film = prepare_film(campaign, kits, catalog, aspect)
    stage, timeline = film.parade.stage, film.timeline
    width, height = film.size
    box_width, box_height = stage.float_size
    fps = campaign.film.fps
    started = time.perf_counter()
    layers = [ColorClip((width, height), color=(74, 76, 90), duration=timeline.duration)]
    for index, image in enumerate(film.parade.float_images):
        fit = min(box_width / image.width, box_height / image.height)
        sprite = image.resize((round(image.width * fit), round(image.height * fit)), Image.LANCZOS)
        times = [i / fps for i in range(round(timeline.duration * fps))]
        visible = [t for t in times if _on_screen(stage, index - timeline.position(t), sprite.size)]
        if not visible:
            continue

        def position(clip_time: float, index=index, size=sprite.size, start=visible[0]) -> tuple[int, int]:
            place = stage.place(index - timeline.position(start + clip_time))  # moviepy passes clip-local time
            left = round(place.centre_x - size[0] / 2)
            return min(max(left, 1 - size[0]), width - 1), round(place.base_y - size[1])  # keep a pixel in frame

        clip = ImageClip(np.asarray(sprite), transparent=True).with_start(visible[0]).with_end(visible[-1] + 0.5 / fps)
        layers.append(clip.with_position(position))
    CompositeVideoClip(layers, size=(width, height)).write_videofile(
        str(output), fps=fps, codec="libx264", preset=campaign.film.preset, audio=False, logger=None,
        ffmpeg_params=["-crf", str(campaign.film.crf), "-pix_fmt", "yuv420p"],
    )
    return time.perf_counter() - started


def _on_screen(stage, offset: float, size: tuple[int, int]) -> bool:
    place = stage.place(offset)
    left = place.centre_x - size[0] / 2
    return place.opacity > 0 and left < stage.width and left + size[0] > 0


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--floats", type=int, default=20)
    parser.add_argument("--aspect", default="16:9", choices=["16:9", "9:16"])
    parser.add_argument("--presets", nargs="+", default=["medium", "ultrafast"])
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS), help="kinds of film, each a row")
    parser.add_argument("--repeat", type=int, default=2, help="runs of (a) and (b), taking turns; best kept")
    parser.add_argument("--skip-naive", action="store_true", help="leave out (c), the slow one")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    results, sizes = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-parade-") as folder:
        root = Path(folder)
        for name in args.rows:
            for preset in args.presets:
                row_name, run = f"{name} {preset}", root / name / preset
                film = ROWS[name]
                if name == "video-plate":
                    clip = plate_video(run / "plate.mp4", (1920, 1080), args.fps)
                    film = {**film, "backdrop": {**film["backdrop"], "path": str(clip)}}
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    campaign, kits, catalog = bench_campaign(run, args.floats, args.seconds, args.fps, preset,
                                                             args.aspect, film)
                    results[row_name] = measure(campaign, kits, catalog, args, run, naive=name == "side-on")
                sizes[row_name] = "x".join(map(str, campaign.film.size(args.aspect)))
                print(f"{row_name}: " + ", ".join(f"({k}) {v:.1f} s" for k, v in results[row_name].items()),
                      flush=True)

    print(f"\n{args.seconds:g} s at {args.fps} fps, {args.floats} floats ({SPRITE_WIDTH} px sprites)\n")
    header = ["row", "size", "(a) encode", "(a) rgb pipe", "(b) parade", "(c) moviepy", "(b)/(a)", "(b)/(a rgb)",
              "(b)/(a) cpu", "(c)/(b)", "(c)/(a)"]
    print("  ".join(f"{h:>24}" if index == 0 else f"{h:>12}" for index, h in enumerate(header)))
    for row_name, row in results.items():
        naive = "c" in row
        cells = [row_name, sizes[row_name], f"{row['a']:.1f} s", f"{row['a_rgb']:.1f} s", f"{row['b']:.1f} s",
                 f"{row['c']:.1f} s" if naive else "-", f"{row['b'] / row['a']:.2f}", f"{row['b'] / row['a_rgb']:.2f}",
                 f"{row['b_cpu'] / row['a_cpu']:.2f}",
                 f"{row['c'] / row['b']:.2f}" if naive else "-", f"{row['c'] / row['a']:.2f}" if naive else "-"]
        print("  ".join(f"{c:>24}" if index == 0 else f"{c:>12}" for index, c in enumerate(cells)))
    print("\ngoals: (b)/(a) <= 1.2 at medium, every row; (c)/(b) >= 4")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def measure(campaign: Campaign, kits, catalog, args, run: Path, naive: bool) -> dict[str, float]:
    """One row's seconds: (a) and (b) take turns, and each keeps its best time, so load from elsewhere on a
    shared machine slows both alike instead of whichever happened to run during it; then (c), if asked for."""
    row: dict[str, float] = {}
    for _ in range(args.repeat):
        yuv, rgb = pure_encode(campaign, kits, catalog, args.aspect, run / "a.mp4")
        parade = parade_render(campaign, kits, catalog, args.aspect)
        measured = {"a": yuv.wall, "a_rgb": rgb.wall, "b": parade.wall, "a_cpu": yuv.cpu, "b_cpu": parade.cpu}
        for key, seconds in measured.items():
            row[key] = min(seconds, row.get(key, seconds))
    if naive and not args.skip_naive:
        row["c"] = naive_moviepy(campaign, kits, catalog, args.aspect, run / "c.mp4")
    return row


if __name__ == "__main__":
    main()
