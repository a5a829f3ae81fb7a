"""How triage's judgement of a concept reads to a person, in one place for the gallery, the contact
sheet and the hand-off: the band a score falls in, its short label, the reasons worst first, and the
order "best first".

    >>> band(result), label(result)
    ('good', '87')
    >>> label(duplicate_result)
    'dup'
"""

from __future__ import annotations

from typing import Callable, Iterable, TypeVar

from workbench.catalog import TriageResult
from workbench.i18n import N_, Translator, say, translator

GOOD_SCORE = 70  # from here a passed concept shows green; below, amber
BANDS = ("good", "fair", "flagged", "duplicate")
BAND_COLOURS: dict[str, tuple[int, int, int]] = {
    "good": (38, 140, 86),
    "fair": (196, 132, 20),
    "flagged": (196, 60, 52),
    "duplicate": (112, 96, 160),
}

Item = TypeVar("Item")


def band(result: TriageResult | None) -> str | None:
    """"good", "fair", "flagged" or "duplicate"; None when triage has not seen the concept."""
    if result is None:
        return None
    if result.status in ("flagged", "duplicate"):
        return result.status
    return "good" if result.score >= GOOD_SCORE else "fair"


# Triage's statuses as a person reads them (the catalog stores the English words).
STATUS_NAMES = {"passed": N_("passed"), "flagged": N_("flagged"), "duplicate": N_("duplicate")}
# The checks' names as the detail panel shows them (the catalog's keys are these English words).
CHECK_NAMES = {"lettering": N_("lettering"), "logo": N_("logo"), "product": N_("product"), "palette": N_("palette"),
               "cutout": N_("cut-out"),
               "craft": N_("craft"), "duplicate": N_("duplicate"), "duplicates": N_("duplicates")}


# triage's duplicate reason (workbench.triage.scoring says it too; curate does not import triage, cv2 and all)
COPY_REASON = N_("near-copy of {id}")


def label(result: TriageResult, tr: Translator | None = None) -> str:
    """The badge's text: the score rounded, or "dup" for a near-copy (its own score says little)."""
    tr = tr or translator()
    return tr._("dup") if result.status == "duplicate" else f"{result.score:.0f}"


def caption(result: TriageResult | None, tr: Translator | None = None) -> str:
    """The score as a printed caption says it: "87", "41 flagged", "dup"; empty when not triaged."""
    if result is None:
        return ""
    tr = tr or translator()
    if result.status == "flagged":
        return tr._("{score} flagged").format(score=label(result, tr))
    return label(result, tr)


def status_name(status: str, tr: Translator | None = None) -> str:
    """"passed", "flagged", "duplicate" in the reader's language (an unknown status as it is)."""
    return (tr or translator())._(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def check_name(name: str, tr: Translator | None = None) -> str:
    return (tr or translator())._(CHECK_NAMES[name]) if name in CHECK_NAMES else name


def checks_worst_first(result: TriageResult) -> list[tuple[str, dict]]:
    """(name, check) pairs, the failed checks first, then by sub-score, lowest first (the catalog
    stores them in alphabetical order, which says nothing to a designer)."""
    def worst_first(pair: tuple[str, dict]) -> tuple[bool, float]:
        _name, check = pair
        return not check.get("failed", False), check.get("score", 100)

    return sorted(result.checks.items(), key=worst_first)


def check_reasons(check: dict, tr: Translator | None = None) -> list[str]:
    """One stored check's reasons in the reader's language: said again from their messages and values,
    or, from a catalog triaged before reasons kept them, the English the catalog holds."""
    messages = check.get("messages")
    if not messages or len(messages) != len(check.get("reasons", [])):
        return list(check.get("reasons", []))
    tr = tr or translator()
    return [say(message, values, tr) for message, values in messages]


def reasons_worst_first(result: TriageResult, tr: Translator | None = None) -> list[str]:
    """Every check's reasons, worst check first, in the reader's language: the first reason is the one
    that explains the score best. A near-copy's "near-copy of <id>" leads (written here when triage's
    reasons do not name the original)."""
    tr = tr or translator()
    reasons = [reason for _name, check in checks_worst_first(result) for reason in check_reasons(check, tr)]
    if result.status == "duplicate" and result.duplicate_of:
        copy_reasons = [reason for reason in reasons if result.duplicate_of in reason]
        reasons = (copy_reasons or [say(COPY_REASON, {"id": result.duplicate_of}, tr)]) + [
            reason for reason in reasons if reason not in copy_reasons]
    return reasons


def best_first(items: Iterable[Item], result_of: Callable[[Item], TriageResult | None]) -> list[Item]:
    """The items by triage score, best first; those without a result after them. Ties, and the
    untriaged, keep the order they came in (Python's sort is stable)."""
    def rank(item: Item) -> tuple[bool, float]:
        result = result_of(item)
        return (True, 0.0) if result is None else (False, -result.score)

    return sorted(items, key=rank)
