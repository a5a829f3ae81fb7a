"""Near-duplicates within a brand: a perceptual hash per concept; the best-scored copy passes.

The hash is taken of the float's own bounding box (so a copy moved or rescaled in the frame hashes
alike) at 256 bits: on previz floats, copies (shifted, rescaled, re-encoded, brightened) measured
0-12 bits apart and different seeds of one body 16 or more.

    >>> near_copies({"a": (measure(first), 90.0), "b": (measure(copy_of_first), 70.0)}, distance=12)
    {'b': 'a'}
"""

from __future__ import annotations

import imagehash
from PIL import Image

from workbench.triage.image import Subject

import numpy as np

GREY = (128, 128, 128)
HASH_SIZE = 16  # 16 x 16 = 256 bits


def measure(subject: Subject) -> str:
    """The pHash (hex) of the float's bounding box over grey (the whole image when it is empty)."""
    image = Image.fromarray(subject.on(GREY))
    rows, columns = np.nonzero(subject.mask)
    if len(rows):
        image = image.crop((int(columns.min()), int(rows.min()), int(columns.max()) + 1, int(rows.max()) + 1))
    return str(imagehash.phash(image, hash_size=HASH_SIZE))


def near_copies(hashes_and_scores: dict[str, tuple[str, float]], distance: int) -> dict[str, str]:
    """{copy: the better concept it copies}: best score first, each concept within `distance` bits of
    one already kept is a copy of that one."""
    kept: list[tuple[str, imagehash.ImageHash]] = []
    copies: dict[str, str] = {}
    ranked = sorted(hashes_and_scores.items(), key=lambda item: (-item[1][1], item[0]))
    for concept_id, (hex_hash, _score) in ranked:
        current = imagehash.hex_to_hash(hex_hash)
        original = next((kept_id for kept_id, kept_hash in kept if current - kept_hash <= distance), None)
        if original is None:
            kept.append((concept_id, current))
        else:
            copies[concept_id] = original
    return copies
