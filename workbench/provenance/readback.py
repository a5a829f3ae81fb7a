"""Reading a file's labels back: what `workbench provenance show` and `provenance check` print.

    >>> print(read_provenance(Path("renders/festival-demo/films/festival-demo_16x9.mp4")).summary())
    implicit label: Label 1, ContentProducer ..., ProduceID festival-demo_16x9
    visible label: "AI生成" top-right, 5% of the shorter side, opening_and_end
    C2PA: none
    >>> [problem.path.name for problem in check_folder(Path("renders/festival-demo"))]
    []
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.errors import InputError
from workbench.provenance.aigc import AigcLabel, read_digital_source_type, read_label, read_visible_label

LABELLED_SUFFIXES = (".png", ".mp4", ".pdf")


@dataclass(frozen=True)
class ProvenanceReport:
    """What one file says about itself."""

    path: Path
    label: AigcLabel | None
    digital_source_type: str | None
    visible: dict | None  # the visible label's settings, for files that show one
    manifest: object | None  # workbench.provenance.c2pa.ManifestReport, when c2pa could read the file
    problem: str | None = None  # a label that is there but damaged

    @property
    def missing(self) -> list[str]:
        """What a labelled deliverable lacks: the implicit label, or its producer."""
        if self.problem:
            return [self.problem]
        if self.label is None:
            return ["no implicit AI-content label"]
        return [] if self.label.content_producer else ["the implicit label names no ContentProducer"]

    def summary(self) -> str:
        lines = [f"{self.path}"]
        if self.problem:
            lines.append(f"implicit label: unreadable ({self.problem})")
        elif self.label is None:
            lines.append("implicit label: none")
        else:
            lines.append("implicit label (GB 45438-2025, XMP TC260:AIGC):")
            lines += [f"  {key}: {value!r}" for key, value in self.label.as_dict().items()]
        if self.digital_source_type:
            lines.append(f"digital source type (IPTC): {self.digital_source_type}")
        if self.visible:
            lines.append(f"visible label: {json.dumps(self.visible, ensure_ascii=False)}")
        else:
            lines.append("visible label: none in this file (concepts and passes stay inside the workbench)")
        lines.append(self.manifest.summary() if self.manifest is not None else "C2PA: no manifest")
        return "\n".join(lines)


def read_provenance(path: Path, trust_anchors: Path | None = None) -> ProvenanceReport:
    """Both labels and the C2PA manifest of `path`; a damaged label is reported, not raised."""
    if not path.is_file():
        raise InputError(path, "file", "no such file")
    return replace(read_labels(path), manifest=_manifest(path, trust_anchors))


def _manifest(path: Path, trust_anchors: Path | None):
    if path.suffix.lower() not in (".png", ".mp4"):
        return None  # the formats the workbench signs
    from workbench.provenance.c2pa import read_manifest

    report = read_manifest(path, trust_anchors)
    return report if report.present else None


def check_folder(folder: Path) -> list[ProvenanceReport]:
    """Every PNG, MP4 and PDF under `folder` that lacks a readable implicit label or its producer.

    Hidden folders (a render's unfinished segments, caches) are passed over: they are not deliverables.
    """
    if not folder.is_dir():
        raise InputError(folder, "folder", "no such folder")
    lacking = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.suffix.lower() not in LABELLED_SUFFIXES:
            continue
        if not path.is_file() or path.is_symlink():
            continue
        report = read_labels(path)
        if report.missing:
            lacking.append(report)
    return lacking


def read_labels(path: Path) -> ProvenanceReport:
    """The labels alone, without the C2PA manifest (quick: a folder check does not validate every signature)."""
    try:
        return ProvenanceReport(path, read_label(path), read_digital_source_type(path), read_visible_label(path), None)
    except InputError as error:
        return ProvenanceReport(path, None, None, None, None, str(error))
