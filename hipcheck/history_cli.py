"""`hipcheck log` and `hipcheck history`, and the hook `triage` uses to read and save the history.

Wire-up (cli.py): `from .history_cli import register; register(app)`.
Heavy modules (rich, plotext, sqlite3 via .store, platformdirs, questionary) are imported inside the
functions that need them, never at module level, so other commands start as fast as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypedDict

import typer

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from .history_models import CheckIn, HistoryRules, PastResult, TrendSummary
    from .models import Reason, TriageResult

SIDE_CHOICES = ("left", "right", "both")


def _today() -> date:
    """Today's local date (tests replace this)."""
    return date.today()


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _short(d: date) -> str:
    from .trend import short_date

    return short_date(d)


def _warn(message: str) -> None:
    sys.stderr.write(f"hipcheck: warning: {message}\n")


# --------------------------------------------------------------------------- parsing (one-line errors)


def _parse_day(text: str, option: str, today: date, relative: bool = False) -> date:
    from .cli import fail

    t = text.strip().lower()
    if t == "today":
        day = today
    elif t == "yesterday":
        day = today - timedelta(days=1)
    elif relative and len(t) >= 2 and t[:-1].isdigit() and t[-1] in "dw":
        day = today - timedelta(days=int(t[:-1]) * (7 if t[-1] == "w" else 1))
    else:
        try:
            day = date.fromisoformat(t)
        except ValueError:
            extra = ", a number of days or weeks back (14d, 3w)" if relative else ""
            fail(f"{option}: '{text}' is not a date; use YYYY-MM-DD, today, yesterday{extra}")
    if day > today:
        fail(f"{option} {day.isoformat()} is in the future (today is {today.isoformat()})")
    return day


def _parse_pain(text: str) -> int:
    from .cli import fail

    t = text.strip()
    if not (t.isdigit() and 0 <= int(t) <= 10):
        fail(f"--pain must be a whole number from 0 to 10, got '{text}'")
    return int(t)


def _parse_km(text: str) -> float:
    import math

    from .cli import fail
    from .store import MAX_KM

    try:
        km = float(text.strip().lower().removesuffix("km").strip())
    except ValueError:
        fail(f"--ran must be a distance in km, such as 8 or 10.5, got '{text}'")
    if not math.isfinite(km):
        fail(f"--ran must be a distance in km, such as 8 or 10.5, got '{text}'")
    if km < 0:
        fail(f"--ran cannot be negative, got {km:g}")
    if km > MAX_KM:
        fail(f"--ran {km:g} km is more than {MAX_KM:g} km in a day; check the number")
    return km


# --------------------------------------------------------------------------- shared helpers


def _rules(content_dir: Path | None) -> HistoryRules:
    from .cli import Exit, fail
    from .history_models import HistoryContentError, load_history_rules

    try:
        return load_history_rules(content_dir)
    except HistoryContentError as exc:
        fail(f"history rules are invalid: {exc.problems[0]}", Exit.ERROR)


def _open(create: bool):  # -> HistoryConnection
    from .cli import Exit, fail
    from .store import StoreError, open_store

    try:
        return open_store(create=create)
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)


def _interrupted(what: str) -> typer.Exit:
    from .cli import Exit

    sys.stderr.write(f"\nInterrupted: {what}.\n")
    return typer.Exit(int(Exit.INTERRUPTED))


def _findings_lines(findings: Sequence[Reason]) -> list[str]:
    return [f"! {r.text}" for r in findings]


# --------------------------------------------------------------------------- log


class Asked(TypedDict, total=False):
    """What `hipcheck log` asked for on the terminal (only the keys it asked)."""

    pain: int
    km: float | None
    side: str | None
    rest: bool
    night: bool
    note: str | None


SKIP = "skip"


