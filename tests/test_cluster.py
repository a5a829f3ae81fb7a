"""Generation, triage and render on a local Ray cluster (2 CPUs, 127.0.0.1 only) give what the in-process path gives."""

from __future__ import annotations

import os

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # before ray is imported: the node is 127.0.0.1

import json  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

ray = pytest.importorskip("ray")

from conftest import REPO, SAMPLE_KITS, make_campaign, parade_catalog, write_campaign  # noqa: E402
from workbench.campaign import ComputeSettings, load_campaign  # noqa: E402
from workbench.catalog import Catalog  # noqa: E402
from workbench.cluster import Cluster  # noqa: E402
from workbench.generate import generate_campaign  # noqa: E402
from workbench.kits import load_kits  # noqa: E402
from workbench.parade import render_film  # noqa: E402

SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, address="local", log_to_driver=False,
             object_store_memory=256 * 2**20, logging_level="WARNING")
    try:
        with Cluster.connect(ComputeSettings(cluster="local")) as connected:
            yield connected
    finally:
        ray.shutdown()


def test_the_local_cluster_listens_on_loopback_only(cluster):
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}


def made(tmp_path: Path, name: str, kits_folder: Path, **generation) -> tuple:
    """A fresh campaign (its own renders folder) over `kits_folder`, its kits and an open catalog."""
    settings = {"backend": "previz", "seeds": SEEDS, "width": 128, "height": 128, **generation}
    campaign = load_campaign(write_campaign(tmp_path / f"{name}.yaml", kits_folder, tmp_path / name,
                                            generation=settings))
    return campaign, load_kits(kits_folder).select(campaign.brands), Catalog(campaign.catalog_path)


def files_by_id(campaign, catalog) -> dict[str, bytes]:
    """Every concept's files (image and extras) by id and name, as bytes."""
    found = {}
    for record in catalog.concepts():
        path = catalog.image_path(record)
        for file in sorted(path.parent.glob(f"{record.id}*.png")):
            found[file.name] = file.read_bytes()
    return found


# ----------------------------------------------------------------------------------------------------
# Generation


def test_cluster_generation_gives_the_same_ids_and_bytes(cluster, tmp_path, kits_folder):
    here, kits, here_catalog = made(tmp_path, "here", kits_folder)
    there, _kits, there_catalog = made(tmp_path, "there", kits_folder)
    with here_catalog, there_catalog:
        local = generate_campaign(here, kits, here_catalog, progress=False)
        remote = generate_campaign(there, kits, there_catalog, progress=False, executor=cluster.generation())
        assert len(local.made) == len(kits) * len(SEEDS) and not local.failed
        assert sorted(remote.made) == sorted(local.made) and not remote.failed
        assert files_by_id(there, there_catalog) == files_by_id(here, here_catalog)
        rows = {record.id: (record.content_hash, record.path) for record in here_catalog.concepts()}
        assert {record.id: (record.content_hash, record.path) for record in there_catalog.concepts()} == rows

        again = generate_campaign(there, kits, there_catalog, progress=False, executor=cluster.generation())
        assert not again.made and sorted(again.skipped) == sorted(local.made), "resume: nothing asked again"


def test_a_worker_killed_mid_batch_is_restarted_and_the_batch_is_complete(cluster, tmp_path, kits_folder):
    here, kits, here_catalog = made(tmp_path, "here", kits_folder, seeds=[1, 2, 3, 4])
    there, _kits, there_catalog = made(tmp_path, "there", kits_folder, seeds=[1, 2, 3, 4])
    executor = cluster.generation()
    settings = there.generation.backend_settings()
    before = executor.pids("previz", settings)
    killed = []

    class KillingOne:
        """The cluster's stream, with one worker process SIGKILLed once the first image is back."""

        def stream(self, backend, settings, jobs):
            for count, item in enumerate(executor.stream(backend, settings, jobs)):
                if count == 0:
                    os.kill(before[0], signal.SIGKILL)
                    killed.append(before[0])
                yield item

    with here_catalog, there_catalog:
        local = generate_campaign(here, kits, here_catalog, progress=False)
        remote = generate_campaign(there, kits, there_catalog, progress=False, executor=KillingOne())
        assert killed and not remote.failed
        assert sorted(remote.made) == sorted(local.made)
        assert files_by_id(there, there_catalog) == files_by_id(here, here_catalog)
    after = executor.pids("previz", settings)
    assert before[0] not in after and len(after) == len(before), "the killed actor was started again"


