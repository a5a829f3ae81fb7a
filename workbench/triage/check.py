"""What every triage check returns: a sub-score a designer can rank by, whether it failed, and why.

A reason is said in English where it is made (it is stored in the catalog, joined into the CSV and
review rows as it always was) and keeps its message and values, so the gallery says it again in
its own language (`workbench.i18n.say`):

    >>> reason = Reason(N_("logo covered or altered: {share} of it exact at its place"), share="40%")
    >>> str(reason), reason.message, reason.values
    ('logo covered or altered: 40% of it exact at its place', 'logo covered or altered: {share} of it exact at its place', {'share': '40%'})
    >>> say(reason.message, reason.values, translator("zh_CN"))
    '标志被遮挡或改动：原位置上只有 40% 与原标志一致'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.i18n import say, translator

FAILED_SCORE_FACTOR = 0.5  # a concept with a failed check scores at most half its checks' mean


class Reason(str):
    """One reason, the English sentence itself (a `str`), with the `message` it was said from (an English
    msgid with {named} fields, marked N_ where it is written) and its `values`: numbers, ids, colours and
    read text as they are shown; a list value is words (N_-marked) said in the reader's language, joined."""

    message: str
    values: dict[str, Any]

    def __new__(cls, message: str, **values: Any) -> "Reason":
        reason = super().__new__(cls, say(message, values, translator("en")))
        reason.message, reason.values = message, values
        return reason

    def __reduce__(self):  # pickled and copied as its message and values, not as the finished sentence
        return _reason, (self.message, self.values)

    def as_message(self) -> list:
        """[message, values]: what the catalog stores to say the reason again in another language."""
        return [self.message, dict(self.values)]


def _reason(message: str, values: dict[str, Any]) -> Reason:
    return Reason(message, **values)


@dataclass(frozen=True)
class CheckResult:
    """One check's judgement of one concept: `score` 0-100, `failed` flags the concept, `reasons` say why.

        >>> CheckResult(40.0, failed=True, reasons=(Reason(N_("logo covered or altered: {share} of it exact at its place"), share="40%"),))
    """

    score: float
    failed: bool = False
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        """The catalog's form: "reasons" in English, "messages" the same reasons to say in another language
        (a reason made as a plain string has none: it is shown as it is)."""
        data = {"score": round(self.score, 1), "failed": self.failed, "reasons": [str(reason) for reason in self.reasons]}
        if self.reasons and all(isinstance(reason, Reason) for reason in self.reasons):
            data["messages"] = [reason.as_message() for reason in self.reasons]
        return data


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, value))


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"
