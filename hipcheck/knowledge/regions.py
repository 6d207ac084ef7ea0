"""Regions: which emergency number and services the advice names. Pure, and light (no pydantic): the
`--json` views of `explain` use it from the content cache.

Content text names no service itself; it writes placeholders (`{emergency_number}`,
`{emergency_department}`, `{urgent_care}`, `{advice_line}`), and `fill_text` fills them from a region's
values (content/regions.toml). `for_region` (knowledge/loader.py) fills a whole knowledge base this way,
so the engine, the screens and the plans see only finished text. Choosing the region (`choose`) reads
what it is given: the command line's value, the environment, the regions' territories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

PLACEHOLDERS = ("emergency_number", "emergency_department", "urgent_care", "advice_line")
REGION_ENV_VAR = "HIPCHECK_REGION"
REGIONS_FILE = "regions.toml"
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")  # the first one set decides, as in POSIX

# A placeholder, with the space before it: an empty value (a region without an advice line) takes its
# space with it, so no double space is left.
_PLACEHOLDER = re.compile(r"( ?)\{(" + "|".join(PLACEHOLDERS) + r")\}")
# "language_TERRITORY" with an optional ".codeset" and "@modifier": en_US.UTF-8, de_DE@euro, en_GB
_LOCALE = re.compile(r"^[A-Za-z]{2,3}_([A-Za-z]{2})(?:[.@]|$)")

# The literal UK services that content outside regions.toml must not name (it writes a placeholder).
# Whole numbers only: 1999 (a year) or 10.1111 (a DOI) are not 999 or 111.
UK_SERVICES = re.compile(r"(?<![\w.])(?:999|111)(?![\w])|\bA&E\b|\bNHS 111\b")
UK_SERVICE_PLACEHOLDER = {"999": "{emergency_number}", "A&E": "{emergency_department}"}


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """`text` with each region placeholder replaced by its value in `values` (placeholder name → text);
    other braces (`{count}`, `{days}`: filled later by their own code) are left alone."""
    if "{" not in text:
        return text

    def value(m: re.Match) -> str:
        filled = values.get(m[2], "")
        return m[1] + filled if filled else ""

    return _PLACEHOLDER.sub(value, text)


def placeholders_in(text: str) -> list[str]:
    return [m[2] for m in _PLACEHOLDER.finditer(text)]


def fill_data(data: object, values: Mapping[str, str]) -> object:
    """Any parsed TOML or JSON value with every string filled; unchanged parts are the same objects."""
    if isinstance(data, str):
        return fill_text(data, values)
    if isinstance(data, list):
        items = [fill_data(x, values) for x in data]
        return items if any(a is not b for a, b in zip(items, data, strict=True)) else data
    if isinstance(data, dict):
        pairs = {k: fill_data(v, values) for k, v in data.items()}
        return pairs if any(pairs[k] is not v for k, v in data.items()) else data
    return data


def locale_territory(env: Mapping[str, str]) -> str | None:
    """The territory of the locale in `env` (en_US.UTF-8 → US), or None (C, POSIX, unset, no territory).
    The first of LC_ALL, LC_MESSAGES and LANG that is set decides, as for the C library."""
    for var in LOCALE_VARS:
        value = env.get(var)
        if value:
            m = _LOCALE.match(value)
            return m[1].upper() if m else None
    return None


class RegionChoiceError(ValueError):
    """A region code that names no region: the message is one line with the valid choices."""


def resolve_code(text: str, regions: Iterable[tuple[str, Iterable[str]]]) -> str | None:
    """The region code `text` names (its code or an alias, any case), or None."""
    wanted = text.strip().upper()
    for code, aliases in regions:
        if wanted == code.upper() or wanted in {a.upper() for a in aliases}:
            return code
    return None


def choose(
    flag: str | None,
    env: Mapping[str, str],
    regions: list[tuple[str, list[str], list[str]]],
    unknown: str,
    flag_name: str = "--region",
) -> tuple[str, str]:
    """(region code, how it was chosen) from `--region` (`flag`), else HIPCHECK_REGION, else the
    locale's territory, else `unknown`. `regions`: (code, aliases, territories) each. A flag or variable
    that names no region raises RegionChoiceError: a runner who asked for a region must not be given
    another one's numbers unnoticed."""
    named = [(code, aliases) for code, aliases, _ in regions]
    for given, where in ((flag, flag_name), (env.get(REGION_ENV_VAR), REGION_ENV_VAR)):
        if given is None or (where == REGION_ENV_VAR and not given.strip()):
            continue
        code = resolve_code(given, named)
        if code is None:
            choices = ", ".join(code for code, _ in named)
            raise RegionChoiceError(f"unknown region '{given[:40]}' ({where}); choose one of: {choices}")
        return code, where
    territory = locale_territory(env)
    if territory is not None:
        for code, _, territories in regions:
            if territory in {t.upper() for t in territories}:
                return code, "locale"
    return unknown, "default"
