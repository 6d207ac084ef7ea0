"""`hipcheck report`: a saved triage result again, in full, without doing the interview again.

Which result: the latest (the default, or `--last`); `N` or `--id N`, the result numbered N in
`hipcheck history` (its table shows `Triage #N`; --json and --csv give it as `id`); or a date
(YYYY-MM-DD, today, yesterday) for the latest result saved that day. It is shown in the terminal with
every tip, saved as a report with `--save FILE` (the types and overwrite rules of `triage --save`), or
printed as it was stored with `--json`.

A result is stored as its --json text, so one saved with older content still shows: it is read with
the result model, and when even that fails the error says so in one line (`--json` still prints it).
Text in a stored result is shown with its control characters escaped: the history file is data, and
data can be damaged or edited.

Exit codes: 1 when there is no saved result, the history or the chosen result cannot be read, or the
report cannot be written; 2 for bad input: a number or date that names no saved result, or a bad
`--save` path. Reading never creates a history. Wire-up: `register(app)` in app.py.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hipcheck.commands.common import Exit, console, fail, knowledge, note
from hipcheck.commands.help import examples
from hipcheck.commands.history_options import AfterContent, AfterNoColor, AfterRegion, parse_day, shown
from hipcheck.knowledge.text import escape, json_safe

if TYPE_CHECKING:
    from hipcheck.history.models import PastResult
    from hipcheck.knowledge.models import TriageResult

MAX_ID_DIGITS = 18  # SQLite's ids are 64-bit: a longer number names no record


def _today() -> date:
    """Today's local date (tests replace this)."""
    return date.today()


def _number(text: str) -> int | None:
    """`3` or `#3` as 3; None if it is not a result number (ASCII digits only: not ², ٣ or １０)."""
    t = text.strip().removeprefix("#")
    if not (t.isascii() and t.isdigit()):
        return None
    if len(t) > MAX_ID_DIGITS:
        fail(f"no saved result #{shown(t)} in your history; see `hipcheck history`")
    return int(t)


def _choose(which: str | None, result_id: str | None, last: bool) -> tuple[str, int | date | None]:
    """What to show: ("last", None), ("id", N) or ("day", date), from the command line."""
    if which is not None and result_id is not None:
        fail("give the result once: hipcheck report N, or hipcheck report --id N")
    if last and (which is not None or result_id is not None):
        fail("--last is the latest saved result; it cannot be combined with a number, a date or --id")
    if result_id is not None:
        n = _number(result_id)
        if n is None:
            fail(f"--id needs a result number, such as 3 (see `hipcheck history`), not '{shown(result_id)}'")
        return "id", n
    if which is None or which.strip().lower() in ("last", "latest"):
        return "last", None
    n = _number(which)
    if n is not None:
        return "id", n
    t = which.strip().lower()
    if t in ("today", "yesterday") or re.fullmatch(r"\d{4}-\d{2}-\d{2}", t, flags=re.ASCII):
        return "day", parse_day(which, "the date", _today())
    fail(
        f"'{shown(which)}' is neither a result number nor a date; give N as `hipcheck history` numbers "
        "them (Triage #N), or a date as YYYY-MM-DD"
    )


def _load(choice: tuple[str, int | date | None]) -> tuple[PastResult, str]:
    """The chosen saved result's summary and its stored JSON text. Never creates a history."""
    from hipcheck.commands.history_data import open_history
    from hipcheck.history.store import Damaged, StoreError, db_path, exists, load_result_json, load_results

    if not exists():
        fail(
            f"no saved triage results: there is no hipcheck history at {db_path()} yet "
            "(`hipcheck triage` saves each result there, unless --no-save)",
            Exit.ERROR,
        )
    conn = open_history(create=False)
    try:
        damaged: list[Damaged] = []
        try:
            results = load_results(conn, None, damaged)
        except StoreError as exc:
            fail(str(exc), Exit.ERROR)
        kind, value = choice
        broken = {d.id: d for d in damaged}
        if kind == "id" and value in broken:
            fail(
                f"saved result #{value} cannot be read ({broken[value].problem}); nothing was changed",
                Exit.ERROR,
            )
        if not results:
            unread = f" ({len(damaged)} could not be read)" if damaged else ""
            fail(
                f"no saved triage results in your history yet{unread}; `hipcheck triage` saves each result",
                Exit.ERROR,
            )
        picked = _pick(results, choice, damaged)
        try:
            raw = load_result_json(conn, picked.id)
        except StoreError as exc:
            fail(str(exc), Exit.ERROR)
        except ValueError as exc:
            fail(f"saved result #{picked.id} cannot be read ({exc})", Exit.ERROR)
    finally:
        conn.close()
    if raw is None:  # deleted since it was listed (hipcheck history --forget in another window)
        fail(f"saved result #{picked.id} is no longer in your history", Exit.ERROR)
    return picked, raw


