"""The cluster path against in-process on this machine: its overhead, and what a second worker buys.

One run, side by side, on a `--cluster local` Ray instance started here (127.0.0.1 only):

- generation, previz at the campaign default 768x768: 200 concepts (25 brands x 8 seeds) in-process and
  on the cluster with 1 worker (the overhead: shipping kits, images back, the driver writing them; goal
  <= 15%); 400 concepts (50 brands x 8 seeds) in-process and on the cluster with every CPU a worker
  (goal: >= 1.7x faster on 2 cores);
- render, a 30 s film cut in 5 s segments, each encode `--segment-threads` x264 threads (compute.segment_threads,
  the campaign default 2): in-process, the cluster with 1 worker (overhead, goal <= 15%) and with 2 (goal: >= 1.7x
  faster than 1). A segment's encode is a pipeline (frames composed on a thread, ffmpeg in its own process), so
  one worker already keeps more than one core busy; the "cores busy" column (CPU / wall) shows how much is left
  for a second worker on this machine's cores.

Brands are copies of the sample kits under new slugs. Ray's start-up is timed apart and not counted.
On a shared machine the wall clock follows everyone's load, so CPU seconds (this process and every
process under it: Ray's workers, ffmpeg) are printed too.

    $ .venv/bin/python benchmarks/bench_cluster.py
    $ .venv/bin/python benchmarks/bench_cluster.py --brands 10 --film-seconds 10   # a quick look
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # the local instance listens on 127.0.0.1

import yaml  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.campaign import load_campaign  # noqa: E402
from workbench.catalog import Catalog  # noqa: E402
from workbench.cluster import Cluster  # noqa: E402
from workbench.generate import generate_campaign  # noqa: E402
from workbench.kits import load_kits  # noqa: E402
from workbench.parade import render_film  # noqa: E402

SEEDS = list(range(1, 9))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds() -> float:
    """CPU seconds of this process and every live process under it (and the children they waited for)."""
    parents, times = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = sum(int(value) for value in fields[11:15]) / CLOCK_TICKS
    mine, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in mine:
                mine.add(pid)
                frontier.append(pid)
    return sum(times.get(pid, 0.0) for pid in mine)


def timed(work):
    wall, cpu = time.perf_counter(), tree_cpu_seconds()
    result = work()
    return result, time.perf_counter() - wall, tree_cpu_seconds() - cpu


def brand_kits(folder: Path, count: int) -> Path:
    """`count` kits: the sample kits copied under slugs of their own (lotus-tea-2, ...)."""
    samples = sorted(path for path in (REPO / "brand_kits").iterdir() if (path / "brand.yaml").is_file())
    for index in range(count):
        source = samples[index % len(samples)]
        slug = f"{source.name}-{index}"
        shutil.copytree(source, folder / slug)
        data = yaml.safe_load((folder / slug / "brand.yaml").read_text(encoding="utf-8"))
        data["slug"] = slug
        (folder / slug / "brand.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


def campaign_in(root: Path, kits_folder: Path, folder: str, **fields):
    """A campaign named 'bench' (the same name in every run: a film's metadata names it) rendering into `folder`."""
    data = {"name": "bench", "title": "Cluster Parade", "end_card": "Thanks", "kits_folder": str(kits_folder),
            "renders_folder": str(root / folder), "generation": {"backend": "previz", "seeds": SEEDS}, **fields}
    path = root / f"{folder}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_campaign(path)


def generation(root: Path, kits_folder: Path, name: str, brands: int, executor=None):
    campaign = campaign_in(root, kits_folder, name)
    kits = load_kits(kits_folder).select(campaign.brands)[:brands]
    with Catalog(campaign.catalog_path) as catalog:
        report, wall, cpu = timed(lambda: generate_campaign(campaign, kits, catalog, progress=False, executor=executor))
    assert len(report.made) == brands * len(SEEDS) and not report.failed, str(report)
    return wall, cpu


def film(root: Path, kits_folder: Path, name: str, seconds: float, size: tuple[int, int], preset: str,
         threads: int, segments=None):
    brands = 8
    per_brand = (seconds - 4.0) / brands
    campaign = campaign_in(root, kits_folder, name, brands=sorted(p.name for p in kits_folder.iterdir())[:brands],
                           generation={"backend": "previz", "seeds": [1], "width": 384, "height": 384},
                           film={"aspects": ["16:9"], "sizes": {"16:9": list(size)}, "fps": 30, "preset": preset,
                                 "title_seconds": 2.0, "end_seconds": 2.0, "seconds_per_brand": per_brand},
                           compute={"segment_threads": threads})
    kits = load_kits(kits_folder).select(campaign.brands)
    with Catalog(campaign.catalog_path) as catalog:
        generate_campaign(campaign, kits, catalog, progress=False)
        for record in catalog.concepts():
            catalog.review(record.id, verdict="approved")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result, wall, cpu = timed(lambda: render_film(campaign, kits, catalog, "16:9", progress=False,
                                                          segment_seconds=5.0, segments=segments))
    return wall, cpu, result.path.read_bytes()


def warm_up(ray, cpus: int) -> None:
    """One task per CPU importing what the segment tasks and actors import, so Ray's pooled worker
    processes exist before the timings (as on a cluster that has run a batch before)."""

    def imports() -> int:
        import workbench.backends.previz  # noqa: F401
        import workbench.cluster  # noqa: F401
        import workbench.parade.compositor  # noqa: F401
        import workbench.parade.encode  # noqa: F401

        time.sleep(0.5)  # holds this worker, so the next task starts another
        return os.getpid()

    task = ray.remote(num_cpus=1)(imports)
    ray.get([task.remote() for _ in range(cpus)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brands", type=int, default=50, help="brands of the large batch (x 8 seeds)")
    parser.add_argument("--film-seconds", type=float, default=30.0)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--segment-threads", type=int, default=2, help="x264 threads of each segment's encode")
    args = parser.parse_args()
    size = tuple(int(side) for side in args.size.split("x"))
    root = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    kits_folder = brand_kits(root / "kits", max(args.brands, 8))
    small = args.brands // 2
    rows = []
    try:
        _cluster, start_wall, _cpu = timed(lambda: None)
        import ray  # noqa: F401  (imported here: its import is part of the start-up below)

        started = time.perf_counter()
        ray.init(address="local", include_dashboard=False, log_to_driver=False, logging_level="WARNING")
        start_wall = time.perf_counter() - started
        cpus = int(ray.cluster_resources().get("CPU", 1))
        print(f"Ray started in {start_wall:.1f} s; {cpus} CPUs; {os.cpu_count()} cores here")
        from workbench.campaign import ComputeSettings

        def on_cluster(workers: int | None):
            return Cluster.open(ComputeSettings(cluster="local", workers=workers), "bench")

        one, every = on_cluster(1), on_cluster(None)
        _none, warm_wall, _cpu = timed(lambda: warm_up(ray, cpus))
        print(f"worker processes warmed (imports) in {warm_wall:.1f} s; actors are started inside the timings")
        here = generation(root, kits_folder, "gen-small-here", small)
        there = generation(root, kits_folder, "gen-small-one", small, one.generation())
        rows.append((f"generate {small * 8} previz: in-process", here, None))
        rows.append((f"generate {small * 8} previz: cluster, 1 worker", there, ("overhead", there[0] / here[0] - 1)))
        one.release()
        here = generation(root, kits_folder, "gen-large-here", args.brands)
        there = generation(root, kits_folder, "gen-large-all", args.brands, every.generation())
        rows.append((f"generate {args.brands * 8} previz: in-process", here, None))
        rows.append((f"generate {args.brands * 8} previz: cluster, {cpus} workers", there,
                     ("speed-up", here[0] / there[0])))
        every.release()
        # Ray ends idle pooled workers beyond one per CPU while the generation actors live, so the render
        # tasks would each start a worker process (~3 s of importing Ray here) inside their timing: a
        # cluster that has rendered before has them up. Warmed again, apart from the timings.
        _none, rewarm_wall, _cpu = timed(lambda: warm_up(ray, cpus))
        print(f"worker processes warmed again for the renders in {rewarm_wall:.1f} s")
        wall, cpu, film_here = film(root, kits_folder, "film-here", args.film_seconds, size, args.preset,
                                     args.segment_threads)
        rows.append((f"render {args.film_seconds:g} s {args.size}: in-process", (wall, cpu), None))
        wall1, cpu1, film_one = film(root, kits_folder, "film-one", args.film_seconds, size, args.preset,
                                     args.segment_threads, one.segments())
        rows.append((f"render {args.film_seconds:g} s: cluster, 1 worker", (wall1, cpu1), ("overhead", wall1 / wall - 1)))
        wall2, cpu2, film_two = film(root, kits_folder, "film-two", args.film_seconds, size, args.preset,
                                     args.segment_threads, every.segments())
        rows.append((f"render {args.film_seconds:g} s: cluster, {cpus} workers", (wall2, cpu2),
                     ("speed-up vs 1 worker", wall1 / wall2)))
        same = film_here == film_one == film_two
    finally:
        import ray

        ray.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    print(f"\n{'':52} {'wall':>9} {'cpu':>9} {'cores busy':>11}   ratio")
    for name, (wall, cpu), ratio in rows:
        text = f"{ratio[0]} {ratio[1]:+.0%}" if ratio and ratio[0] == "overhead" else (
            f"{ratio[0]} {ratio[1]:.2f}x" if ratio else "")
        print(f"{name:52} {wall:8.1f}s {cpu:8.1f}s {cpu / wall:11.2f}   {text}")
    print(f"\nfilms byte-identical in-process, 1 worker and {cpus} workers: {same}")
    print("goals: overhead <= 15% (generation, render); 2 workers >= 1.7x (400 concepts vs in-process; segments vs 1)")


if __name__ == "__main__":
    main()
