"""What `hipcheck log` and `hipcheck history` show: the history screen and its chart (Rich, plotext),
the CSV and JSON exports, and the line confirming a check-in.

Pure functions from history data to renderables or text: nothing here reads the history or prints.
rich and plotext are imported inside the functions that draw, so importing this is cheap.

Notes, names and paths are never Rich markup: every piece of text goes in as `Text` (or through
`escape`, which escapes control characters), so `[/]` in a note is shown as typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType

    from hipcheck.history.models import CheckIn, HistoryRules, PastResult, TrendSummary
    from hipcheck.knowledge.models import Reason

from hipcheck.knowledge.text import escape, json_safe


@lru_cache(maxsize=4)
def _levels(content_dir: Path | None) -> dict | None:
    """The levels of content/meta.toml, loaded once per content folder (a view asks several times)."""
    from hipcheck.knowledge.loader import ContentError, load_content

    try:
        return load_content(content_dir, use_cache=True).meta.levels
    except ContentError:
        return None


def level_words(level: str, content_dir: Path | None) -> str:
    """`SEE A PROFESSIONAL (within 1 to 2 weeks)` from content/meta.toml, or the level id."""
    from hipcheck.knowledge.models import Level

    try:
        info = (_levels(content_dir) or {})[Level(level)]
    except (ValueError, KeyError):
        return level.upper().replace("_", " ")
    return f"{info.label.upper()} ({info.time_frame})"


LEVEL_STYLE = {
    "emergency": "bold red",
    "same_day": "bold red",
    "urgent": "bold red",
    "routine": "bold yellow",
    "self_care": "bold",
}


def status_lines(
    results: Sequence[PastResult],
    summary: TrendSummary,
    rules: HistoryRules,
    today: date,
    content_dir: Path | None = None,
) -> list[tuple[str, str]]:
    """The top of `hipcheck history`, as (style, line) pairs: the last saved triage and its date, a
    higher one from the last `stale_days` days if there was one, and the lowest level the history
    sets for the next triage. A history finding is a floor for the *next* triage: it never stands in
    for, or lowers, a past triage's level, so a recent urgent result is always shown as such."""
    from hipcheck.history.trend import short_date

    past = sorted((r for r in results if r.day <= today), key=lambda r: (r.day, r.recorded_at))
    lines: list[tuple[str, str]] = []
    recent_top = None
    if past:
        last = past[-1]
        lines.append(
            (
                LEVEL_STYLE.get(last.level.value, "bold"),
                f"Last triage, {short_date(last.day)}: {level_words(last.level.value, content_dir)}",
            )
        )
        recent = [r for r in past if (today - r.day).days <= rules.stale_days]
        if recent:
            recent_top = max(recent, key=lambda r: (r.level.rank, r.day, r.recorded_at))
            if recent_top.level.rank > last.level.rank:
                lines.append(
                    (
                        LEVEL_STYLE.get(recent_top.level.value, "bold"),
                        f"Highest in the last {rules.stale_days} days, {short_date(recent_top.day)}: "
                        f"{level_words(recent_top.level.value, content_dir)}",
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
                LEVEL_STYLE.get(floor.value, "bold"),
                f"Next triage: at least {level_words(floor.value, content_dir)}, "
                "from what your saved history shows:",
            )
        )
    elif past:
        lines.append(("green", "Next triage: nothing in your saved history raises it."))
    else:
        lines.append(("green", "Nothing in your history says you need to see someone yet."))
    return lines


