"""Resolving a condition by id, name or alias. Plain data in, plain data out: no pydantic, no I/O.

`loader.find_condition` and the cached `explain --json` path both use `lookup`, so a name resolves the
same way whether or not the knowledge base was built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

TYPO_RATIO = 0.85  # similarity at which a misspelled name is taken as meant
_BRACKET = re.compile(r"\(([^()]*)\)")


class NameMatch(NamedTuple):
    """What a name resolved to: `cid` on a match; else `suggestions`, and `ambiguous` when the name
    belongs to (or is part of the names of) every one of them rather than being merely close."""

    cid: str | None
    suggestions: list[str]
    ambiguous: bool = False


def normalise_name(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").replace("_", " ").split())


def name_parts(name: str) -> list[str]:
    """The names a displayed name is made of, which a reader may type back: the name without its
    brackets, each bracketed name and each of a bracket's comma-separated names, and the parts around
    " / " of each. "Iliopsoas tendinopathy / iliopsoas bursitis (hip flexor tendon pain)" gives the
    name without the bracket, "hip flexor tendon pain", "Iliopsoas tendinopathy", "iliopsoas bursitis"."""
    if "(" not in name and "/" not in name:  # most names and aliases: the same result, without regexes
        plain = " ".join(name.split())
        return [plain] if plain and plain != name else []
    brackets = _BRACKET.findall(name)
    plain = " ".join(_BRACKET.sub(" ", name).split())
    parts = [plain, *brackets, *(p for b in brackets for p in b.split(", "))]
    parts += [p for n in parts for p in n.split(" / ")]
    return [p for p in dict.fromkeys(p.strip() for p in parts) if p and p != name]


def lookup(entries: Iterable[tuple[str, Iterable[str]]], name: str) -> NameMatch:
    """`entries`: (condition id, its id, name and aliases), in content order.

    A match is case-insensitive: a name as given (id, name, alias) or a part of a displayed name (see
    `name_parts`); then a unique prefix, a unique set of words, or an unmistakable typo. A name or part
    that belongs to two conditions resolves to neither: both are suggested, with `ambiguous` set (then
    `suggestions` holds every condition the name could be, in content order; else at most five)."""
    index: dict[str, str] = {}
    exact: dict[str, list[str]] = {}
    for cid, names in entries:
        names = list(names)
        for n in names:
            index.setdefault(normalise_name(n), cid)
        for n in [*names, *(part for whole in names for part in name_parts(whole))]:
            owners = exact.setdefault(normalise_name(n), [])
            if cid not in owners:
                owners.append(cid)
    key = normalise_name(name)
    if key in exact:
        owners = exact[key]
        return NameMatch(owners[0], []) if len(owners) == 1 else NameMatch(None, owners, True)
    # A unique prefix or substring of a name is a match too ("trochanteric" → gtps).
    words = set(key.split()) - {"of", "the", "a", "in", "my", "hip"}
    partial = {
        cid for n, cid in index.items() if len(key) >= 3 and (key in n or (words and words <= set(n.split())))
    }
    if len(partial) == 1:
        return NameMatch(partial.pop(), [])
    import difflib

    close = difflib.get_close_matches(key, list(index), n=8, cutoff=0.6)
    # A near-certain typo ("bursitus") resolves when every very close name belongs to one condition.
    very_close = {index[n] for n in close if difflib.SequenceMatcher(None, key, n).ratio() >= TYPO_RATIO}
    if len(very_close) == 1 and not partial:
        return NameMatch(very_close.pop(), [])
    # Names that contain every word asked for come first; spelling look-alikes only when there are none.
    in_content_order = dict.fromkeys(index.values())
    if partial:
        return NameMatch(None, [cid for cid in in_content_order if cid in partial], True)
    return NameMatch(None, list(dict.fromkeys(index[n] for n in close))[:5])


def resolve_name(entries: Iterable[tuple[str, Iterable[str]]], name: str) -> tuple[str | None, list[str]]:
    """(condition id, []) on a match, or (None, suggested condition ids): `lookup` without the
    `ambiguous` flag."""
    cid, suggestions, _ = lookup(entries, name)
    return cid, suggestions[:5]