def png_pixels_and_recipe(data: bytes) -> tuple:
    """A PNG's pixels and text chunks, the recipe's timing left out (a diffusers concept records its seconds)."""
    import io

    with Image.open(io.BytesIO(data)) as image:
        text = dict(image.text)
        pixels = image.tobytes()
    if "settings" in text:
        settings = json.loads(text["settings"])
        settings.pop("seconds_per_image", None)
        text["settings"] = settings
    return pixels, text


def test_cluster_diffusers_gives_the_same_ids_and_images(cluster, tmp_path, kits_folder, tmp_path_factory):
    pytest.importorskip("diffusers")
    os.environ["HF_HUB_OFFLINE"] = "1"
    from tiny_models import build_sd

    model = build_sd(tmp_path_factory.mktemp("tiny") / "tiny-sd")
    options = {"model": str(model), "steps": 2, "local_files_only": True, "mode": "img2img"}
    settings = {"backend": "diffusers", "seeds": [1, 2], "width": 64, "height": 64, "options": options}
    here, kits, here_catalog = made(tmp_path, "here", kits_folder, **settings)
    there, _kits, there_catalog = made(tmp_path, "there", kits_folder, **settings)
    with here_catalog, there_catalog:
        local = generate_campaign(here, kits[:2], here_catalog, progress=False)
        remote = generate_campaign(there, kits[:2], there_catalog, progress=False, executor=cluster.generation())
        assert not local.failed and not remote.failed, (local.failed, remote.failed)
        assert sorted(remote.made) == sorted(local.made) and len(local.made) == 4
        local_files, remote_files = files_by_id(here, here_catalog), files_by_id(there, there_catalog)
        assert sorted(remote_files) == sorted(local_files)  # each concept, its raw image beside it
        for name, data in local_files.items():
            assert png_pixels_and_recipe(remote_files[name]) == png_pixels_and_recipe(data), name


# ----------------------------------------------------------------------------------------------------
# Render


FILM = {"title_seconds": 1.0, "end_seconds": 1.0, "seconds_per_brand": 1.4}  # 6.2 s at 10 fps: 62 frames
SEGMENT_SECONDS = 2.5  # three segments: 25, 25 and 12 frames


def film_setup(root: Path):
    kits = load_kits(SAMPLE_KITS).kits
    campaign = make_campaign(root, **FILM)
    catalog = parade_catalog(campaign, kits)
    return campaign, catalog, [kits[slug] for slug in ("lotus-tea", "tern-motors", "kestrel-stride")]