def _bounded(day: date, days: int) -> date:
    """`day` moved by `days`, kept within the dates Python can hold (a record from year 1 must not
    break the chart)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return day


def history_view(
    checkins: Sequence[CheckIn],
    results: Sequence[PastResult],
    summary: TrendSummary,
    rules: HistoryRules,
    since: date | None,
    today: date,
    width: int,
    path: Path,
    content_dir: Path | None = None,
    all_results: Sequence[PastResult] | None = None,
    plan_rows: Sequence[tuple[date, str, str]] = (),
) -> list[RenderableType]:
    """The `hipcheck history` screen, top to bottom: status, findings and their advice, the trend, the
    chart, a table of every record (with the plan's steps as marked rows: `plan_rows`, (day, sort key,
    text)), and where the history is kept (`path`)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from hipcheck.history.trend import result_pain, short_date

    parts: list[RenderableType] = []
    title = "Your hip pain history" + (f" since {short_date(since)}" if since else "")
    parts.append(Text(title, style="bold"))

    # The last triage, and what the history sets for the next one.
    shown = results if all_results is None else all_results
    for style, line in status_lines(shown, summary, rules, today, content_dir):
        parts.append(Text(line, style=style))
    if summary.findings:
        rules_by_id = {r.id: r for r in (rules.persisting, rules.rising, rules.rest_night)}
        advice: list[str] = []
        for r in summary.findings:
            advice += [
                a for a in (rules_by_id[r.id].advice if r.id in rules_by_id else []) if a not in advice
            ]
        parts.append(bullets([("!", r.text) for r in summary.findings] + [("-", a) for a in advice]))
    parts.append(Text(trend_words(summary), style="dim"))

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
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Pain", justify="right", no_wrap=True)
    table.add_column("Km", justify="right", no_wrap=True)
    table.add_column("Details", overflow="fold")
    rows: list[tuple[date, str, list[str]]] = []
    for c in checkins:
        km = f"{c.km:g}" if c.km is not None else ""
        rows.append(
            (
                c.day,
                c.recorded_at.isoformat(),
                [str(c.id), when(c.day), str(c.pain), km, ", ".join(checkin_bits(c))],
            )
        )
    for r in results:
        pain = result_pain(r, rules)
        detail = f"Triage #{r.id}: {escape(r.level_label)}"  # the number `hipcheck report N` takes
        bits = symptom_bits(r.side, r.rest, r.night)
        if bits:
            detail += f"; {', '.join(bits)}"
        if r.top_cause_name:
            detail += f"; likeliest: {escape(r.top_cause_name)}"
        rows.append(
            (
                r.day,
                r.recorded_at.isoformat(),
                ["", when(r.day), "" if pain is None else str(pain), "", detail],
            )
        )
    for day, key, text in plan_rows:
        rows.append((day, key, ["", when(day), "", "", f"» {text}"]))
    rows.sort(key=lambda row: (row[0], row[1]))
    for _, _, cells in rows:
        table.add_row(*(Text(cell) for cell in cells))  # text, never markup
    parts.append(Text(""))
    if rows:
        parts.append(table)
    else:
        parts.append(Text("No records in this period."))
    parts.append(Text(""))
    parts.append(Text(PERSONAL_NOTICE))
    parts.append(
        Text(
            f"Kept only on this computer: {escape(str(path))}\nDelete it all with: hipcheck history --forget",
            style="dim",
        )
    )
    return parts


PERSONAL_NOTICE = (
    "This history is personal: it is read by every later triage run with it, and can raise the "
    "result. Running hipcheck for someone else? Use `hipcheck triage --no-save` (their triage "
    "neither reads nor joins this history), or give each person their own HIPCHECK_HOME folder."
)


def symptom_bits(side: str | None, rest: bool | None, night: bool | None) -> list[str]:
    bits = []
    if side:
        bits.append("both sides" if side == "both" else f"{side} side")
    if rest:
        bits.append("at rest")
    if night:
        bits.append("at night")
    return bits


def checkin_bits(c: CheckIn) -> list[str]:
    bits = symptom_bits(c.side, c.rest, c.night) + session_bits(c)
    if c.note:
        bits.append(f'"{escape(c.note)}"')
    return bits


