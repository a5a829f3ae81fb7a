"""Where a float's brand marks sit: the logo's box and the name banner's box, in pixels.

Previz plans it, finishing draws the exact marks into it, generate records it in a concept's
settings, and triage checks the marks are there. This module is that one fact, and its record.

    >>> layout = FloatLayout((292, 212, 476, 396), (78, 503, 690, 610))
    >>> FloatLayout.from_settings({"layout": layout.as_settings()}) == layout
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Box = tuple[int, int, int, int]  # left, top, right, bottom


@dataclass(frozen=True)
class FloatLayout:
    """Where the brand marks sit on a float image, in pixels (left, top, right, bottom)."""

    logo_box: Box
    banner_box: Box

    def as_settings(self) -> dict[str, list[int]]:
        """The JSON form kept in a concept's settings under "layout"."""
        return {"logo_box": list(self.logo_box), "banner_box": list(self.banner_box)}

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> "FloatLayout | None":
        """The layout recorded in a concept's settings, or None (a concept made elsewhere has none)."""
        layout = settings.get("layout")
        if not isinstance(layout, dict) or "logo_box" not in layout or "banner_box" not in layout:
            return None
        return cls(tuple(int(v) for v in layout["logo_box"]), tuple(int(v) for v in layout["banner_box"]))