def _ask_checkin(
    *,
    day_words: str = "today",
    ask_km: bool = True,
    ask_side: bool = True,
    ask_rest: bool = True,
    ask_night: bool = True,
    ask_note: bool = True,
    default_side: str | None = None,
) -> Asked:
    """Ask for the check-in on the terminal; prompts go to stderr. Only pain needs typing: every
    other question has a default that Enter accepts (no distance, the side logged last time, no rest
    or night pain, no note), so a quick check-in stays quick."""
    import questionary
    from questionary import Choice

    from .interview import terminal_session
    from .store import MAX_NOTE

    def pain_ok(text: str) -> bool | str:
        t = text.strip()
        return (
            t.isdigit() and 0 <= int(t) <= 10
        ) or "A whole number from 0 (no pain) to 10 (worst imaginable)"

    def km_ok(text: str) -> bool | str:
        t = text.strip()
        if not t:
            return True
        try:
            return 0 <= float(t) <= 1000 or "A distance from 0 to 1000 km, or Enter to skip"
        except ValueError:
            return "A distance in km, such as 8 or 10.5, or Enter to skip"

    def note_ok(text: str) -> bool | str:
        return len(text.strip()) <= MAX_NOTE or f"Keep it to {MAX_NOTE} characters"

    asked: Asked = {}
    with terminal_session():
        asked["pain"] = int(
            questionary.text(
                f"Hip pain {day_words}, from 0 (none) to 10 (worst imaginable):", validate=pain_ok
            )
            .unsafe_ask()
            .strip()
        )
        if ask_km:
            answer = questionary.text(
                f"Distance run {day_words}, in km (Enter to skip):", validate=km_ok
            ).unsafe_ask()
            asked["km"] = float(answer) if answer.strip() else None
        if ask_side:
            default = default_side if default_side in SIDE_CHOICES else SKIP
            hint = f"Enter: {default_side}, as last time" if default != SKIP else "Enter to skip"
            choice = questionary.select(
                f"Which hip hurts? ({hint})",
                choices=[
                    Choice("Left", value="left"),
                    Choice("Right", value="right"),
                    Choice("Both", value="both"),
                    Choice("Skip", value=SKIP),
                ],
                default=default,
            ).unsafe_ask()
            asked["side"] = None if choice == SKIP else choice
        if ask_rest:
            asked["rest"] = bool(
                questionary.confirm("Pain at rest, sitting or lying still?", default=False).unsafe_ask()
            )
        if ask_night:
            asked["night"] = bool(
                questionary.confirm("Pain at night, enough to wake you?", default=False).unsafe_ask()
            )
        if ask_note:
            text = questionary.text("A short note (Enter to skip):", validate=note_ok).unsafe_ask()
            asked["note"] = text.strip() or None
    return asked


def _last_side() -> str | None:
    """The side of the latest record that has one (check-in or triage), to offer as the default.
    Opens an existing history only: asking must not create it. A damaged one fails here, before asking."""
    from .store import exists

    if not exists():
        return None
    conn = _open(create=False)
    try:
        checkins, results = _load_all(conn)
    finally:
        conn.close()
    from .cli import state
    from .trend import result_side

    rules = _rules(state.content_dir)
    dated: list[tuple[str, str]] = [(c.recorded_at.isoformat(), c.side) for c in checkins if c.side]
    dated += [(r.recorded_at.isoformat(), s) for r in results if (s := result_side(r, rules))]
    return max(dated)[1] if dated else None


