"""Refresh the README's pictures from the demo: one hold frame per film aspect and the poster of the kit
with a product, small PNGs in docs/.

Run after `make demo`:  .venv/bin/python scripts/refresh_docs.py
(docs/gallery.png comes from the browser test's screenshot of 03_curate.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from workbench.campaign import load_campaign
from workbench.files import atomic_path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = {"16:9": 960, "9:16": 360}
POSTER = ("golden-rabbit-bakery", "poster", 360)  # the sample kit with a product; the width in docs/


def hold_frame(film: Path, brand_index: int = 1) -> Image.Image:
    """The frame in the middle of one brand's hold, as the manifest places it."""
    manifest = json.loads(film.with_suffix(".json").read_text(encoding="utf-8"))
    brands = [s for s in manifest["segments"] if s["kind"] == "brand"]
    segment = brands[min(brand_index, len(brands) - 1)]
    moment = (segment["hold_start"] + segment["hold_end"]) / 2
    png = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{moment:.3f}", "-i", str(film), "-frames:v", "1",
                          "-f", "image2pipe", "-vcodec", "png", "-"], check=True, capture_output=True).stdout
    from io import BytesIO

    return Image.open(BytesIO(png)).convert("RGB")


def main() -> int:
    campaign = load_campaign(ROOT / "campaigns" / "demo.yaml")
    for aspect, width in WIDTHS.items():
        film = campaign.films_dir / f"{campaign.name}_{aspect.replace(':', 'x')}.mp4"
        if not film.is_file():
            print(f"missing {film}: run `make demo` first", file=sys.stderr)
            return 1
        save_small(hold_frame(film), width, ROOT / "docs" / f"film_{aspect.replace(':', 'x')}.png")
    slug, name, width = POSTER
    poster = campaign.visuals_dir / slug / f"{slug}_{name}.png"
    if not poster.is_file():
        print(f"missing {poster}: run `make demo` first", file=sys.stderr)
        return 1
    with Image.open(poster) as image:
        save_small(image.convert("RGB"), width, ROOT / "docs" / f"visual_{name}.png")
    return 0


def save_small(image: Image.Image, width: int, out: Path) -> None:
    image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    with atomic_path(out) as temp:
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(temp, format="PNG", optimize=True)
    print(out)


if __name__ == "__main__":
    sys.exit(main())
