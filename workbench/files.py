"""Atomic file writes, and checking that a file is still the one that was recorded.

A file appears whole under its final name, or not at all: it is written to a hidden temp file beside
it (`.<stem>.<random><suffix>.part`) and renamed. A writer killed part-way leaves its temp file
behind; `remove_stale_parts` clears such leftovers on a later run.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from PIL import Image, PngImagePlugin

from workbench.errors import InputError

# A temp file untouched for this long belongs to a writer that is gone: live writers (a PNG save, an
# ffmpeg encode) touch theirs continuously. Age, not a process id, decides, because a campaign folder
# may be shared between machines, where another machine's writer has a process id we cannot check.
STALE_PART_SECONDS = 3600
REMAKE_HINT = "`workbench generate` makes it again (re-import it if it was imported)"


@contextmanager
def atomic_path(final: Path | str) -> Iterator[Path]:
    """Yield a temp path in the same folder; rename it onto `final` only if the block succeeds."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=final.suffix + ".part", dir=final.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; the final file gets the usual mode
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)


def remove_stale_parts(folder: Path | str, older_than: float = STALE_PART_SECONDS) -> list[Path]:
    """Delete the temp files of `atomic_path` in `folder` untouched for `older_than` seconds (a killed
    writer's leftovers); return what was deleted. Temp files of writers still at work are left alone."""
    cutoff = time.time() - older_than
    removed = []
    for temp in Path(folder).glob(".*.part"):
        try:
            if temp.is_file() and temp.stat().st_mtime < cutoff:
                temp.unlink()
                removed.append(temp)
        except FileNotFoundError:  # another run cleared it first
            continue
    return removed


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def save_png(image: Image.Image, path: Path | str, text: dict[str, str] | None = None) -> str:
    """Write a PNG atomically with text chunks; return the sha256 of the bytes written."""
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_itxt(key, value)
    with atomic_path(path) as temp:
        image.save(temp, format="PNG", pnginfo=info)
        return file_hash(temp)


def file_hash(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Checking recorded files ---------------------------------------------------------------------------


class ConceptFileError(InputError):
    """A concept's image file is missing, unreadable, or not the file its catalog row records."""


class FileHashes:
    """sha256 of files, each read once while its path, size and modification time stay the same.

    Made for one call (a render, an export, a hand-off) and dropped with it, so a file changed between
    two calls is always read again.

        >>> hashes = FileHashes()
        >>> hashes(path) == hashes(path)  # the second answer is remembered, not read
        True
    """

    def __init__(self) -> None:
        self._digests: dict[tuple[str, int, int], str] = {}

    def __call__(self, path: Path | str) -> str:
        status = os.stat(path)
        key = (os.path.abspath(path), status.st_size, status.st_mtime_ns)
        if key not in self._digests:
            self._digests[key] = file_hash(path)
        return self._digests[key]


def check_concept_file(path: Path, concept_id: str, content_hash: str, hashes: FileHashes) -> Path:
    """`path`, when it is the very file the catalog recorded for the concept (same sha256); else a
    ConceptFileError naming the file: missing, unreadable, or changed (swapped for another, cut short)."""
    if not path.is_file():
        raise ConceptFileError(path, "image", f"concept {concept_id!r} has no image file; {REMAKE_HINT}")
    try:
        digest = hashes(path)
    except OSError as error:
        raise ConceptFileError(path, "image", f"concept {concept_id!r}: cannot read the file "
                                              f"({error.strerror or error}); {REMAKE_HINT}") from None
    if digest != content_hash:
        raise ConceptFileError(path, "content_hash", f"concept {concept_id!r} is not the image the catalog recorded"
                                                     f" (it was changed, replaced or cut short); {REMAKE_HINT}")
    return path


@contextmanager
def reading_concept_image(path: Path, concept_id: str) -> Iterator[None]:
    """Decoding errors of a concept's image (truncated, not an image, too many pixels) as one ConceptFileError."""
    try:
        yield
    except (OSError, SyntaxError, Image.DecompressionBombError) as error:  # Pillow's broken-PNG errors included
        raise ConceptFileError(path, "image", f"concept {concept_id!r} is not a readable image ({error});"
                                              f" {REMAKE_HINT}") from None


# A full disk ---------------------------------------------------------------------------------------


class DiskFull(InputError):
    """The disk filled up while writing. An InputError so that the command line reports it in one line
    (exit code 2): the remedy is the person's (free some space), not a bug to trace."""


NO_SPACE_MESSAGE = os.strerror(errno.ENOSPC)  # "No space left on device", as ffmpeg prints it too


def is_disk_full(error: BaseException) -> bool:
    """True for an OSError from a full disk or an exhausted quota (also when only its message says so)."""
    return isinstance(error, OSError) and (
        error.errno in (errno.ENOSPC, errno.EDQUOT) or NO_SPACE_MESSAGE in str(error))
