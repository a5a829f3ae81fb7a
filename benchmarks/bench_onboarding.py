"""How fast 50 brands are onboarded: a client's sheet with a folder of logos -> checked kits -> a float each.

The sheet is the one the import tests make (tests/test_onboarding_sheet.py: Chinese and English
names, PNG, SVG and JPEG logos), without its two bad rows and with raster logos at a client's size.
Measured, one after another, in one process:

- check: the whole sheet read and every row checked (logos decoded, a JPEG's background removed,
  palettes from the logo where the sheet has none), nothing written;
- write: every kit folder written atomically;
- validate: `load_kits` over the folder (what `workbench kits validate` runs);
- float: one previz float per kit at the campaign's default size.

Goal (issue 15): under a minute for the whole path on this machine.

    $ .venv/bin/python benchmarks/bench_onboarding.py
    $ .venv/bin/python benchmarks/bench_onboarding.py --rows 20 --logo-scale 4 --size 512
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from test_onboarding_sheet import make_sheet  # noqa: E402
from workbench.backends.previz import PrevizBackend  # noqa: E402
from workbench.kits import load_kits  # noqa: E402
from workbench.onboarding.sheet import check_sheet, write_sheet_kits  # noqa: E402
from workbench.prompts import PromptTemplate, build_prompt  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50, help="brands in the sheet")
    parser.add_argument("--logo-scale", type=int, default=6, help="raster logos this many times 96x64 / 120x80 px")
    parser.add_argument("--size", type=int, default=768, help="px a side of each float")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-onboarding-") as scratch:
        root = Path(scratch)
        sheet, logos = make_sheet(root / "client", rows=args.rows, defects=False, logo_scale=args.logo_scale)
        kinds = sorted(p.suffix for p in logos.iterdir())
        into = root / "brand_kits"
        print(f"sheet: {args.rows} rows, logos: {kinds.count('.png')} PNG, {kinds.count('.svg')} SVG, "
              f"{kinds.count('.jpg')} JPEG (raster at {96 * args.logo_scale}x{64 * args.logo_scale} and "
              f"{120 * args.logo_scale}x{80 * args.logo_scale} px); floats at {args.size} px")

        started = time.perf_counter()
        checked = check_sheet(sheet, logos, into)
        check_seconds = time.perf_counter() - started
        if checked.problems:
            raise SystemExit("\n".join(map(str, checked.problems)))

        started = time.perf_counter()
        written = write_sheet_kits(checked, into)
        write_seconds = time.perf_counter() - started

        started = time.perf_counter()
        report = load_kits(into)
        validate_seconds = time.perf_counter() - started
        assert not report.errors and len(report.kits) == len(written) == args.rows, report.errors

        backend = PrevizBackend()
        per_float = []
        started = time.perf_counter()
        for kit in report.kits.values():
            began = time.perf_counter()
            backend.generate(kit, build_prompt(kit, PromptTemplate()), 1, {"width": args.size, "height": args.size})
            per_float.append(time.perf_counter() - began)
        float_seconds = time.perf_counter() - started

    total = check_seconds + write_seconds + validate_seconds + float_seconds
    count = args.rows
    print(f"{'stage':<10}{'seconds':>10}{'per kit':>12}")
    for name, seconds in (("check", check_seconds), ("write", write_seconds), ("validate", validate_seconds),
                          ("float", float_seconds)):
        print(f"{name:<10}{seconds:>10.2f}{seconds / count * 1000:>10.0f}ms")
    print(f"{'total':<10}{total:>10.2f}{total / count * 1000:>10.0f}ms   (goal: under 60 s for 50 kits)")
    print(f"float per kit: median {statistics.median(per_float) * 1000:.0f} ms, slowest {max(per_float) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
