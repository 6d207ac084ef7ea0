"""hipcheck: an offline terminal symptom checker for runners whose hip hurts.

The Python API (see hipcheck/api.py and the README):

    from hipcheck import load_knowledge, triage, triage_many

Its names are loaded on first use, so `hipcheck --version` and the fast CLI paths do not pay for them.
The package is typed (py.typed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from hipcheck.api import (
        AnswerError,
        ContentError,
        Knowledge,
        TriageBrief,
        TriageResult,
        condition,
        conditions,
        load_knowledge,
        questions,
        triage,
        triage_brief,
        triage_many,
    )

__all__ = [
    "AnswerError",
    "ContentError",
    "Knowledge",
    "TriageBrief",
    "TriageResult",
    "__version__",
    "condition",
    "conditions",
    "load_knowledge",
    "questions",
    "triage",
    "triage_brief",
    "triage_many",
]


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def __getattr__(name: str) -> Any:
    if name in __all__:
        from hipcheck import api

        return getattr(api, name)
    raise AttributeError(f"module 'hipcheck' has no attribute {name!r}")
