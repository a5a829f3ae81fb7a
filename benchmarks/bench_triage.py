"""How well and how fast triage culls: recall per defect kind, false flags on clean floats, concepts/s.

A labelled set is built from previz floats of every sample kit: clean floats (seeds 1-8), and for
seeds 1-2 of every kit each defect of `triage_defects.DEFECTS` at strengths 0, 1, 2 (1 and 2 are
what a designer rejects). Everything is written into a throw-away campaign and triaged with the real
`triage_campaign` (worker processes, one per core), which gives the speed; then each defect is
decided among its brand's clean floats (as it would sit in a real batch), which gives the rates.

Goals (issue #10): recall >= 95% for every kind at the strengths a designer rejects, <= 5% of clean
floats flagged, 1,000 concepts in under 5 minutes on 2 cores.

    $ .venv/bin/python benchmarks/bench_triage.py              # 768 px, every sample kit
    $ .venv/bin/python benchmarks/bench_triage.py --size 512 --clean-seeds 4
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from triage_defects import DEFECTS, REJECTED_FROM, STRENGTHS, logo_swapped  # noqa: E402
from workbench.backends.previz import PrevizBackend  # noqa: E402
from workbench.campaign import Campaign  # noqa: E402
from workbench.catalog import Catalog, ConceptRecord  # noqa: E402
from workbench.files import save_png  # noqa: E402
from workbench.kits import load_kits  # noqa: E402
from workbench.prompts import PromptTemplate, build_prompt  # noqa: E402
from workbench.triage import triage_campaign  # noqa: E402
from workbench.triage.scoring import decide_brand  # noqa: E402


def build_set(catalog: Catalog, kits: list, size: int, clean_seeds: int, defect_seeds: int) -> dict[str, dict]:
    """Write clean and defective floats as concepts; returns {concept id: label} for each."""
    backend = PrevizBackend()
    labels: dict[str, dict] = {}
    for index, kit in enumerate(kits):
        other = kits[(index + 1) % len(kits)]
        for seed in range(1, clean_seeds + 1):
            concept = backend.generate(kit, build_prompt(kit, PromptTemplate()), seed, {"width": size, "height": size})[0]
            clean_id = f"{kit.slug}-s{seed}"
            _add(catalog, clean_id, kit.slug, seed, concept.image, concept.layout)
            labels[clean_id] = {"brand": kit.slug, "kind": "clean", "strength": None, "of": None}
            if seed > defect_seeds:
                continue
            for kind, inject in DEFECTS.items():
                for strength in STRENGTHS:
                    rng = random.Random(f"{kit.slug}|{seed}|{kind}|{strength}")
                    if kind == "logo_swapped":
                        image = logo_swapped(concept.image, kit, concept.layout, strength, rng, other=other)
                    else:
                        image = inject(concept.image, kit, concept.layout, strength, rng)
                    defect_id = f"{kit.slug}-s{seed}-{kind}-{strength}"
                    _add(catalog, defect_id, kit.slug, seed, image, concept.layout)
                    labels[defect_id] = {"brand": kit.slug, "kind": kind, "strength": strength, "of": clean_id}
    return labels


def _add(catalog: Catalog, concept_id: str, brand: str, seed: int, image, layout) -> None:
    path = catalog.root / "concepts" / brand / f"{concept_id}.png"
    digest = save_png(image, path)
    catalog.add_concept(ConceptRecord(
        concept_id, brand, "previz", "bench", "", "", seed,
        {"layout": {"logo_box": list(layout.logo_box), "banner_box": list(layout.banner_box)}},
        str(path.relative_to(catalog.root)), digest))


def rates(catalog: Catalog, kits: list, labels: dict[str, dict], campaign: Campaign):
    """Decide each defect among its brand's clean floats; (detected, total) per kind and strength,
    flagged clean floats, and a few examples of misses."""
    measures = {concept_id: result.measures for concept_id, result in catalog.triage_results().items()}
    by_kit = {kit.slug: kit for kit in kits}
    clean = defaultdict(list)
    for concept_id, label in labels.items():
        if label["kind"] == "clean":
            clean[label["brand"]].append(concept_id)
    clean_flags = []
    for brand, ids in clean.items():
        decisions = decide_brand({i: measures[i] for i in ids}, by_kit[brand], campaign.triage)
        clean_flags += [(i, d.reasons) for i, d in decisions.items() if d.status == "flagged"]
    counts = defaultdict(lambda: [0, 0])
    misses = defaultdict(list)
    for concept_id, label in labels.items():
        if label["kind"] == "clean":
            continue
        brand = label["brand"]
        batch = {i: measures[i] for i in clean[brand]} | {concept_id: measures[concept_id]}
        decisions = decide_brand(batch, by_kit[brand], campaign.triage)
        mine, original = decisions[concept_id], decisions[label["of"]]
        if label["kind"] == "near_copy":
            caught = mine.duplicate_of == label["of"] or original.duplicate_of == concept_id
        else:
            caught = mine.status == "flagged"
        counts[(label["kind"], label["strength"])][0] += caught
        counts[(label["kind"], label["strength"])][1] += 1
        if not caught:
            misses[label["kind"]].append(f"{concept_id} ({mine.status} {mine.score:.0f})")
    return counts, clean_flags, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=768)
    parser.add_argument("--clean-seeds", type=int, default=8)
    parser.add_argument("--defect-seeds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    kits = list(load_kits(REPO / "brand_kits").kits.values())
    with tempfile.TemporaryDirectory() as folder:
        campaign = Campaign(name="bench-triage", title="Bench", kits_folder=REPO / "brand_kits",
                            renders_folder=Path(folder))
        catalog = Catalog(campaign.catalog_path)
        started = time.perf_counter()
        labels = build_set(catalog, kits, args.size, args.clean_seeds, args.defect_seeds)
        built = time.perf_counter() - started
        started = time.perf_counter()
        report = triage_campaign(campaign, kits, catalog, workers=args.workers, progress=False)
        seconds = time.perf_counter() - started
        counts, clean_flags, misses = rates(catalog, kits, labels, campaign)
        started = time.perf_counter()
        triage_campaign(campaign.with_changes(triage={"auto_reject": 10}), kits, catalog, progress=False)
        redecide = time.perf_counter() - started
    concepts = report.measured
    print(f"labelled set: {len(labels)} floats at {args.size} px from {len(kits)} kits (built in {built:.0f}s)")
    print(f"triage: {concepts} concepts in {seconds:.1f}s = {concepts / seconds:.2f} concepts/s;"
          f" 1,000 concepts would take {1000 / (concepts / seconds):.0f}s (goal < 300s)")
    print(f"re-decide with new thresholds (nothing re-read): {redecide:.2f}s for {concepts} concepts"
          f" ({seconds / redecide:.0f}x faster than measuring)")
    clean_total = sum(1 for label in labels.values() if label["kind"] == "clean")
    print(f"clean floats flagged: {len(clean_flags)} of {clean_total} = {len(clean_flags) / clean_total:.1%} (goal <= 5%)")
    for concept_id, reasons in clean_flags:
        print(f"  {concept_id}: {'; '.join(reasons)}")
    print()
    print(f"{'defect':<16}" + "".join(f"{'strength ' + str(s):>13}" for s in STRENGTHS) + f"{'rejectable':>13}")
    worst = 1.0
    for kind in DEFECTS:
        cells, caught, total = [], 0, 0
        for strength in STRENGTHS:
            hit, count = counts[(kind, strength)]
            cells.append(f"{hit}/{count} {hit / count:>4.0%}")
            if strength >= REJECTED_FROM:
                caught, total = caught + hit, total + count
        worst = min(worst, caught / total)
        print(f"{kind:<16}" + "".join(f"{cell:>13}" for cell in cells) + f"{caught / total:>13.0%}")
    print(f"\nworst recall at rejectable strengths: {worst:.0%} (goal >= 95%)")
    for kind, missed in misses.items():
        print(f"  missed {kind}: {', '.join(missed[:4])}{' ...' if len(missed) > 4 else ''}")


if __name__ == "__main__":
    main()