def _pick(results: list[PastResult], choice: tuple[str, int | date | None], damaged: list) -> PastResult:
    from hipcheck.commands.history_data import warn
    from hipcheck.history.trend import short_date

    kind, value = choice
    numbers = f"#{min(r.id for r in results)} to #{max(r.id for r in results)}"
    if kind == "id":
        found = [r for r in results if r.id == value]
        if not found:
            fail(f"no saved result #{value} in your history (it has {numbers}); see `hipcheck history`")
        return found[0]
    ordered = sorted(results, key=lambda r: (r.day, r.recorded_at, r.id))
    if kind == "day":
        that_day = [r for r in ordered if r.day == value]
        if not that_day:
            fail(f"no saved result on {value.isoformat()}; see `hipcheck history` for the days with one")
        if len(that_day) > 1:
            note(
                f"{len(that_day)} results were saved on {short_date(that_day[-1].day)}: showing the latest, "
                f"#{that_day[-1].id} (the others: {', '.join(f'#{r.id}' for r in that_day[:-1])})"
            )
        return that_day[-1]
    latest = ordered[-1]
    later = [d for d in damaged if d.id > latest.id]
    if later:
        warn(
            f"saved result #{later[-1].id} is later but cannot be read; showing #{latest.id} "
            f"of {short_date(latest.day)} {latest.day.year}"
        )
    return latest


def _problem(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):  # pydantic's ValidationError: the first field and what is wrong with it
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return escape(f"{where}: {first.get('msg', '')}" if where else str(first.get("msg", "")))[:120]
    return escape(str(exc))[:120]


def _parse(picked: PastResult, raw: str) -> tuple[dict, TriageResult | None, str]:
    """(the stored object, the result read with the model or None, why not)."""
    import json

    from pydantic import ValidationError

    from hipcheck.knowledge.models import TriageResult
    from hipcheck.screens.report_doc import escape_all

    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        fail(f"saved result #{picked.id} cannot be read: it is not valid JSON", Exit.ERROR)
    if not isinstance(data, dict):
        fail(f"saved result #{picked.id} cannot be read: it is not a JSON object", Exit.ERROR)
    try:
        return data, TriageResult.model_validate(escape_all(data)), ""
    except (ValidationError, RecursionError, ValueError) as exc:
        return data, None, _problem(exc)


def report(
    which: Annotated[
        str | None,
        typer.Argument(
            metavar="N|DATE",
            help="Which saved result: its number in `hipcheck history` (Triage #N), or a date (YYYY-MM-DD, "
            "yesterday) for the latest saved that day. Default: the latest.",
            show_default=False,
        ),
    ] = None,
    result_id: Annotated[
        str | None,
        typer.Option("--id", metavar="N", help="The saved result numbered N in `hipcheck history`."),
    ] = None,
    last: Annotated[bool, typer.Option("--last", help="The latest saved result (the default).")] = False,
    save: Annotated[
        Path | None,
        typer.Option("--save", metavar="FILE", help="Save it as a report (.txt, .md, .html, .svg)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="With --save: replace FILE if it exists (keeping its mode).")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as it was saved, as JSON on stdout.")
    ] = False,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress",
            help="A one-page progress report for a GP or physio instead: the latest triage, the plan's "
            "steps and why they changed, sessions done against planned, a chart of pain during sessions "
            "and the next morning, every warning sign. Printed as Markdown, or saved with --save "
            "(.html, print-ready, or .md).",
        ),
    ] = False,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
    region: AfterRegion = None,
) -> None:
    """Show a saved triage result again, in full: urgency, causes, every tip and your answers; or save
    it as a report for a physio or GP.

    Every `hipcheck triage` is saved in your private history (unless --no-save); this reads it back, so
    you need not answer the questions again. It never changes the history."""
    if progress:
        if which is not None or result_id is not None or last or as_json:
            fail("--progress covers your whole history: it goes with --save FILE only")
        _progress(save, overwrite)
        return
    choice = _choose(which, result_id, last)
    if save is not None:
        from hipcheck.screens.report import report_path_problem

        if problem := report_path_problem(save, overwrite=overwrite):
            fail(problem)
    elif overwrite:
        fail("--overwrite only goes with --save FILE")

    picked, raw = _load(choice)
    data, result, why_not = _parse(picked, raw)
    if as_json:
        import json

        text = json.dumps(data, indent=2, ensure_ascii=False)
        sys.stdout.write(json_safe(text) + "\n")
    if result is None:
        version = escape(str(data.get("content_version", "")))[:40] or "unknown"
        fail(
            f"saved result #{picked.id} cannot be shown by this version of hipcheck ({why_not}); it was "
            f"saved with content version {version}"
            + ("" if as_json else f"; `hipcheck report {picked.id} --json` prints it as it was saved"),
            Exit.ERROR,
        )
    if as_json and save is None:
        return
    kb = knowledge()
    if result.region is not None and kb.region is not None and kb.region.code != result.region.code:
        note(
            f"Saved result #{picked.id} names the services of {result.region.name} ({result.region.code}), "
            f"as when it was made; for {kb.region.name} ({kb.region.code}), run `hipcheck triage` again."
        )
    if save is not None:
        from hipcheck.screens.report import save_report

        try:
            save_report(
                kb,
                result,
                save,
                picked.day,
                overwrite=overwrite,
                saved_as=f"saved result #{picked.id}",
                made_on=_today(),
            )
        except OSError as exc:
            fail(f"could not save the report to {escape(str(save))}: {exc.strerror or exc}", Exit.ERROR)
        note(f"Report of saved result #{picked.id} ({picked.day.isoformat()}) saved to {escape(str(save))}")
        return
    _show(kb, picked, result)


