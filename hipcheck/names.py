"""Resolving a condition by id, name or alias. Plain data in, plain data out: no pydantic, no I/O.

`content.find_condition` and the cached `explain --json` path both use `resolve_name`, so a name
resolves the same way whether or not the knowledge base was built.
"""

from __future__ import annotations

from collections.abc import Iterable


def normalise_name(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").replace("_", " ").split())


def resolve_name(entries: Iterable[tuple[str, Iterable[str]]], name: str) -> tuple[str | None, list[str]]:
    """`entries`: (condition id, its id, name and aliases), in content order.

    Returns (condition id, []) on a match (case-insensitive, unique prefix or words),
    or (None, suggestions)."""
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
    suggestions: list[str] = []
    for n in close:
        if index[n] not in suggestions:
            suggestions.append(index[n])
    for cid in sorted(partial):
        if cid not in suggestions:
            suggestions.append(cid)
    return None, suggestions[:5]