def log(
    pain: Annotated[
        str | None,
        typer.Option("--pain", "-p", metavar="0-10", help="Pain today: 0 none, 10 worst imaginable."),
    ] = None,
    ran: Annotated[
        str | None, typer.Option("--ran", metavar="KM", help="Distance run that day, in km.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A short note.")] = None,
    side: Annotated[
        str | None, typer.Option("--side", metavar="left|right|both", help="Which hip hurts.")
    ] = None,
    rest: Annotated[
        bool | None,
        typer.Option("--rest/--no-rest", help="It hurt (or did not) at rest, sitting or lying still."),
    ] = None,
    night: Annotated[
        bool | None,
        typer.Option("--night/--no-night", help="It hurt (or did not) at night, enough to wake you."),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="YYYY-MM-DD", help="The day this is about (default today; or 'yesterday')."
        ),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; fail if --pain is missing.")
    ] = False,
) -> None:
    """Record a quick check-in: today's pain (0-10), and optionally how far you ran, the side, and
    pain at rest or at night.

    Without --pain, on a terminal, it asks for each (Enter accepts the default). Kept privately on
    this machine; `hipcheck history` shows the trend."""
    from .cli import fail, state
    from .store import InputError, add_checkin

    today = _today()
    the_day = _parse_day(day, "--date", today) if day is not None else today
    score = _parse_pain(pain) if pain is not None else None
    km = _parse_km(ran) if ran is not None else None
    if side is not None and side.strip().lower() not in SIDE_CHOICES:
        fail(f"--side must be one of {', '.join(SIDE_CHOICES)}, got '{side}'")
    side = side.strip().lower() if side is not None else None
    if note is not None and len(note) > 500:
        fail(f"--note is {len(note)} characters; keep it to 500")
    rules = _rules(state.content_dir)

    if score is None:
        if no_input or not _stdin_is_tty():
            why = "--no-input was given" if no_input else "stdin is not a terminal"
            fail(f"{why}, so hipcheck cannot ask; give the pain score with --pain N (0-10)")
        try:
            default_side = _last_side() if side is None else None
            asked = _ask_checkin(
                day_words="today" if the_day == today else f"on {_short(the_day)}",
                ask_km=ran is None,
                ask_side=side is None,
                ask_rest=rest is None,
                ask_night=night is None,
                ask_note=note is None,
                default_side=default_side,
            )
        except (KeyboardInterrupt, EOFError):
            raise _interrupted("nothing saved") from None
        score = asked["pain"]
        km = asked.get("km", km)
        side = asked.get("side", side)
        rest = asked.get("rest", rest)
        night = asked.get("night", night)
        note = asked.get("note", note)

    conn = _open(create=True)
    try:
        try:
            entry = add_checkin(
                conn,
                pain=score,
                day=the_day,
                today=today,
                km=km,
                side=side,
                rest=bool(rest),
                night=bool(night),
                note=note,
            )
        except InputError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            raise _interrupted("nothing saved") from None
        checkins, results = _load_all(conn)
    finally:
        conn.close()

    from .trend import escalation_reasons, short_date

    parts = [f"pain {entry.pain}/10"]
    if entry.km is not None:
        parts.append(f"ran {entry.km:g} km")
    parts += [b for b in _checkin_bits(entry) if b != f'"{entry.note}"']
    out = [f"Logged {short_date(entry.day)}: {', '.join(parts)}."]
    findings = escalation_reasons(checkins, results, today, rules)
    if findings:
        out += ["", *_findings_lines(findings), "", "Your next `hipcheck triage` takes this into account."]
    out.append("See the trend with: hipcheck history")
    sys.stdout.write("\n".join(out) + "\n")


def _load_all(conn, since: date | None = None) -> tuple[list[CheckIn], list[PastResult]]:
    from .cli import Exit, fail
    from .store import StoreError, load_checkins, load_results

    try:
        return load_checkins(conn, since), load_results(conn, since)
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)


# --------------------------------------------------------------------------- history


def history(
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="DATE", help="Only records from this day: YYYY-MM-DD, or 14d, 3w back."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the history as JSON on stdout.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the history as CSV on stdout.")] = False,
    forget: Annotated[bool, typer.Option("--forget", help="Delete your whole history (asks first).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --forget: do not ask.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt.")] = False,
) -> None:
    """Show your check-ins and past triage results: a chart of pain over time, a table, and whether
    the history says you should see someone."""
    from .cli import fail, state

    if forget:
        if as_json or as_csv or since:
            fail("--forget cannot be combined with --json, --csv or --since")
        _forget(yes=yes, no_input=no_input)
        return
    if yes:
        fail("--yes only goes with --forget")
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    today = _today()
    since_day = _parse_day(since, "--since", today, relative=True) if since is not None else None
    rules = _rules(state.content_dir)

    from .store import db_path, exists

    if exists():
        conn = _open(create=False)
        try:
            all_checkins, all_results = _load_all(conn)
        finally:
            conn.close()
    else:
        all_checkins, all_results = [], []

    from .history_models import HistoryExport
    from .trend import summarize, with_symptoms

    # The trend and findings use the whole history; --since only narrows what is listed.
    summary = summarize(all_checkins, all_results, today, rules)
    # Side, rest and night read from each triage's answers, the same way the escalation rule reads
    # them, so the table, --csv and --json all show them.
    all_results = [with_symptoms(r, rules) for r in all_results]
    checkins = [c for c in all_checkins if since_day is None or c.day >= since_day]
    results = [r for r in all_results if since_day is None or r.day >= since_day]

    if as_json:
        export = HistoryExport(
            today=today, since=since_day, checkins=checkins, results=results, trend=summary
        )
        sys.stdout.write(export.model_dump_json(indent=2) + "\n")
        return
    if as_csv:
        _write_csv(checkins, results, rules)
        return

    from .cli import console

    con = console()
    if not all_checkins and not all_results:
        con.print(
            f"No history yet at {db_path()}.\n"
            "Record a check-in with: hipcheck log --pain N\n"
            "Triage results are saved too: hipcheck triage"
        )
        return
    for part in _history_view(
        checkins, results, summary, rules, since_day, today, con.width, con, all_results=all_results
    ):
        con.print(part)


