"""Atomic file writes: a file appears whole under its final name, or not at all."""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from PIL import Image, PngImagePlugin


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
