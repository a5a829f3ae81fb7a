"""Where a float's brand marks sit: the logo's box, the name banner's box and the product's box, in pixels.

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


@dataclass(frozen=True, repr=False)
class FloatLayout:
    """Where the brand marks sit on a float image, in pixels (left, top, right, bottom); `product_box`
    only for a kit with a product (the first of its `products`)."""

    logo_box: Box
    banner_box: Box
    product_box: Box | None = None

    def __repr__(self) -> str:
        product = f", product_box={self.product_box}" if self.product_box is not None else ""
        return f"FloatLayout(logo_box={self.logo_box}, banner_box={self.banner_box}{product})"

    def as_settings(self) -> dict[str, list[int]]:
        """The JSON form kept in a concept's settings under "layout"."""
        settings = {"logo_box": list(self.logo_box), "banner_box": list(self.banner_box)}
        if self.product_box is not None:  # absent otherwise: a float without a product records what it did
            settings["product_box"] = list(self.product_box)
        return settings

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> "FloatLayout | None":
        """The layout recorded in a concept's settings, or None (a concept made elsewhere has none)."""
        layout = settings.get("layout")
        if not isinstance(layout, dict) or "logo_box" not in layout or "banner_box" not in layout:
            return None
        product = layout.get("product_box")
        return cls(tuple(int(v) for v in layout["logo_box"]), tuple(int(v) for v in layout["banner_box"]),
                   tuple(int(v) for v in product) if product else None)
