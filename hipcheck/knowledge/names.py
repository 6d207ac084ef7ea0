"""Resolving a condition by id, name or alias. Plain data in, plain data out: no pydantic, no I/O.

`content.find_condition` and the cached `explain --json` path both use `resolve_name`, so a name
resolves the same way whether or not the knowledge base was built.
"""

from __future__ import annotations

from collections.abc import Iterable

TYPO_RATIO = 0.85  # similarity at which a misspelled name is taken as meant


def normalise_name(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").replace("_", " ").split())


def resolve_name(entries: Iterable[tuple[str, Iterable[str]]], name: str) -> tuple[str | None, list[str]]:
    """`entries`: (condition id, its id, name and aliases), in content order.

    Returns (condition id, []) on a match (case-insensitive; a unique prefix, a unique set of words,
    or an unmistakable typo), or (None, suggested condition ids)."""
    index: dict[str, str] = {}
    for cid, names in entries:
        for n in names:
            index.setdefault(normalise_name(n), cid)
    key = normalise_name(name)
    if key in index:
        return index[key], []
    # A unique prefix or substring of a name is a match too ("trochanteric" → gtps).
    words = set(key.split()) - {"of", "the", "a", "in", "my", "hip"}
    partial = {
        cid for n, cid in index.items() if len(key) >= 3 and (key in n or (words and words <= set(n.split())))
    }
    if len(partial) == 1:
        return partial.pop(), []
    import difflib

    close = difflib.get_close_matches(key, list(index), n=8, cutoff=0.6)
    # A near-certain typo ("bursitus") resolves when every very close name belongs to one condition.
    very_close = {index[n] for n in close if difflib.SequenceMatcher(None, key, n).ratio() >= TYPO_RATIO}
    if len(very_close) == 1 and not partial:
        return very_close.pop(), []
    # Names that contain every word asked for come first; spelling look-alikes only when there are none.
    in_content_order = dict.fromkeys(index.values())
    suggestions = [cid for cid in in_content_order if cid in partial] or list(
        dict.fromkeys(index[n] for n in close)
    )
    return None, suggestions[:5]