def bullets(items: Sequence[tuple[str, str]]) -> RenderableType:
    """Lines with a marker and a hanging indent, so wrapped text lines up at any width. The text is
    shown as it is (content or user text is never read as Rich markup)."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for mark, text in items:
        grid.add_row(Text(mark), Text(escape(text)))
    return grid


def trend_words(summary: TrendSummary) -> str:
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
    from hipcheck.history.trend import result_pain

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
            x = datetime(d.year, d.month, d.day) + timedelta(days=(i + 1) / (n + 1))  # < 1 day: no overflow
            (checkin_pts if kind == "checkin" else triage_pts).append((x, pain))
    return checkin_pts, triage_pts


def pain_chart(
    checkins: Sequence[tuple[datetime, int]], triage: Sequence[tuple[datetime, int]], width: int
) -> str:
    """A plotext chart of pain: check-ins as ● joined by a line, triage pain scores as x. Points are
    (moment, pain), as `chart_points` gives them; a date's tick label sits at its midday."""
    import plotext

    from hipcheck.history.trend import short_date

    cs = sorted(checkins)
    days = sorted({x.date() for x, _ in [*cs, *triage]})
    lo, hi = _bounded(days[0], -1), _bounded(days[-1], 1)

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
        ticks = sorted({_bounded(lo, round(i * span / (n - 1))) for i in range(n)})
        fig.ruler("x").ticks([noon(t) for t in ticks], [short_date(t) for t in ticks])
        fig.ruler("y").lim(0, 10)
        fig.ruler("y").ticks([0, 2, 4, 6, 8, 10])
        fig.plot_size(width, 14)  # 11 rows inside the frame: one per pain point 0-10
        return fig.build().string(colorless=True)
    finally:
        fig.clear()


def checkin_kind(c: CheckIn) -> str:
    """What a check-in recorded, for the plan: warning (pain at rest or at night), session_and_morning,
    session (a plan session done, or its pain), morning (the next morning's pain), or pain (only the
    day's pain)."""
    if c.rest or c.night:
        return "warning"
    session = bool(c.session) or c.during is not None
    if session and c.morning is not None:
        return "session_and_morning"
    return "session" if session else "morning" if c.morning is not None else "pain"