def _progress(save: Path | None, overwrite: bool) -> None:
    """`report --progress`: the plan of the latest triage replayed over the check-ins (as `hipcheck plan`
    does), as one page; printed as Markdown, or saved as .html or .md."""
    from hipcheck.commands import plan as plan_cmd
    from hipcheck.commands.history_data import load_existing
    from hipcheck.engine import plan as engine
    from hipcheck.history.store import exists
    from hipcheck.knowledge.loader import ContentError, plan_content
    from hipcheck.screens import progress, progress_doc
    from hipcheck.screens.files import save_path_problem, write_private

    if save is not None:
        if problem := save_path_problem(
            save, progress.PROGRESS_TYPES, "progress report", overwrite=overwrite
        ):
            fail(problem)
    elif overwrite:
        fail("--overwrite only goes with --save FILE")
    checkins, results = load_existing()
    if not results:
        fail("no saved triage in your history: run `hipcheck triage` first", Exit.ERROR)
    kb = knowledge()
    today = _today()
    result = None
    try:
        content_plans = plan_content(kb)
    except ContentError:
        content_plans = None
    triage = plan_cmd._from_history(kb, results)
    if content_plans is not None and content_plans.plans and triage is not None:
        result = engine.build(
            kb,
            content_plans,
            triage,
            today=today,
            checkins=[plan_cmd._session(c) for c in checkins],
            clearances=plan_cmd._clearances() if exists() else [],
        )
    d = progress_doc.build(kb, result, checkins, results, today)
    if save is None:
        sys.stdout.write(progress.progress_markdown(d))
        return
    text = progress.progress_html(d) if save.suffix.lower() == ".html" else progress.progress_markdown(d)
    try:
        write_private(save, text.encode("utf-8"), overwrite=overwrite)
    except OSError as exc:
        fail(f"could not save the progress report to {escape(str(save))}: {exc.strerror or exc}", Exit.ERROR)
    note(f"Progress report saved to {escape(str(save))}")


def _show(kb, picked: PastResult, result: TriageResult) -> None:
    """The result as the terminal shows a triage's, with every tip (each with why, in a sentence) and
    every answer, as the report words them."""
    from rich.console import Group
    from rich.text import Text

    from hipcheck.history.trend import short_date
    from hipcheck.screens import report_doc
    from hipcheck.screens.report import answers_table, tips_view
    from hipcheck.screens.result import causes_table, level_panel

    head = f"Saved triage #{picked.id}, {short_date(picked.day)} {picked.day.year}"
    version = f"content version {result.content_version}"
    if result.region is not None:
        version = f"services named for {result.region.name}; {version}"
    if result.content_version != kb.meta.content_version:
        version += f"; questions are worded as in {kb.meta.content_version}, the version in use"
    console().print(
        Group(
            Text.assemble((head, "bold"), "  ", (f"({version})", "dim")),
            Text(""),
            level_panel(result),
            Text(""),
            causes_table(result),
            Text(""),
            tips_view(report_doc.build(kb, result, picked.day)),
            answers_table(kb, result.answers),
            Text(""),
            Text(f"Save it for a physio or GP: hipcheck report {picked.id} --save report.html", style="dim"),
            Text(""),
            Text(result.disclaimer, style="italic"),
        )
    )


def register(app: typer.Typer) -> None:
    """Add `report` to the hipcheck app."""
    app.command(
        "report",
        epilog=examples(
            "hipcheck report",
            "hipcheck report 3 --save visit.html",
            "hipcheck report 2026-11-20",
            "hipcheck report --json | jq .level",
            "hipcheck report --progress --save progress.html",
        ),
    )(report)
