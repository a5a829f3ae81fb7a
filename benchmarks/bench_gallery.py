"""How fast the gallery answers on a 1,000-concept, 50-brand campaign.

Measured in the Python process that a kernel (JupyterLab or Voila) runs, with the real widgets
(no browser: the time to draw in the browser is the browser tests' business):

- first page: open the catalog, build the `Gallery` model and the `GalleryView` with its first page
  of 12 cards: with no thumbnails cached yet (each drawn once from the full image), and cached;
- change page: "Next" on a page never seen (thumbnails drawn) and on a page seen before (cached);
- verdict -> committed row: a click on Approve until another connection to the catalog (another
  reviewer) reads the new row; and `Catalog.review` alone.

Goals (issue #5): first page under 1 s, a verdict committed under 50 ms.

    $ .venv/bin/python benchmarks/bench_gallery.py
    $ .venv/bin/python benchmarks/bench_gallery.py --concepts 200 --brands 10 --size 512
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.catalog import Catalog, ConceptRecord  # noqa: E402
from workbench.curate.gallery import Gallery  # noqa: E402
from workbench.curate.widgets import GalleryView  # noqa: E402
from workbench.files import save_png  # noqa: E402


def make_campaign(root: Path, concepts: int, brands: int, size: int) -> Path:
    """`concepts` float-like RGBA images spread over `brands` brands, and their catalog rows."""
    path = root / "catalog.sqlite"
    with Catalog(path) as catalog:
        for index in range(concepts):
            brand, seed = f"brand-{index % brands:02d}", 1 + index // brands
            image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
            draw = ImageDraw.Draw(image)
            hue = (index * 37) % 255
            draw.rounded_rectangle([size // 8, size // 2, size * 7 // 8, size * 7 // 8], radius=size // 16,
                                   fill=(hue, 120, 255 - hue, 255))
            draw.ellipse([size // 3, size // 6, size * 2 // 3, size // 2], fill=(255, hue, 90, 255))
            relative = Path("concepts") / brand / f"{brand}-s{seed}.png"
            digest = save_png(image, root / relative)
            catalog.add_concept(ConceptRecord(f"{brand}-s{seed}", brand, "previz", "bench", f"a float for {brand}",
                                              "", seed, {"width": size, "height": size}, str(relative), digest))
    return path


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def open_view(catalog_path: Path) -> GalleryView:
    catalog = Catalog(catalog_path)
    return GalleryView(Gallery(catalog, reviewer="bench", page_size=12))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concepts", type=int, default=1000)
    parser.add_argument("--brands", type=int, default=50)
    parser.add_argument("--size", type=int, default=768, help="concept image size in pixels")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        started = time.perf_counter()
        catalog_path = make_campaign(root, args.concepts, args.brands, args.size)
        print(f"campaign: {args.concepts} concepts over {args.brands} brands, {args.size} px images "
              f"(made in {time.perf_counter() - started:.1f}s)")

        cold_first = timed(lambda: open_view(catalog_path))
        warm_first = [timed(lambda: open_view(catalog_path)) for _ in range(5)]

        view = open_view(catalog_path)
        cold_pages = [timed(view.next.click) for _ in range(args.repeats)]  # pages 2..: never seen
        view.gallery.go_to_page(0)
        view.draw()
        warm_pages = [timed(view.next.click) for _ in range(args.repeats)]  # the same pages again

        reader = sqlite3.connect(catalog_path)  # another reviewer's connection
        committed = []
        for index in range(args.repeats):
            slot = view.slots[index % len(view.slots)]
            before = reader.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
            started = time.perf_counter()
            (slot.approve if index % 2 else slot.reject).click()
            seen = reader.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
            committed.append(time.perf_counter() - started)
            assert seen == before + 1, "the row was not committed when the click returned"
        catalog = view.gallery.catalog
        ids = [item.id for item in view.gallery.page_items()]
        review_only = [timed(lambda i=i: catalog.review(ids[i % len(ids)], "approved", reviewer="bench"))
                       for i in range(args.repeats)]

    def ms(values) -> str:
        values = values if isinstance(values, list) else [values]
        return f"median {statistics.median(values) * 1000:7.1f} ms, max {max(values) * 1000:7.1f} ms"

    print(f"first page, no thumbnails cached     {ms(cold_first)}")
    print(f"first page, thumbnails cached        {ms(warm_first)}")
    print(f"next page, thumbnails drawn          {ms(cold_pages)}")
    print(f"next page, thumbnails cached         {ms(warm_pages)}")
    print(f"verdict click -> row seen by another {ms(committed)}")
    print(f"Catalog.review alone                 {ms(review_only)}")
    goal_first = max(cold_first, *warm_first) < 1.0
    goal_verdict = statistics.median(committed) < 0.050
    print(f"goals: first page < 1 s: {'yes' if goal_first else 'NO'}; verdict committed < 50 ms: "
          f"{'yes' if goal_verdict else 'NO'}")


if __name__ == "__main__":
    main()
