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
from typing import TYPE_CHECKING, Annotated

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


def _ask_checkin(ask_km: bool) -> tuple[int, float | None]:
    """Ask for the pain score (and distance) on the terminal; prompts go to stderr."""
    import questionary

    from .interview import terminal_session

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

    with terminal_session():
        pain = int(
            questionary.text("Hip pain today, from 0 (none) to 10 (worst imaginable):", validate=pain_ok)
            .unsafe_ask()
            .strip()
        )
        km = None
        if ask_km:
            answer = questionary.text(
                "Distance run today, in km (Enter to skip):", validate=km_ok
            ).unsafe_ask()
            km = float(answer) if answer.strip() else None
    return pain, km


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
    rest: Annotated[bool, typer.Option("--rest", help="It hurt at rest, sitting or lying still.")] = False,
    night: Annotated[bool, typer.Option("--night", help="It hurt at night, enough to wake you.")] = False,
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
    """Record a quick check-in: today's pain (0-10), and optionally how far you ran.

    Kept privately on this machine; `hipcheck history` shows the trend."""
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
            score, asked_km = _ask_checkin(ask_km=ran is None)
        except (KeyboardInterrupt, EOFError):
            raise _interrupted("nothing saved") from None
        km = asked_km if km is None else km

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
                rest=rest,
                night=night,
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
    from .trend import summarize

    # The trend and findings use the whole history; --since only narrows what is listed.
    summary = summarize(all_checkins, all_results, today, rules)
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
    for part in _history_view(checkins, results, summary, rules, since_day, today, con.width, con):
        con.print(part)


def _level_words(level: str) -> str:
    """`See a professional (within 1 to 2 weeks)` from content/meta.toml, or the level id."""
    from .cli import state
    from .content import ContentError, load_content
    from .models import Level

    try:
        info = load_content(state.content_dir).meta.levels[Level(level)]
    except (ContentError, ValueError, KeyError):
        return level
    return f"{info.label} ({info.time_frame})"


def _history_view(
    checkins: Sequence[CheckIn],
    results: Sequence[PastResult],
    summary: TrendSummary,
    rules: HistoryRules,
    since: date | None,
    today: date,
    width: int,
    con: Console,
) -> list[RenderableType]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from .store import db_path
    from .trend import result_pain, short_date

    parts: list[RenderableType] = []
    title = "Your hip pain history" + (f" since {short_date(since)}" if since else "")
    parts.append(Text(title, style="bold"))

    # What the history says.
    if summary.findings:
        top = max(summary.findings, key=lambda r: r.level.rank)
        parts.append(Text(f"Your history says: {_level_words(top.level.value)}", style="bold yellow"))
        rules_by_id = {r.id: r for r in (rules.persisting, rules.rising, rules.rest_night)}
        advice: list[str] = []
        for r in summary.findings:
            advice += [
                a for a in (rules_by_id[r.id].advice if r.id in rules_by_id else []) if a not in advice
            ]
        parts.append(_bullets([("!", r.text) for r in summary.findings] + [("-", a) for a in advice]))
    else:
        parts.append(Text("Nothing in your history says you need to see someone yet.", style="green"))
    parts.append(Text(_trend_words(summary), style="dim"))

    # Chart of pain over time.
    days_in_range = sorted(
        {c.day for c in checkins} | {r.day for r in results if result_pain(r, rules) is not None}
    )
    if days_in_range:
        chart = pain_chart(
            [(c.day, c.pain) for c in checkins],
            [(r.day, p) for r in results if (p := result_pain(r, rules)) is not None],
            width=max(40, min(width, 80)),
        )
        parts.append(Text(""))
        parts.append(Text("Pain over time (0 none, 10 worst)", style="bold"))
        parts.append(Text(chart))
        parts.append(Text("● check-in   x triage", style="dim"))

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
    parts.append(
        Text(
            f"Kept only on this computer: {db_path()}\nDelete it all with: hipcheck history --forget",
            style="dim",
        )
    )
    return parts


def _checkin_bits(c: CheckIn) -> list[str]:
    bits = []
    if c.side:
        bits.append("both sides" if c.side == "both" else f"{c.side} side")
    if c.rest:
        bits.append("at rest")
    if c.night:
        bits.append("at night")
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


def pain_chart(checkins: Sequence[tuple[date, int]], triage: Sequence[tuple[date, int]], width: int) -> str:
    """A plotext chart of daily pain (worst check-in of each day as a line, triage scores as x)."""
    import plotext

    from .trend import short_date

    worst: dict[date, int] = {}
    for d, p in checkins:
        worst[d] = max(worst.get(d, 0), p)
    days = sorted(worst)
    all_days = sorted(set(days) | {d for d, _ in triage})
    lo, hi = all_days[0] - timedelta(days=1), all_days[-1] + timedelta(days=1)

    def dt(d: date) -> datetime:
        return datetime(d.year, d.month, d.day)

    fig = plotext.figure
    fig.clear()
    try:
        fig.date().activate(form="%Y-%m-%d")
        if days:
            xs, ys = [dt(d) for d in days], [worst[d] for d in days]
            if len(xs) > 1:
                fig.draw(fig.signal(xs, ys, marker="braille").lines())
            fig.draw(fig.signal(xs, ys, marker="●"))
        if triage:
            fig.draw(fig.signal([dt(d) for d, _ in triage], [p for _, p in triage], marker="x"))
        fig.ruler("x").lim(dt(lo), dt(hi))
        span = (hi - lo).days
        n = max(2, min(span + 1, (width - 4) // 10))  # a label every 10 columns or so
        ticks = sorted({lo + timedelta(days=round(i * span / (n - 1))) for i in range(n)})
        fig.ruler("x").ticks([dt(t) for t in ticks], [short_date(t) for t in ticks])
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
                "",
                "",
                "",
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
    `hipcheck: warning: ...` line on stderr and the triage goes on without them. With `save=False`
    (`--no-save`) nothing is created or written; an existing history is still read for its reasons.
    The saver returns True when the result was saved; Ctrl-C during the save leaves nothing half-written.
    """
    from .history_models import HistoryContentError, load_history_rules
    from .store import StoreError, exists, load_checkins, load_results, open_store, save_result
    from .trend import escalation_reasons

    usable = True
    reasons: list[Reason] = []
    if save or exists():
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