def rendered(root: Path, **options) -> bytes:
    campaign, catalog, order = film_setup(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = render_film(campaign, order, catalog, "16:9", progress=False, segment_seconds=SEGMENT_SECONDS,
                             **options)
    return result.path.read_bytes()


@pytest.fixture(scope="module")
def film_here(tmp_path_factory) -> bytes:
    return rendered(tmp_path_factory.mktemp("film-here"))


def test_a_render_on_the_cluster_is_the_in_process_film(cluster, tmp_path, film_here):
    assert rendered(tmp_path, segments=cluster.segments()) == film_here


def segment_workers() -> list[int]:
    """Processes running a film segment right now (Ray names a worker process after its task)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes().startswith(b"ray::encode_segment_task"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_segment_worker_killed_mid_render_is_retried_and_the_film_is_the_same(cluster, tmp_path, film_here):
    killed: list[int] = []
    stop = threading.Event()

    def kill_one_segment_worker() -> None:
        while not stop.is_set() and not killed:
            for pid in segment_workers():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                break
            time.sleep(0.002)

    killer = threading.Thread(target=kill_one_segment_worker, daemon=True)
    killer.start()
    try:
        film = rendered(tmp_path, segments=cluster.segments())
    finally:
        stop.set()
        killer.join()
    assert killed, "no segment worker was seen to kill"
    assert film == film_here


# ----------------------------------------------------------------------------------------------------
# Connecting


def test_an_unreachable_cluster_is_one_line_and_exit_2_quickly(tmp_path, kits_folder):
    campaign_file = write_campaign(tmp_path / "c.yaml", kits_folder, tmp_path / "renders")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "generate", str(campaign_file),
                             "--cluster", "ray://127.0.0.1:9"], capture_output=True, text=True, cwd=REPO, timeout=120,
                            env={**os.environ, "WORKBENCH_LANG": "en"})
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "compute.cluster: could not reach ray://127.0.0.1:9" in lines[0], result.stderr
    assert time.perf_counter() - started < 60
    assert not (tmp_path / "renders" / "test-parade" / "concepts").exists(), "nothing made"


def test_without_a_cluster_nothing_imports_ray():
    code = ("import sys; import workbench.cli, workbench.parade, workbench.generate, workbench.triage.run; "
            "print('ray' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


# ----------------------------------------------------------------------------------------------------
# Triage


def test_triage_on_the_cluster_records_the_same_results(cluster, tmp_path, kits_folder):
    from workbench.triage import triage_campaign

    campaigns = {}
    for name in ("here", "there"):
        campaign, kits, catalog = made(tmp_path, name, kits_folder, seeds=[1, 2], width=256, height=256)
        with catalog:
            generate_campaign(campaign, kits, catalog, progress=False)
        campaigns[name] = (campaign, kits)
    results = {}
    for name, measurer in (("here", None), ("there", cluster.triage())):
        campaign, kits = campaigns[name]
        with Catalog(campaign.catalog_path) as catalog:
            report = triage_campaign(campaign, kits, catalog, workers=1, progress=False, measurer=measurer)
            assert report.measured == len(kits) * 2 and not report.failed
            results[name] = {concept_id: (result.score, result.status, result.measures)
                             for concept_id, result in catalog.triage_results().items()}
            results[name + " verdicts"] = catalog.verdicts_by_role()
    assert results["there"] == results["here"] and len(results["here"]) == 6
    assert results["there verdicts"] == results["here verdicts"]


def test_ctrl_c_keeps_what_finished_and_cancels_the_rest(cluster, tmp_path, kits_folder):
    here, kits, here_catalog = made(tmp_path, "here", kits_folder)
    there, _kits, there_catalog = made(tmp_path, "there", kits_folder)
    executor = cluster.generation()

    class InterruptedAfterTwo:
        """The cluster's stream, with Ctrl-C arriving at the driver once two images are recorded."""

        def stream(self, backend, settings, jobs):
            for count, item in enumerate(executor.stream(backend, settings, jobs)):
                if count == 2:
                    raise KeyboardInterrupt
                yield item

    with here_catalog, there_catalog:
        with pytest.raises(KeyboardInterrupt):
            generate_campaign(there, kits, there_catalog, progress=False, executor=InterruptedAfterTwo())
        kept = [record.id for record in there_catalog.concepts()]
        assert len(kept) == 2, "the two finished images are recorded, nothing else"
        resumed = generate_campaign(there, kits, there_catalog, progress=False, executor=executor)
        assert sorted(resumed.skipped) == sorted(kept) and len(resumed.made) == len(kits) * len(SEEDS) - 2
        generate_campaign(here, kits, here_catalog, progress=False)
        assert files_by_id(there, there_catalog) == files_by_id(here, here_catalog)