def history_csv(
    checkins: Sequence[CheckIn],
    results: Sequence[PastResult],
    rules: HistoryRules,
    plan_steps: Sequence[tuple[date, str, int]] = (),
) -> str:
    """`hipcheck history --csv`: one row per record, check-ins and triages together, oldest first.
    Every text cell goes through `csv_cell`: control characters escaped, formulas neutralised.
    `plan_steps`: (day, recorded_at, step number) from each change of the plan's step, oldest first;
    a check-in's `plan_step` is the step it was logged on."""
    import csv
    import io

    from hipcheck.history.trend import result_pain

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
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
            "session",
            "during",
            "morning",
            "checkin_kind",
            "plan_step",
        ]
    )

    def step_at(day: date, at: str) -> int | str:
        found: int | str = ""
        for d, when, step in plan_steps:
            if (d, when) <= (day, at):
                found = step
        return found

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
                "" if c.session is None else int(c.session),
                "" if c.during is None else c.during,
                "" if c.morning is None else c.morning,
                checkin_kind(c),
                step_at(c.day, c.recorded_at.isoformat()),
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
                "",
                "",
                "",
                "",
                "",
            ]
        )
    rows.sort(key=lambda row: (row[2], row[3]))
    w.writerows([[csv_cell(cell) for cell in row] for row in rows])
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: control characters escaped, and a text cell starting
    with = + - @ (or a tab or carriage return) prefixed with ' so it is never run as a formula, as
    spreadsheet exporters do. Numbers are left as numbers."""
    if not isinstance(value, str):
        return value
    text = escape(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _utc_text(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def history_json(
    today: date,
    since: date | None,
    checkins: Sequence[CheckIn],
    results: Sequence[PastResult],
    summary: TrendSummary,
    clearances: Sequence = (),
) -> str:
    """`hipcheck history --json`: the listed records and the trend of the whole history."""
    from hipcheck.history.models import HistoryExport

    export = HistoryExport(
        today=today, since=since, checkins=checkins, results=results, clearances=clearances, trend=summary
    )
    return json_safe(export.model_dump_json(indent=2)) + "\n"


def no_history_text(path: Path) -> str:
    """`hipcheck history` before anything was recorded."""
    return (
        f"No history yet at {escape(str(path))}.\n"
        "Record a check-in with: hipcheck log --pain N\n"
        "Triage results are saved too: hipcheck triage"
    )


def relog_command(entry: CheckIn) -> str:
    """The `hipcheck log` command that records `entry` again (for --undo and --remove)."""
    import shlex

    parts = ["hipcheck log", f"--pain {entry.pain}"]
    if entry.km is not None:
        parts.append(f"--ran {entry.km:g}")
    if entry.side:
        parts.append(f"--side {entry.side}")
    parts += [flag for flag, on in (("--rest", entry.rest), ("--night", entry.night)) if on]
    if entry.during is not None:
        parts.append(f"--during {entry.during}")
    elif entry.session is not None:
        parts.append("--session" if entry.session else "--no-session")
    if entry.morning is not None:
        parts.append(f"--morning {entry.morning}")
    if entry.note:
        parts.append(f"--note {shlex.quote(escape(entry.note))}")
    parts.append(f"--date {entry.day.isoformat()}")
    return " ".join(parts)


def removed_text(entry: CheckIn) -> str:
    """What `hipcheck log --undo` and `history --remove` print after removing a check-in."""
    from hipcheck.history.trend import short_date

    return (
        f"Removed check-in #{entry.id} of {short_date(entry.day)}: {', '.join(checkin_words(entry))}.\n"
        "Nothing else was changed. To log it again (corrected), run:\n"
        f"  {relog_command(entry)}\n"
    )


def checkin_words(entry: CheckIn) -> list[str]:
    """pain 3/10, ran 8 km, left side, session: pain during 2/10, morning 1/10."""
    parts = [f"pain {entry.pain}/10"]
    if entry.km is not None:
        parts.append(f"ran {entry.km:g} km")
    parts += symptom_bits(entry.side, entry.rest, entry.night)
    parts += session_bits(entry)
    return parts


def session_bits(entry: CheckIn) -> list[str]:
    bits = []
    if entry.during is not None:
        bits.append(f"session done, pain during {entry.during}/10")
    elif entry.session is not None:
        bits.append("session done" if entry.session else "no session")
    if entry.morning is not None:
        bits.append(f"on waking {entry.morning}/10")
    return bits


def logged_text(
    entry: CheckIn, findings: Sequence[Reason], plan: Sequence[str] = (), width: int | None = None
) -> str:
    """What `hipcheck log` prints after saving a check-in, what it means for the plan (`plan`, in words),
    and any escalation the history now shows; wrapped at word boundaries to `width` (a terminal's),
    one line a sentence when None (a pipe)."""
    from hipcheck.history.trend import short_date

    out = [f"Logged {short_date(entry.day)}: {', '.join(checkin_words(entry))}."]
    out += [escape(line) for line in plan]
    if findings:
        out += [
            "",
            *(f"! {escape(r.text)}" for r in findings),
            "",
            "Your next `hipcheck triage` takes this into account.",
        ]
    out.append(
        f"See the trend with: hipcheck history (this is check-in #{entry.id}; "
        "undo it with hipcheck log --undo)"
    )
    if width:
        import textwrap

        out = [
            textwrap.fill(
                line,
                width,
                subsequent_indent="  " if line[:2] in ("! ", "• ") else "",
                break_long_words=False,
                break_on_hyphens=False,
            )
            or line
            for line in out
        ]
    return "\n".join(out) + "\n"