def _level_words(level: str) -> str:
    """`SEE A PROFESSIONAL (within 1 to 2 weeks)` from content/meta.toml, or the level id."""
    from .cli import state
    from .content import ContentError, load_content
    from .models import Level

    try:
        info = load_content(state.content_dir).meta.levels[Level(level)]
    except (ContentError, ValueError, KeyError):
        return level.upper().replace("_", " ")
    return f"{info.label.upper()} ({info.time_frame})"


_LEVEL_STYLE = {"emergency": "bold red", "urgent": "bold red", "routine": "bold yellow", "self_care": "bold"}


def status_lines(
    results: Sequence[PastResult], summary: TrendSummary, rules: HistoryRules, today: date
) -> list[tuple[str, str]]:
    """The top of `hipcheck history`, as (style, line) pairs: the last saved triage and its date, a
    higher one from the last `stale_days` days if there was one, and the lowest level the history
    sets for the next triage. A history finding is a floor for the *next* triage: it never stands in
    for, or lowers, a past triage's level, so a recent urgent result is always shown as such."""
    from .trend import short_date

    past = sorted((r for r in results if r.day <= today), key=lambda r: (r.day, r.recorded_at))
    lines: list[tuple[str, str]] = []
    recent_top = None
    if past:
        last = past[-1]
        lines.append(
            (
                _LEVEL_STYLE.get(last.level.value, "bold"),
                f"Last triage, {short_date(last.day)}: {_level_words(last.level.value)}",
            )
        )
        recent = [r for r in past if (today - r.day).days <= rules.stale_days]
        if recent:
            recent_top = max(recent, key=lambda r: (r.level.rank, r.day, r.recorded_at))
            if recent_top.level.rank > last.level.rank:
                lines.append(
                    (
                        _LEVEL_STYLE.get(recent_top.level.value, "bold"),
                        f"Highest in the last {rules.stale_days} days, {short_date(recent_top.day)}: "
                        f"{_level_words(recent_top.level.value)}",
                    )
                )
    floor = summary.next_triage_at_least
    if recent_top is not None and recent_top.level.rank > max(floor.rank if floor else 0, 1):
        which = "that triage's" if recent_top is past[-1] else "the higher triage's"
        lines.append(
            (
                "bold",
                f"Follow {which} advice. Your history only sets a minimum for the next triage; "
                "it never lowers a result.",
            )
        )
    if past:
        lines.append(("", ""))
    if floor is not None:
        lines.append(
            (
                _LEVEL_STYLE.get(floor.value, "bold"),
                f"Next triage: at least {_level_words(floor.value)}, from what your saved history shows:",
            )
        )
    elif past:
        lines.append(("green", "Next triage: nothing in your saved history raises it."))
    else:
        lines.append(("green", "Nothing in your history says you need to see someone yet."))
    return lines


