"""Stage work on a Ray cluster: the thin adapter, and the only module that imports `ray` (when it is used).

The stages decide what they decide in-process; this module only places their work. Generation's backend
calls go to a pool of actors each holding one backend (a model is loaded once per actor), triage's
measuring to actors each holding one OCR reader, and a film's segments become tasks. Results stream
back to the driver, which alone writes files and catalog rows. Nothing travels by path: kits, concept
images and the composed parade go through the object store as bytes, so workers need no shared disk.

    >>> with Cluster.connect(campaign.compute, source=campaign_file) as cluster:
    ...     generate_campaign(campaign, kits, catalog, executor=cluster.generation())
    ...     triage_campaign(campaign, kits, catalog, measurer=cluster.triage())
    ...     render_films(campaign, kits, catalog, segments=cluster.segments())

Faults: actors restart (`MAX_RESTARTS`) and retry their task (`RETRIES`), tasks are retried, so a worker
killed mid-job costs time, not results; a job that fails every retry is reported as that job's failure.
Closing a stream (the batch stopped, Ctrl-C) cancels what is outstanding and keeps what came back.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import pickle
import shutil
import socket
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.campaign import ComputeSettings
from workbench.errors import InputError
from workbench.generate import GenerationJob, JobFailed, Outcome
from workbench.kits import BrandKit

CONNECT_TIMEOUT_SECONDS = 5.0  # an unreachable address is one line after this long, not minutes of retries
LOCAL_OBJECT_STORE_BYTES = 1 << 30  # --cluster local: what the object store may hold (kits, images, segments)
MAX_RESTARTS = 4  # an actor whose process died is started again this often
RETRIES = 3  # a task (or an actor's task) whose worker died is run again this often
IN_FLIGHT_PER_WORKER = 2  # each actor has its next job queued, so it never waits for the driver
CPUS_PER_WORKER = 1
GPU_BACKENDS = frozenset({"diffusers"})  # backends that use a GPU where the cluster has one
FIELD = "compute.cluster"


# ----------------------------------------------------------------------------------------------------
# Connecting


@dataclass
class Cluster:
    """A connection to Ray (started or joined by `open` or `connect`) and the stages' work placed on it."""

    ray: Any  # the ray module
    compute: ComputeSettings
    started: bool = False  # whether `open` started Ray (and `close` shuts it down)
    _actors: dict[tuple, list] = field(default_factory=dict)

    @classmethod
    def open(cls, compute: ComputeSettings, source: Path | str = "campaign") -> Cluster | None:
        """Start (`local`) or join (`auto`, `ray://host:port`) Ray, or None for compute.cluster 'none'.

        An address that does not answer within CONNECT_TIMEOUT_SECONDS is one InputError naming `source`
        and compute.cluster. A Ray already initialised in this process (a notebook's, a test's) is used as
        it is and left running. A notebook keeps what this returns for the kernel's life."""
        if compute.cluster == "none":
            return None
        ray, started = _init_ray(compute.cluster, source)
        return cls(ray, compute, started)

    @classmethod
    @contextmanager
    def connect(cls, compute: ComputeSettings, source: Path | str = "campaign") -> Iterator[Cluster | None]:
        """`open`, closed again at the end of the block (None, and no ray imported, for 'none')."""
        cluster = cls.open(compute, source)
        try:
            yield cluster
        finally:
            if cluster is not None:
                cluster.close()

    def close(self) -> None:
        self.release()
        if self.started:
            self.ray.shutdown()

    def release(self, keep: tuple | None = None) -> None:
        """End the actors this connection started (all but the `keep` pool): they hold the CPUs and GPUs
        that other work needs (a joined cluster keeps running for others)."""
        for key in [key for key in self._actors if key != keep]:
            for actor in self._actors.pop(key):
                self.ray.kill(actor)

    def resources(self) -> dict[str, float]:
        return self.ray.cluster_resources()

    def worker_count(self, gpu: bool = False) -> int:
        """compute.workers, else one per CPU of the cluster (one per `gpus_per_worker` GPUs for GPU work)."""
        if self.compute.workers:
            return self.compute.workers
        resources = self.resources()
        if gpu:
            return max(1, int(resources.get("GPU", 0) // max(self.compute.gpus_per_worker, 1e-9)))
        return max(1, int(resources.get("CPU", 1)))

    def generation(self) -> ClusterGeneration:
        return ClusterGeneration(self)

    def triage(self) -> ClusterTriage:
        return ClusterTriage(self)

    def segments(self) -> ClusterSegments:
        return ClusterSegments(self)

    def pool(self, key: tuple, worker_class: type, arguments: tuple, options: dict, count: int) -> list:
        """`count` actors of `worker_class(*arguments)` (kept for this connection's later batches)."""
        self.release(keep=key)  # one kind of work holds the cluster at a time
        actors = self._actors.setdefault(key, [])
        remote = self.ray.remote(**{"max_restarts": MAX_RESTARTS, "max_task_retries": RETRIES, **options})(worker_class)
        while len(actors) < count:
            actors.append(remote.remote(*arguments))
        return actors[:count]


def _init_ray(address: str, source: Path | str) -> tuple[Any, bool]:
    """(the ray module, whether this call started it)."""
    if address == "local":
        # A single-machine instance listens on 127.0.0.1 only (Ray's default is the machine's own address).
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    import ray

    if ray.is_initialized():
        return ray, False
    if address == "local":
        ray.init(address="local", include_dashboard=False, log_to_driver=False,
                 object_store_memory=LOCAL_OBJECT_STORE_BYTES, logging_level="WARNING")
        return ray, True
    target = os.environ.get("RAY_ADDRESS", "") if address == "auto" else address
    if target:
        _check_reachable(target, source)
    if target.startswith("ray://"):
        # Ray Client retries for half a minute by default: the check above has already said it answers.
        os.environ.setdefault("RAY_CLIENT_RECONNECT_GRACE_PERIOD", str(int(CONNECT_TIMEOUT_SECONDS)))
    try:
        ray.init(address=target or "auto", include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise InputError(source, FIELD, f"could not reach {target or address}: {_first_line(error)}") from None
    return ray, True


def _check_reachable(address: str, source: Path | str) -> None:
    """A TCP connection to the address's host and port within CONNECT_TIMEOUT_SECONDS, else one InputError."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise InputError(source, FIELD, f"expected host:port or ray://host:port, got {address!r}")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_SECONDS).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise InputError(source, FIELD, f"could not reach {address}: {reason}") from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# ----------------------------------------------------------------------------------------------------
# Kits as bytes: shipped by the driver, made into folders on the worker


@dataclass(frozen=True)
class ShippedKit:
    """A kit as its fields and its files' bytes (logo, font, products): what a worker needs to load the same kit."""

    slug: str
    fields: dict
    files: dict[str, bytes]
    digest: str

    @classmethod
    def of(cls, kit: BrandKit) -> ShippedKit:
        files = {path.name: path.read_bytes() for path in kit.file_paths}
        fields = kit.model_dump(mode="json")
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode())
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
        return cls(kit.slug, fields, files, digest.hexdigest())


class WorkerKits:
    """The kits a worker was sent, each written once into a folder of the worker's own temp space."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="workbench-kits-"))
        atexit.register(shutil.rmtree, self.root, True)
        self._kits: dict[str, BrandKit] = {}

    def kit(self, shipped: ShippedKit) -> BrandKit:
        if shipped.digest not in self._kits:
            folder = self.root / shipped.digest[:20] / shipped.slug
            folder.mkdir(parents=True, exist_ok=True)
            for name, content in shipped.files.items():
                (folder / Path(name).name).write_bytes(content)
            self._kits[shipped.digest] = BrandKit.model_validate({**shipped.fields, "folder": folder})
        return self._kits[shipped.digest]


class KitRefs:
    """Each kit put into the object store once per batch, by slug."""

    def __init__(self, ray: Any) -> None:
        self.ray, self._refs = ray, {}

    def __call__(self, kit: BrandKit) -> Any:
        if kit.slug not in self._refs:
            self._refs[kit.slug] = self.ray.put(ShippedKit.of(kit))
        return self._refs[kit.slug]


# ----------------------------------------------------------------------------------------------------
# Streaming jobs over a pool of actors


def stream_over(ray: Any, actors: list, jobs: list, submit: Callable[[Any, Any], Any],
                outcome: Callable[[Any], Any]) -> Iterator[tuple[Any, Any]]:
    """(job, outcome(ref)) in the order jobs finish; `submit(actor, job)` gives the job's ref. Each actor
    keeps IN_FLIGHT_PER_WORKER jobs queued; closing the stream cancels every job still outstanding."""
    waiting = deque(jobs)
    pending: dict[Any, tuple[Any, Any]] = {}

    def feed(actor: Any) -> None:
        if waiting:
            job = waiting.popleft()
            pending[submit(actor, job)] = (job, actor)

    for _round in range(IN_FLIGHT_PER_WORKER):
        for actor in actors:
            feed(actor)
    try:
        while pending:
            [ready], _ = ray.wait(list(pending), num_returns=1)
            job, actor = pending.pop(ready)
            feed(actor)  # before the driver records this one, so the actor is never idle
            yield job, outcome(ready)
    finally:
        for ref in pending:
            ray.cancel(ref)


def _lost(error: BaseException) -> str:
    return f"lost on the cluster after {RETRIES} retries: {_first_line(error)}"


# ----------------------------------------------------------------------------------------------------
# Generation


@dataclass(frozen=True)
class Failed:
    """How a job failed on a worker, in plain values (exceptions with their own constructors do not all
    survive pickling): 'refused' (ConceptRefused), 'unusable' (BackendUnusable) or 'failed'."""

    kind: str
    message: str
    model: str = ""


class GenerationWorker:
    """One backend in one worker process, loaded once; run as a Ray actor."""

    def __init__(self, backend: str, cpu_threads_as_in_process: bool = False) -> None:
        from workbench.backends import get_backend

        if cpu_threads_as_in_process and os.environ.get("OMP_NUM_THREADS") == str(CPUS_PER_WORKER):
            # Ray limits a 1-CPU worker's OpenMP to one thread; torch's CPU kernels add up in another order
            # with another thread count (images a grey level apart), so a model on the CPU gets the
            # threads an in-process run on this machine gets: the same images.
            del os.environ["OMP_NUM_THREADS"]
        self.backend = get_backend(backend)
        self.kits = WorkerKits()

    def pid(self) -> int:
        return os.getpid()

    def generate(self, shipped: ShippedKit, prompt: Any, seed: int, settings: dict) -> list | Failed:
        from workbench.backends import BackendUnusable, ConceptRefused
        from workbench.generate import failure_line

        try:
            return self.backend.generate(self.kits.kit(shipped), prompt, seed, settings)
        except ConceptRefused as refusal:
            return Failed("refused", refusal.reason, refusal.model)
        except BackendUnusable as error:
            return Failed("unusable", str(error))
        except Exception as error:
            return Failed("failed", failure_line(error))


class ClusterGeneration:
    """A `GenerationExecutor` on the cluster: jobs over actors holding one backend each."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def workers(self, backend: str, settings: dict, jobs: int | None = None) -> list:
        """The actors for `backend`: one GPU each (compute.gpus_per_worker) where the cluster has GPUs
        and the backend uses one, one CPU each otherwise."""
        gpu = uses_gpu(backend, settings) and self.cluster.resources().get("GPU", 0) > 0
        count = self.cluster.worker_count(gpu)
        options = {"num_cpus": CPUS_PER_WORKER, "num_gpus": self.cluster.compute.gpus_per_worker if gpu else 0}
        arguments = (backend, backend in GPU_BACKENDS and not gpu)
        return self.cluster.pool(("generation", backend, gpu), GenerationWorker, arguments, options,
                                 min(count, jobs) if jobs else count)

    def pids(self, backend: str, settings: dict) -> list[int]:
        """The worker processes' ids (for tests that kill one)."""
        return self.cluster.ray.get([actor.pid.remote() for actor in self.workers(backend, settings)])

    def stream(self, backend: str, settings: dict, jobs: list[GenerationJob]) -> Iterator[tuple[GenerationJob, Outcome]]:
        if not jobs:
            return
        ray = self.cluster.ray
        kit_ref = KitRefs(ray)
        settings_ref = ray.put(settings)

        def submit(actor: Any, job: GenerationJob) -> Any:
            return actor.generate.remote(kit_ref(job.kit), job.prompt, job.seed, settings_ref)

        yield from stream_over(ray, self.workers(backend, settings, len(jobs)), jobs, submit, self._outcome)

    def _outcome(self, ref: Any) -> Outcome:
        from workbench.backends import BackendUnusable, ConceptRefused

        try:
            result = self.cluster.ray.get(ref)
        except self.cluster.ray.exceptions.RayError as error:  # the worker died more often than it is retried
            return JobFailed(_lost(error))
        if isinstance(result, Failed):
            if result.kind == "refused":
                return ConceptRefused(result.message, result.model)
            return BackendUnusable(result.message) if result.kind == "unusable" else JobFailed(result.message)
        return result


def uses_gpu(backend: str, settings: dict) -> bool:
    """Whether the backend puts its model on a GPU when there is one (its device option left to choose)."""
    device = str(settings.get("device", "auto"))
    return backend in GPU_BACKENDS and (device == "auto" or device.startswith("cuda"))


# ----------------------------------------------------------------------------------------------------
# Triage


class TriageWorker:
    """One OCR reader in one worker process, loaded once; run as a Ray actor."""

    def __init__(self) -> None:
        from workbench.triage.ocr import RapidOcrReader

        self.reader = RapidOcrReader()
        self.kits = WorkerKits()

    def pid(self) -> int:
        return os.getpid()

    def measure(self, concept_id: str, label: str, image: bytes, settings: dict, shipped: ShippedKit) -> Any:
        from workbench.triage.run import _measure_one

        return _measure_one((concept_id, label, settings, self.kits.kit(shipped)), self.reader, io.BytesIO(image))


class ClusterTriage:
    """Triage's measurer on the cluster: (concept id, measures or the reason it failed), as they finish."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def __call__(self, jobs: list[tuple]) -> Iterator[tuple[str, Any]]:
        if not jobs:
            return
        ray = self.cluster.ray
        kit_ref = KitRefs(ray)
        readable = []
        for job in jobs:
            concept_id, path = job[0], job[1]
            try:
                readable.append((job, Path(path).read_bytes()))
            except OSError as error:  # the same line as in-process: a missing file is that concept's failure
                yield concept_id, f"{path}: {error}"
        actors = self.cluster.pool(("triage",), TriageWorker, (), {"num_cpus": 1},
                                   min(self.cluster.worker_count(), len(readable)) or 1)

        def submit(actor: Any, item: tuple) -> Any:
            (concept_id, path, settings, kit), image = item
            return actor.measure.remote(concept_id, path, image, settings, kit_ref(kit))

        def outcome(ref: Any) -> Any:
            try:
                return ray.get(ref)
            except ray.exceptions.RayError as error:
                return _lost(error)

        for (job, _image), result in stream_over(ray, actors, readable, submit, outcome):
            yield job[0], result


# ----------------------------------------------------------------------------------------------------
# Film segments


class _KitPickler(pickle.Pickler):
    """Pickles a parade with each BrandKit left out by reference: the worker puts its own copy back."""

    def __init__(self, file: Any, kits: dict[str, BrandKit]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.kits = kits

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, BrandKit):
            self.kits.setdefault(obj.slug, obj)
            return ("kit", obj.slug, obj.model_dump_json())
        return None


class _KitUnpickler(pickle.Unpickler):
    def __init__(self, file: Any, kits: dict[str, BrandKit]) -> None:
        super().__init__(file)
        self.kits = kits

    def persistent_load(self, pid: Any) -> Any:
        _kind, slug, fields = pid
        kit = self.kits[slug]
        return kit if kit.model_dump_json() == fields else kit.model_validate_json(fields).model_copy(
            update={"folder": kit.folder})


def pack_frames_source(frames_source: Any) -> tuple[bytes, list[ShippedKit]]:
    """A parade as bytes plus the kits it draws, shipped as bytes: no path of this machine goes with it.
    Its art cache must be empty (art is made again on the worker, the same)."""
    kits: dict[str, BrandKit] = {}
    buffer = io.BytesIO()
    _KitPickler(buffer, kits).dump(frames_source)
    return buffer.getvalue(), [ShippedKit.of(kit) for kit in kits.values()]


def unpack_frames_source(payload: bytes, shipped: list[ShippedKit], worker_kits: WorkerKits) -> Any:
    kits = {kit.slug: worker_kits.kit(kit) for kit in shipped}
    return _KitUnpickler(io.BytesIO(payload), kits).load()


_worker_state: dict[str, Any] = {}  # per worker process: its kits, and the last parade it unpacked


def encode_segment_task(payload: bytes, shipped: list[ShippedKit], digest: str, frames: range, video: Any) -> bytes:
    """A segment's frames composed and encoded on a worker, returned as the file's bytes (a Ray task)."""
    from workbench.parade.encode import encode_range

    kits = _worker_state.setdefault("kits", WorkerKits())
    if _worker_state.get("digest") != digest:
        _worker_state["source"] = unpack_frames_source(payload, shipped, kits)
        _worker_state["digest"] = digest
    with tempfile.TemporaryDirectory(prefix="workbench-segment-") as folder:
        path = Path(folder) / "segment.mp4"
        encode_range(_worker_state["source"].frame, frames, video, path)
        return path.read_bytes()


def worker_pid_task() -> int:
    return os.getpid()


class ClusterSegments:
    """A `SegmentEncoder` on the cluster: each missing segment one task (1 CPU, its encoder
    compute.segment_threads threads); the driver writes the returned bytes under the segment's name."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def encode(self, jobs: list, video: Any, fresh_frames: Callable[[], Any], bar: Any = None) -> None:
        from workbench.files import atomic_path

        if not jobs:
            return
        ray = self.cluster.ray
        self.cluster.release()  # actors of earlier work would hold the CPUs the tasks need
        payload, shipped = pack_frames_source(fresh_frames())
        digest = hashlib.sha256(payload).hexdigest()
        payload_ref, shipped_ref = ray.put(payload), ray.put(shipped)
        task = ray.remote(num_cpus=CPUS_PER_WORKER, max_retries=RETRIES)(encode_segment_task)
        waiting, pending, at_once = deque(jobs), {}, self.cluster.worker_count()

        def feed() -> None:  # at most compute.workers segments at once (default: every CPU busy)
            while waiting and len(pending) < at_once:
                job = waiting.popleft()
                pending[task.remote(payload_ref, shipped_ref, digest, job.frames, video)] = job

        feed()
        try:
            while pending:
                [ready], _ = ray.wait(list(pending), num_returns=1)
                job = pending.pop(ready)
                feed()
                try:
                    content = ray.get(ready)
                except ray.exceptions.RayError as error:
                    raise RuntimeError(f"segment {job.index} of {job.path.parent.name}: {_lost(error)}") from None
                with atomic_path(job.path) as temp:
                    temp.write_bytes(content)
                if bar is not None:
                    bar.update(len(job.frames))
        finally:
            for ref in pending:  # a failed segment or Ctrl-C: the others stop; finished ones stay on disk
                ray.cancel(ref)
