"""The command-line input of `hipcheck log` and `hipcheck history`: parsing it, with one-line errors,
and the exits when hipcheck cannot ask for it or the user interrupts. Also the global options that
every command accepts after its name too (`AfterContent`, `AfterNoColor`), shared by commands/app.py.

Light on purpose: nothing heavy is imported at module level.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from hipcheck.commands.common import Exit, fail, state
from hipcheck.knowledge.text import escape

SIDE_CHOICES = ("left", "right", "both")


# --------------------------------------------------------------------------- global options after the command

# `hipcheck --content DIR explain x` and `hipcheck explain x --content DIR` both work: the root callback
# reads the first, each command's own option the second (it runs later, so it wins). Each command
# declares them as `content: AfterContent = None, no_color: AfterNoColor = False`; the callbacks set
# the shared state, and the command never sees the values (expose_value=False).
GLOBAL_PANEL = "Global options"


def _after_content(value: Path | None) -> None:
    if value is not None:
        state.content_dir = value


def _after_no_color(value: bool) -> None:
    if value:
        state.no_color = True


AfterContent = Annotated[
    Path | None,
    typer.Option(
        "--content",
        metavar="DIR",
        callback=_after_content,
        expose_value=False,
        show_default=False,
        rich_help_panel=GLOBAL_PANEL,
        help="Use another content directory (also before the command, or HIPCHECK_CONTENT=DIR).",
    ),
]
AfterNoColor = Annotated[
    bool,
    typer.Option(
        "--no-color",
        callback=_after_no_color,
        expose_value=False,
        rich_help_panel=GLOBAL_PANEL,
        help="No colour (also before the command, or NO_COLOR=1, TERM=dumb).",
    ),
]


def _after_region(value: str | None) -> None:
    if value is not None:
        state.region = value


REGION_HELP = (
    "Name the emergency number and services of this region: GB, IE, US, CA, AU, NZ, EU, or INTL for "
    "anywhere else (also before the command, or HIPCHECK_REGION=CODE; default: from the locale)."
)
AfterRegion = Annotated[
    str | None,
    typer.Option(
        "--region",
        metavar="CODE",
        callback=_after_region,
        expose_value=False,
        show_default=False,
        rich_help_panel=GLOBAL_PANEL,
        help=REGION_HELP,
    ),
]


def _digits(text: str) -> bool:
    """Only the ASCII digits 0-9: not ², ٣ or １０, which str.isdigit (and int) would take."""
    return text.isascii() and text.isdigit()


def shown(text: str, limit: int = 40) -> str:
    """User input quoted in an error: control characters escaped, cut short when long."""

    t = escape(text)
    return t if len(t) <= limit else t[: limit - 1] + "…"


def is_pain_score(text: str) -> bool:
    """A whole number from 0 to 10 in ASCII digits (surrounding spaces allowed)."""
    t = text.strip()
    return _digits(t) and len(t) <= 3 and 0 <= int(t) <= 10


def parse_day(text: str, option: str, today: date, relative: bool = False) -> date:
    """YYYY-MM-DD, today, yesterday (and with `relative`, 14d or 3w back): a day from 1900 to today."""
    from hipcheck.history.models import EARLIEST_DAY

    t = text.strip().lower()
    extra = ", a number of days or weeks back (14d, 3w)" if relative else ""
    not_a_date = f"{option}: '{shown(text)}' is not a date; use YYYY-MM-DD, today, yesterday{extra}"
    too_early = f"{option} '{shown(text)}' is before {EARLIEST_DAY.year}; check the date"
    if t == "today":
        day = today
    elif t == "yesterday":
        day = today - timedelta(days=1)
    elif relative and len(t) >= 2 and _digits(t[:-1]) and t[-1] in "dw":
        back = int(t[:-1]) * (7 if t[-1] == "w" else 1) if len(t) <= 8 else None
        if back is None or back > (today - EARLIEST_DAY).days:
            fail(too_early)
        day = today - timedelta(days=back)
    else:
        if not t.isascii() or not (len(t) == 10 and t[4] == "-" and t[7] == "-"):
            fail(not_a_date)
        try:
            day = date.fromisoformat(t)
        except ValueError:
            fail(not_a_date)
    if day > today:
        fail(f"{option} {day.isoformat()} is in the future (today is {today.isoformat()})")
    if day < EARLIEST_DAY:
        fail(too_early)
    return day


def parse_pain(text: str) -> int:
    if not is_pain_score(text):
        fail(f"--pain must be a whole number from 0 to 10, got '{shown(text)}'")
    return int(text.strip())


def parse_score(text: str, option: str) -> int:
    """A 0-10 pain score given to `option` (--during, --morning)."""
    if not is_pain_score(text):
        fail(f"{option} must be a whole number from 0 to 10, got '{shown(text)}'")
    return int(text.strip())


def parse_id(text: str, option: str) -> int:
    """A record id as `hipcheck history` shows it (12 or #12)."""
    t = text.strip().removeprefix("#")
    if not _digits(t) or len(t) > 18:
        fail(f"{option} takes a check-in id as `hipcheck history` shows it (such as 12), got '{shown(text)}'")
    return int(t)


def parse_km(text: str) -> float:
    import math

    from hipcheck.history.store import MAX_KM

    km = parse_distance(text)
    if km is None or not math.isfinite(km):
        fail(f"--ran must be a distance in km, such as 8 or 10.5, got '{shown(text)}'")
    if km < 0:
        fail(f"--ran cannot be negative, got {km:g}")
    if km > MAX_KM:
        fail(f"--ran {km:g} km is more than {MAX_KM:g} km in a day; check the number")
    return km


def parse_distance(text: str) -> float | None:
    """A distance in km written with ASCII digits (8, 10.5, 12km); None when it is not one."""
    t = text.strip().lower().removesuffix("km").strip()
    if not t.isascii() or len(t) > 20 or "_" in t:
        return None
    try:
        return float(t)
    except ValueError:
        return None


def parse_side(text: str) -> str:
    side = text.strip().lower()
    if side not in SIDE_CHOICES:
        fail(f"--side must be one of {', '.join(SIDE_CHOICES)}, got '{shown(text)}'")
    return side


def check_note(note: str) -> str:
    """The note as given: at most MAX_NOTE characters of real text. Control characters are kept (and
    shown escaped); bytes that are not UTF-8 (a lone surrogate from the command line) are refused."""
    from hipcheck.history.store import MAX_NOTE

    if len(note) > MAX_NOTE:
        fail(f"--note is {len(note)} characters; keep it to {MAX_NOTE}")
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:
        fail("--note is not valid text (it holds bytes that are not UTF-8)")
    return note


def cannot_ask_why(no_input: bool) -> str:
    """Why hipcheck cannot prompt, for the one-line error that says what to pass instead."""
    return "--no-input was given" if no_input else "stdin is not a terminal"


def interrupted(what: str) -> typer.Exit:
    """The exit for Ctrl-C (or end of input) at a prompt: `what` says what was left untouched."""
    sys.stderr.write(f"\nInterrupted: {what}.\n")
    return typer.Exit(int(Exit.INTERRUPTED))