def _history_view(
    checkins: Sequence[CheckIn],
    results: Sequence[PastResult],
    summary: TrendSummary,
    rules: HistoryRules,
    since: date | None,
    today: date,
    width: int,
    con: Console,
    all_results: Sequence[PastResult] | None = None,
) -> list[RenderableType]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from .store import db_path
    from .trend import result_pain, short_date

    parts: list[RenderableType] = []
    title = "Your hip pain history" + (f" since {short_date(since)}" if since else "")
    parts.append(Text(title, style="bold"))

    # The last triage, and what the history sets for the next one.
    for style, line in status_lines(results if all_results is None else all_results, summary, rules, today):
        parts.append(Text(line, style=style))
    if summary.findings:
        rules_by_id = {r.id: r for r in (rules.persisting, rules.rising, rules.rest_night)}
        advice: list[str] = []
        for r in summary.findings:
            advice += [
                a for a in (rules_by_id[r.id].advice if r.id in rules_by_id else []) if a not in advice
            ]
        parts.append(_bullets([("!", r.text) for r in summary.findings] + [("-", a) for a in advice]))
    parts.append(Text(_trend_words(summary), style="dim"))

    # Chart of pain over time.
    checkin_points, triage_points = chart_points(checkins, results, rules)
    if checkin_points or triage_points:
        chart = pain_chart(checkin_points, triage_points, width=max(40, min(width, 80)))
        parts.append(Text(""))
        parts.append(Text("Pain over time (0 none, 10 worst)", style="bold"))
        parts.append(Text(chart))
        parts.append(Text("● check-in   x triage (pain score given)", style="dim"))

    # Table of every record, oldest first.
    same_year = all(d.year == today.year for d in [*(c.day for c in checkins), *(r.day for r in results)])

    def when(d: date) -> str:
        return short_date(d) if same_year else d.isoformat()

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Date", no_wrap=True)
    table.add_column("Pain", justify="right", no_wrap=True)
    table.add_column("Km", justify="right", no_wrap=True)
    table.add_column("Details", overflow="fold")
    rows: list[tuple[date, str, list[str]]] = []
    for c in checkins:
        km = f"{c.km:g}" if c.km is not None else ""
        rows.append(
            (c.day, c.recorded_at.isoformat(), [when(c.day), str(c.pain), km, ", ".join(_checkin_bits(c))])
        )
    for r in results:
        pain = result_pain(r, rules)
        detail = f"Triage: {r.level_label}"
        bits = _symptom_bits(r.side, r.rest, r.night)
        if bits:
            detail += f"; {', '.join(bits)}"
        if r.top_cause_name:
            detail += f"; likeliest: {r.top_cause_name}"
        rows.append(
            (r.day, r.recorded_at.isoformat(), [when(r.day), "" if pain is None else str(pain), "", detail])
        )
    rows.sort(key=lambda row: (row[0], row[1]))
    for _, _, cells in rows:
        table.add_row(*cells)
    parts.append(Text(""))
    if rows:
        parts.append(table)
    else:
        parts.append(Text("No records in this period."))
    parts.append(Text(""))
    parts.append(Text(PERSONAL_NOTICE))
    parts.append(
        Text(
            f"Kept only on this computer: {db_path()}\nDelete it all with: hipcheck history --forget",
            style="dim",
        )
    )
    return parts


PERSONAL_NOTICE = (
    "This history is personal: it is read by every later triage run with it, and can raise the "
    "result. Running hipcheck for someone else? Use `hipcheck triage --no-save` (their triage "
    "neither reads nor joins this history), or give each person their own HIPCHECK_HOME folder."
)


def _symptom_bits(side: str | None, rest: bool | None, night: bool | None) -> list[str]:
    bits = []
    if side:
        bits.append("both sides" if side == "both" else f"{side} side")
    if rest:
        bits.append("at rest")
    if night:
        bits.append("at night")
    return bits


def _checkin_bits(c: CheckIn) -> list[str]:
    bits = _symptom_bits(c.side, c.rest, c.night)
    if c.note:
        bits.append(f'"{c.note}"')
    return bits


