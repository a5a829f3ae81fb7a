"""Lettering: the brand's name read back off the banner, and no other text on the float.

Image models draw pseudo-lettering, and can misspell or drop a name; OCR reads what is really
there. Text inside the logo's box is the logo's own shapes (a mark can read as "小J"), the tagline
is expected text, and single characters or low-confidence reads are decorations (a star, a knot
read as "回"), so none of those count as stray text.

    >>> measures = measure(subject, reader)
    >>> judge(measures, kit, layout, logo_box, thresholds).reasons
    ("stray text 'QWERTY' (94%) on the float",)
"""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from typing import Any

from workbench.kits import BrandKit
from workbench.i18n import N_
from workbench.triage.check import CheckResult, Reason, clamp, percent
from workbench.marks import Box, FloatLayout
from workbench.triage.image import Subject, grown, overlap, scaled
from workbench.triage.ocr import READ_LONG_SIDE, TextLine, TextReader

WHITE = (255, 255, 255)
LONGEST_NAME_LINES = 3  # a long name may break over up to three banner lines
STRAY_PENALTY = 40  # sub-score points per stray line


def measure(subject: Subject, reader: TextReader) -> dict[str, Any]:
    """Every line OCR reads on the float (over white, long side READ_LONG_SIDE: a small float is
    enlarged so its banner lettering is tall enough to read), boxes in the float's pixels."""
    small, scale = scaled(subject.on(WHITE), READ_LONG_SIDE, enlarge=True)
    lines = reader.read(small)
    return {"lines": [[line.text, round(line.confidence, 3), [round(v / scale) for v in line.box]] for line in lines]}


def judge(measures: dict[str, Any], kit: BrandKit, layout: FloatLayout | None, logo_box: Box | None, thresholds) -> CheckResult:
    lines = [TextLine(text, confidence, tuple(box)) for text, confidence, box in measures["lines"]]
    lines.sort(key=lambda line: (line.box[1], line.box[0]))  # reading order
    if layout is not None:
        banner = grown(layout.banner_box, 0.1)
        candidates = [line for line in lines if overlap(line.box, banner) >= 0.5]
    else:  # a concept made elsewhere: the name may be anywhere
        candidates = lines
    names = [name for name in (kit.display_name, kit.latin_name) if name]
    similarity, best_read, used = _best_name_match(candidates, names)
    reasons = []
    name_score = 100.0
    if similarity < thresholds.name_similarity:
        name_score = 100 * similarity * 0.6
        if best_read:
            message = (N_("name {name} not read on the banner (best read '{read}', {share} alike)") if layout is not None
                       else N_("name {name} not read on the float (best read '{read}', {share} alike)"))
        else:
            message = (N_("name {name} not read on the banner (no lettering read there)") if layout is not None
                       else N_("name {name} not read on the float (no lettering read there)"))
        reasons.append(Reason(message, name=kit.display_name, **(
            {"read": best_read, "share": percent(similarity)} if best_read else {})))
    expected = [normalise(text) for text in (*names, kit.tagline) if text]
    strays = [line for line in lines
              if line not in used and _is_stray(line, expected, logo_box, thresholds)]
    reasons += [Reason(N_("stray text '{text}' ({share}) on the float"), text=line.text, share=percent(line.confidence))
                for line in strays]
    score = min(name_score, clamp(100 - STRAY_PENALTY * len(strays) - (10 if strays else 0)))
    return CheckResult(score, failed=similarity < thresholds.name_similarity or bool(strays), reasons=tuple(reasons))


def normalise(text: str) -> str:
    """Letters and digits only, case-folded, full-width forms folded (so 'Ｔｅａ·House' ~ 'teahouse')."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def similarity(read: str, expected: str) -> float:
    """How alike two texts are after `normalise`, 0-1 (1 when identical)."""
    left, right = normalise(read), normalise(expected)
    if not left or not right:
        return 0.0
    return SequenceMatcher(None, left, right, autojunk=False).ratio()


def letters(text: str) -> int:
    """Letters of any script (a CJK character counts as one); digits and symbols do not."""
    return sum(1 for ch in text if ch.isalpha())


def _best_name_match(lines: list[TextLine], names: list[str]) -> tuple[float, str, list[TextLine]]:
    """The run of consecutive lines that reads most like one of the names: (similarity, text, lines)."""
    best: tuple[float, str, list[TextLine]] = (0.0, "", [])
    for start in range(len(lines)):
        for count in range(1, LONGEST_NAME_LINES + 1):
            run = lines[start:start + count]
            if len(run) < count:
                break
            text = " ".join(line.text for line in run)
            for name in names:
                alike = similarity(text, name)
                if alike > best[0]:
                    best = (alike, text, run)
    return best


def _is_stray(line: TextLine, expected: list[str], logo_box: Box | None, thresholds) -> bool:
    if line.confidence < thresholds.stray_text_confidence or letters(line.text) < thresholds.stray_text_letters:
        return False  # decorations read as a character or two, or reads the model is unsure of
    if logo_box is not None and overlap(line.box, grown(logo_box, 0.15)) >= 0.5:
        return False  # the logo's own shapes
    read = normalise(line.text)
    for text in expected:  # the name or tagline, whole or in part (a line break splits them)
        if read and (read in text or SequenceMatcher(None, read, text, autojunk=False).ratio() >= 0.7):
            return False
    return True
