"""What every triage check returns: a sub-score a designer can rank by, whether it failed, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

FAILED_SCORE_FACTOR = 0.5  # a concept with a failed check scores at most half its checks' mean


@dataclass(frozen=True)
class CheckResult:
    """One check's judgement of one concept: `score` 0-100, `failed` flags the concept, `reasons` say why.

        >>> CheckResult(40.0, failed=True, reasons=("logo covered: 40% of it exact at its place",))
    """

    score: float
    failed: bool = False
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {"score": round(self.score, 1), "failed": self.failed, "reasons": list(self.reasons)}


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, value))


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"