def _bullets(items: Sequence[tuple[str, str]]) -> RenderableType:
    """Lines with a marker and a hanging indent, so wrapped text lines up at any width."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for mark, text in items:
        grid.add_row(mark, text)
    return grid


def _trend_words(summary: TrendSummary) -> str:
    n = summary.window_days
    if summary.direction == "unknown":
        return f"Trend: not enough records in the last {n} days to tell (needs a few days with a pain score)."
    change = f"{summary.change:+.1f} points" if summary.change is not None else ""
    return f"Trend over the last {n} days: {summary.direction} ({change})."


def chart_points(
    checkins: Sequence[CheckIn], results: Sequence[PastResult], rules: HistoryRules
) -> tuple[list[tuple[datetime, int]], list[tuple[datetime, int]]]:
    """Every record with a pain score as one chart point: (check-in points, triage points).

    A point's x is a moment within its day: the day's records, check-ins and triages together, are
    spread evenly across it in the order they were written (one record sits at midday). So several
    records on one day stay apart, and the "x" of a triage never hides the "●" of a check-in."""
    from .trend import result_pain

    by_day: dict[date, list[tuple[str, str, int, int]]] = {}
    for c in checkins:
        by_day.setdefault(c.day, []).append((c.recorded_at.isoformat(), "checkin", c.id, c.pain))
    for r in results:
        pain = result_pain(r, rules)
        if pain is not None:
            by_day.setdefault(r.day, []).append((r.recorded_at.isoformat(), "triage", r.id, pain))
    checkin_pts: list[tuple[datetime, int]] = []
    triage_pts: list[tuple[datetime, int]] = []
    for d in sorted(by_day):
        records = sorted(by_day[d])
        n = len(records)
        for i, (_, kind, _, pain) in enumerate(records):
            x = datetime(d.year, d.month, d.day) + timedelta(days=(i + 1) / (n + 1))
            (checkin_pts if kind == "checkin" else triage_pts).append((x, pain))
    return checkin_pts, triage_pts


def pain_chart(
    checkins: Sequence[tuple[datetime, int]], triage: Sequence[tuple[datetime, int]], width: int
) -> str:
    """A plotext chart of pain: check-ins as ● joined by a line, triage pain scores as x. Points are
    (moment, pain), as `chart_points` gives them; a date's tick label sits at its midday."""
    import plotext

    from .trend import short_date

    cs = sorted(checkins)
    days = sorted({x.date() for x, _ in [*cs, *triage]})
    lo, hi = days[0] - timedelta(days=1), days[-1] + timedelta(days=1)

    def noon(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, 12)

    fig = plotext.figure
    fig.clear()
    try:
        fig.date().activate(form="%Y-%m-%d")
        if cs:
            xs, ys = [x for x, _ in cs], [p for _, p in cs]
            if len(xs) > 1:
                fig.draw(fig.signal(xs, ys, marker="braille").lines())
            fig.draw(fig.signal(xs, ys, marker="●"))
        if triage:
            fig.draw(fig.signal([x for x, _ in triage], [p for _, p in triage], marker="x"))
        fig.ruler("x").lim(noon(lo), noon(hi))
        span = (hi - lo).days
        n = max(2, min(span + 1, (width - 4) // 10))  # a label every 10 columns or so
        ticks = sorted({lo + timedelta(days=round(i * span / (n - 1))) for i in range(n)})
        fig.ruler("x").ticks([noon(t) for t in ticks], [short_date(t) for t in ticks])
        fig.ruler("y").lim(0, 10)
        fig.ruler("y").ticks([0, 2, 4, 6, 8, 10])
        fig.plot_size(width, 14)  # 11 rows inside the frame: one per pain point 0-10
        return fig.build().string(colorless=True)
    finally:
        fig.clear()


def _write_csv(checkins: Sequence[CheckIn], results: Sequence[PastResult], rules: HistoryRules) -> None:
    import csv

    from .trend import result_pain

    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(
        [
            "kind",
            "id",
            "day",
            "recorded_at",
            "pain",
            "km",
            "side",
            "rest",
            "night",
            "note",
            "level",
            "top_cause",
        ]
    )
    rows = []
    for c in checkins:
        rows.append(
            [
                "checkin",
                c.id,
                c.day.isoformat(),
                _utc_text(c.recorded_at),
                c.pain,
                "" if c.km is None else f"{c.km:g}",
                c.side or "",
                int(c.rest),
                int(c.night),
                c.note or "",
                "",
                "",
            ]
        )
    for r in results:
        pain = result_pain(r, rules)
        rows.append(
            [
                "triage",
                r.id,
                r.day.isoformat(),
                _utc_text(r.recorded_at),
                "" if pain is None else pain,
                "",
                r.side or "",
                "" if r.rest is None else int(r.rest),
                "" if r.night is None else int(r.night),
                "",
                r.level.value,
                r.top_cause or "",
            ]
        )
    rows.sort(key=lambda row: (row[2], row[3]))
    w.writerows(rows)


def _utc_text(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _forget(*, yes: bool, no_input: bool) -> None:
    from .cli import Exit, fail
    from .store import StoreError, counts, db_path, forget, open_store

    path = db_path()
    if not any(p.exists() for p in (path, path.with_name(path.name + "-wal"))):
        sys.stdout.write(f"Nothing to forget: there is no hipcheck history at {path}.\n")
        return
    try:
        conn = open_store(create=False)
        try:
            n_checkins, n_results = counts(conn)
        finally:
            conn.close()
        what = f"{n_checkins} check-in(s) and {n_results} triage result(s)"
    except StoreError:
        what = "a history database hipcheck cannot read"
    if not yes:
        if no_input or not _stdin_is_tty():
            why = "--no-input was given" if no_input else "stdin is not a terminal"
            fail(f"{why}; --forget deletes your whole history, so confirm it with --yes")
        try:
            ok = typer.confirm(f"Delete {what} at {path}? This cannot be undone.", default=False, err=True)
        except (typer.Abort, KeyboardInterrupt, EOFError):
            raise _interrupted("nothing deleted") from None
        if not ok:
            sys.stderr.write("Nothing deleted.\n")
            return
    try:
        forget()
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)
    sys.stdout.write(f"Deleted your hipcheck history: {what}.\n")


# --------------------------------------------------------------------------- for triage


def history_reasons_and_saver(
    *, save: bool = True, content_dir: Path | None = None, today: date | None = None
) -> tuple[list[Reason], Callable[[TriageResult], bool]]:
    """What `triage` needs from the history: its escalation reasons, and a function saving the result.

    Never fails the triage: a damaged or unreadable history, or invalid history rules, print one
    `hipcheck: warning: ...` line on stderr and the triage goes on without them.

    With `save=False` (`--no-save`) the history is left out of the triage entirely: nothing is
    created, read or written. The history is personal, and `--no-save` is what the docs tell anyone
    running hipcheck for someone else to use, so that person's result must not be raised by the
    owner's (or an earlier client's) records. The saver returns True when the result was saved;
    Ctrl-C during the save leaves nothing half-written.
    """
    from .history_models import HistoryContentError, load_history_rules
    from .store import StoreError, load_checkins, load_results, open_store, save_result
    from .trend import escalation_reasons

    usable = True
    reasons: list[Reason] = []
    if save:
        try:
            conn = open_store(create=save)
            try:
                checkins, results = load_checkins(conn), load_results(conn)
            finally:
                conn.close()
        except StoreError as exc:
            _warn(f"your history was not used: {exc}")
            usable = False
        else:
            try:
                rules = load_history_rules(content_dir)
            except HistoryContentError as exc:
                _warn(f"history rules are invalid, so your history was not used: {exc.problems[0]}")
            else:
                reasons = escalation_reasons(checkins, results, today or _today(), rules)

    def saver(result: TriageResult) -> bool:
        if not (save and usable):
            return False
        try:
            conn = open_store()
            try:
                save_result(conn, result)
            finally:
                conn.close()
        except StoreError as exc:
            _warn(f"the result was not saved: {exc}")
            return False
        return True

    return reasons, saver


def register(app: typer.Typer) -> None:
    """Add `log` and `history` to the hipcheck app."""
    app.command(
        "log",
        epilog="Examples:\n\n  hipcheck log --pain 3 --ran 8\n\n"
        "  hipcheck log -p 5 --side left --night --note 'woke at 3am'\n\n"
        "  hipcheck log --pain 2 --date yesterday",
    )(log)
    app.command(
        "history",
        epilog="Examples:\n\n  hipcheck history\n\n  hipcheck history --since 3w\n\n"
        "  hipcheck history --csv > hip.csv\n\n  hipcheck history --forget",
    )(history)
