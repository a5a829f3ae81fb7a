"""What a film's layers make to draw with, kept outside them: the layers stay plain values, the render owns this.

    >>> art = ArtCache()
    >>> art.once(("banner", 0), lambda: LowerThird.build(kit, stage)) is art.once(("banner", 0), ...)
    True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class ArtCache:
    """Pieces of art by key, each made the first time it is asked for and kept until forgotten.

    Made on first use, so building a film is quick and the work lands while the encoder is busy with
    earlier frames. With `keep`, only the `keep` most recently made pieces are kept (oldest dropped first).
    """

    def __init__(self, keep: int | None = None) -> None:
        self.keep = keep
        self._made: dict[Hashable, Any] = {}

    def once(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """`make()` the first time `key` is asked for; the kept result after that."""
        if key not in self._made:
            if self.keep is not None and len(self._made) >= self.keep:
                self._made.pop(next(iter(self._made)))
            self._made[key] = make()
        return self._made[key]

    def forget(self, unwanted: Callable[[Hashable], bool]) -> None:
        """Drop every piece whose key is `unwanted` (asked for again, it is made again, the same)."""
        for key in [key for key in list(self._made) if unwanted(key)]:
            self._made.pop(key, None)
