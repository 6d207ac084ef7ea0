"""`hipcheck log` and `hipcheck history`: the Typer commands, and the questions `log` asks.

Wire-up (commands/app.py): `history.register(app)`; `triage` uses `history_reasons_and_saver`,
re-exported here from commands/history_hook.py. The work lives in modules with one job each:
commands/history_options (parsing the input), commands/history_data (reading the history for a
command), screens/history (the screen, chart and exports), commands/history_forget (--forget),
commands/history_hook (for triage).
Heavy modules (rich, plotext, sqlite3 via .store, platformdirs, questionary) are imported inside the
functions that need them, never at module level, so other commands start as fast as before.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated, TypedDict

import typer

from hipcheck.commands.common import Exit, console, fail, state
from hipcheck.commands.help import examples
from hipcheck.commands.history_hook import history_reasons_and_saver
from hipcheck.commands.history_options import (
    SIDE_CHOICES,
    AfterContent,
    AfterNoColor,
    cannot_ask_why,
    check_note,
    interrupted,
    is_pain_score,
    parse_day,
    parse_distance,
    parse_id,
    parse_km,
    parse_pain,
    parse_score,
    parse_side,
)

__all__ = ["history", "history_reasons_and_saver", "log", "register"]


def _today() -> date:
    """Today's local date (tests replace this)."""
    return date.today()


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


# --------------------------------------------------------------------------- log


class Asked(TypedDict, total=False):
    """What `hipcheck log` asked for on the terminal (only the keys it asked)."""

    pain: int
    km: float | None
    side: str | None
    rest: bool
    night: bool
    note: str | None
    session: bool | None
    during: int | None
    morning: int | None


SKIP = "skip"
DID, SKIPPED = "did", "skipped"


def _ask_checkin(
    *,
    day_words: str = "today",
    ask_km: bool = True,
    ask_side: bool = True,
    ask_rest: bool = True,
    ask_night: bool = True,
    ask_note: bool = True,
    ask_plan: bool = False,
    default_side: str | None = None,
) -> Asked:
    """Ask for the check-in on the terminal; prompts go to stderr. Only pain needs typing: every
    other question has a default that Enter accepts (no distance, the side logged last time, no rest
    or night pain, no plan session, no note), so a quick check-in stays quick. `ask_plan`: ask about
    today's plan session and this morning's pain (for `hipcheck plan`)."""
    import questionary
    from questionary import Choice

    from hipcheck.history.store import MAX_KM, MAX_NOTE
    from hipcheck.screens.interview import terminal_session

    def pain_ok(text: str) -> bool | str:
        return is_pain_score(text) or "A whole number from 0 (no pain) to 10 (worst imaginable)"

    def km_ok(text: str) -> bool | str:
        if not text.strip():
            return True
        km = parse_distance(text)
        if km is None:
            return "A distance in km, such as 8 or 10.5, or Enter to skip"
        return 0 <= km <= MAX_KM or f"A distance from 0 to {MAX_KM:g} km, or Enter to skip"

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
            asked["km"] = parse_distance(answer) if answer.strip() else None
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
                questionary.confirm(
                    "Pain at rest, sitting or lying still (not only from lying on the sore side)?",
                    default=False,
                ).unsafe_ask()
            )
        if ask_night:
            asked["night"] = bool(
                questionary.confirm(
                    "Pain at night, enough to wake you (not only from lying on the sore side)?", default=False
                ).unsafe_ask()
            )
        if ask_plan:
            done = questionary.select(
                "Your back-to-running plan (hipcheck plan): a session today? (Enter: no plan today)",
                choices=[
                    Choice("No plan session today", value=SKIP),
                    Choice("I did today's session", value=DID),
                    Choice("I skipped today's session", value=SKIPPED),
                ],
                default=SKIP,
            ).unsafe_ask()
            if done != SKIP:
                asked["session"] = done == DID
                if done == DID:
                    asked["during"] = int(
                        questionary.text("Pain during the session, from 0 to 10:", validate=pain_ok)
                        .unsafe_ask()
                        .strip()
                    )
                answer = questionary.text(
                    "Pain on waking this morning, from 0 to 10 (Enter to skip):",
                    validate=lambda t: not t.strip() or pain_ok(t),
                ).unsafe_ask()
                asked["morning"] = int(answer) if answer.strip() else None
        if ask_note:
            text = questionary.text("A short note (Enter to skip):", validate=note_ok).unsafe_ask()
            asked["note"] = text.strip() or None
    return asked


def _has_saved_triage() -> bool:
    """Whether the history holds a triage result (read only: asking must not create a history)."""
    from hipcheck.commands.history_data import load_existing

    return bool(load_existing(quiet=True)[1])


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
        str | None, typer.Option("--side", metavar="SIDE", help="Which hip hurts: left, right or both.")
    ] = None,
    rest: Annotated[
        bool | None,
        typer.Option(
            "--rest/--no-rest",
            help="It hurt (or did not) at rest, sitting or lying still (not only lying on the sore side).",
        ),
    ] = None,
    night: Annotated[
        bool | None,
        typer.Option(
            "--night/--no-night",
            help="It hurt (or did not) at night, enough to wake you; not pain only from lying on the sore "
            "side, which is pressure on a sore tendon.",
        ),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATE",
            help="The day this is about: YYYY-MM-DD, or yesterday (default today).",
        ),
    ] = None,
    session: Annotated[
        bool | None,
        typer.Option("--session/--no-session", help="You did (or did not do) today's session of your plan."),
    ] = None,
    during: Annotated[
        str | None,
        typer.Option(
            "--during", metavar="0-10", help="Pain during today's plan session (implies --session)."
        ),
    ] = None,
    morning: Annotated[
        str | None,
        typer.Option(
            "--morning", metavar="0-10", help="Pain on waking this morning, after the last session."
        ),
    ] = None,
    undo: Annotated[
        bool,
        typer.Option("--undo", help="Remove the check-in you logged last (and show how to log it again)."),
    ] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; fail if --pain is missing.")
    ] = False,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
) -> None:
    """Record a quick check-in: today's pain (0-10), and optionally how far you ran, the side, and
    pain at rest or at night.

    Without --pain, on a terminal, it asks for each (Enter accepts the default), and, once a triage
    is saved, about today's plan session. Kept privately on this machine; `hipcheck history` shows the
    trend.

    Following a plan (`hipcheck plan`)? After a session add --during N (its pain, 0-10); the next
    morning add --morning N. `hipcheck plan` reads them to say whether to stay, move on or step back.
    A wrong check-in: `--undo` removes the last one, `hipcheck history --remove ID` any one."""
    from hipcheck.commands.history_data import damaged_words, last_side, open_history, rules, warn
    from hipcheck.history.store import (
        Damaged,
        InputError,
        StoreError,
        add_checkin,
        load_checkins,
        load_results,
    )
    from hipcheck.history.trend import escalation_reasons, short_date
    from hipcheck.screens.history import logged_text

    if undo:
        given = (pain, ran, note, side, rest, night, day, session, during, morning)
        if any(v is not None for v in given):
            fail("--undo removes the last check-in; it takes no other option")
        remove_checkin_command(None)
        return
    today = _today()
    the_day = parse_day(day, "--date", today) if day is not None else today
    during_score = parse_score(during, "--during") if during is not None else None
    morning_score = parse_score(morning, "--morning") if morning is not None else None
    if session is False and during_score is not None:
        fail("--during is the pain during today's session; it cannot go with --no-session")
    score = parse_pain(pain) if pain is not None else None
    km = parse_km(ran) if ran is not None else None
    side = parse_side(side) if side is not None else None
    note = check_note(note) if note is not None else None
    history_rules = rules(state.content_dir)

    if score is None:
        if no_input or not _stdin_is_tty():
            why = cannot_ask_why(no_input)
            fail(f"{why}, so hipcheck cannot ask; give the pain score with --pain N (0-10)")
        try:
            default_side = last_side(state.content_dir) if side is None else None
            asked = _ask_checkin(
                day_words="today" if the_day == today else f"on {short_date(the_day)}",
                ask_km=ran is None,
                ask_side=side is None,
                ask_rest=rest is None,
                ask_night=night is None,
                ask_note=note is None,
                # a plan follows a saved triage: without one there is no plan session to ask about
                ask_plan=session is None and during is None and morning is None and _has_saved_triage(),
                default_side=default_side,
            )
        except (KeyboardInterrupt, EOFError):
            raise interrupted("nothing saved") from None
        session = asked.get("session", session)
        during_score = asked.get("during", during_score)
        morning_score = asked.get("morning", morning_score)
        score = asked["pain"]
        km = asked.get("km", km)
        side = asked.get("side", side)
        rest = asked.get("rest", rest)
        night = asked.get("night", night)
        note = asked.get("note", note)

    conn = open_history(create=True)
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
                session=session,
                during=during_score,
                morning=morning_score,
            )
        except InputError as exc:
            fail(str(exc))
        except StoreError as exc:  # a lock that outlasted the retries, a full disk: nothing was written
            fail(str(exc), Exit.ERROR)
        except KeyboardInterrupt:
            raise interrupted("nothing saved") from None
        # The check-in is saved: from here on no failure may say otherwise (a retry would log it twice).
        damaged: list[Damaged] = []
        try:
            checkins, results = load_checkins(conn, None, damaged), load_results(conn, None, damaged)
        except StoreError as exc:
            warn(f"the check-in was saved, but the history could not be read for warning signs: {exc}")
            checkins, results = [entry], []
        if damaged:
            warn(damaged_words(damaged))
    finally:
        conn.close()

    findings = escalation_reasons(checkins, results, today, history_rules)
    import shutil

    from hipcheck.commands.plan import checkin_feedback

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    sys.stdout.write(logged_text(entry, findings, checkin_feedback(checkins, results, entry), width))


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
    repair: Annotated[
        bool,
        typer.Option(
            "--repair", help="Rebuild a damaged history from what can be read, after keeping a copy of it."
        ),
    ] = False,
    remove: Annotated[
        str | None,
        typer.Option("--remove", metavar="ID", help="Remove one check-in, by the id the table shows (#12)."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --forget: do not ask.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt.")] = False,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
) -> None:
    """Show your check-ins and past triage results: a chart of pain over time, a table, and whether
    the history says you should see someone."""
    if remove is not None:
        if repair or forget or as_json or as_csv or since or yes:
            fail("--remove cannot be combined with --repair, --forget, --yes, --json, --csv or --since")
        remove_checkin_command(parse_id(remove, "--remove"))
        return
    if repair:
        if forget or as_json or as_csv or since or yes:
            fail("--repair cannot be combined with --forget, --yes, --json, --csv or --since")
        repair_history()
        return
    if forget:
        if as_json or as_csv or since:
            fail("--forget cannot be combined with --json, --csv or --since")
        from hipcheck.commands.history_forget import forget_history

        forget_history(yes=yes, no_input=no_input, stdin_is_tty=_stdin_is_tty)
        return
    if yes:
        fail("--yes only goes with --forget")
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    today = _today()
    since_day = parse_day(since, "--since", today, relative=True) if since is not None else None

    from hipcheck.commands.history_data import load_existing, rules

    history_rules = rules(state.content_dir)
    all_checkins, all_results = load_existing()

    from hipcheck.history.trend import summarize, with_symptoms
    from hipcheck.screens import history as view

    # The trend and findings use the whole history; --since only narrows what is listed.
    summary = summarize(all_checkins, all_results, today, history_rules)
    # Side, rest and night read from each triage's answers, the same way the escalation rule reads
    # them, so the table, --csv and --json all show them.
    all_results = [with_symptoms(r, history_rules) for r in all_results]
    checkins = [c for c in all_checkins if since_day is None or c.day >= since_day]
    results = [r for r in all_results if since_day is None or r.day >= since_day]

    if as_json:
        clearances = [c for c in _stored_clearances() if since_day is None or c.day >= since_day]
        sys.stdout.write(view.history_json(today, since_day, checkins, results, summary, clearances))
        return
    if as_csv:
        from hipcheck.commands.plan import history_rows

        steps = history_rows(all_checkins, all_results, steps_only=True)
        sys.stdout.write(view.history_csv(checkins, results, history_rules, steps))
        return

    from hipcheck.history.store import db_path

    con = console()
    if not all_checkins and not all_results:
        from rich.text import Text

        con.print(Text(view.no_history_text(db_path())))
        return
    from hipcheck.commands.plan import history_rows

    plan_rows = [
        row for row in history_rows(all_checkins, all_results) if since_day is None or row[0] >= since_day
    ]
    for part in view.history_view(
        checkins,
        results,
        summary,
        history_rules,
        since_day,
        today,
        con.width,
        db_path(),
        content_dir=state.content_dir,
        all_results=all_results,
        plan_rows=plan_rows,
    ):
        con.print(part)


def _stored_clearances() -> list:
    """The clearances recorded with `hipcheck plan --cleared` (none when there is no history)."""
    from hipcheck.commands.history_data import open_history
    from hipcheck.history.store import StoreError, exists, load_clearances

    if not exists():
        return []
    conn = open_history(create=False)
    try:
        return load_clearances(conn)
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)
    finally:
        conn.close()


def remove_checkin_command(checkin_id: int | None) -> None:
    """`hipcheck log --undo` (the last check-in) and `hipcheck history --remove ID`: delete one check-in,
    keep everything else, and print it with the command that logs it again."""
    from hipcheck.commands.history_data import open_history
    from hipcheck.history.store import StoreError, exists, get_checkin, latest_checkin, remove_checkin
    from hipcheck.screens.history import removed_text

    if not exists():
        fail("there is no history yet, so there is no check-in to remove")
    conn = open_history(create=False)
    try:
        try:
            entry = latest_checkin(conn) if checkin_id is None else get_checkin(conn, checkin_id)
            if entry is None:
                fail(
                    "there is no check-in to remove"
                    if checkin_id is None
                    else f"there is no check-in #{checkin_id}; `hipcheck history` shows each one's id"
                )
            if not remove_checkin(conn, entry.id):
                fail(f"check-in #{entry.id} was removed meanwhile; nothing changed")
        except StoreError as exc:
            fail(str(exc), Exit.ERROR)
    finally:
        conn.close()
    sys.stdout.write(removed_text(entry))


def repair_history() -> None:
    """`hipcheck history --repair`: keep a copy of a damaged history, then rebuild it."""
    from hipcheck.history.store import StoreError, db_path, exists, repair
    from hipcheck.knowledge.text import escape

    path = escape(str(db_path()))
    if not exists():
        sys.stdout.write(f"Nothing to repair: there is no hipcheck history at {path}.\n")
        return
    try:
        done = repair()
    except StoreError as exc:
        fail(str(exc), Exit.ERROR)
    counted = f"{done.checkins} check-in(s) and {done.results} triage result(s)"
    if done.backup is None:
        sys.stdout.write(f"Your history at {path} is not damaged ({counted}); nothing was changed.\n")
        return
    lines = [
        f"Kept a copy of the damaged history at {escape(str(done.backup))}.",
        f"Rebuilt {path} with {counted}.",
    ]
    if done.unreadable:
        lines.append("Part of the file could not be read: whatever it held is only in the copy.")
    sys.stdout.write("\n".join(lines) + "\n")


def register(app: typer.Typer) -> None:
    """Add `log` and `history` to the hipcheck app."""
    app.command(
        "log",
        epilog=examples(
            "hipcheck log --pain 3 --ran 8",
            "hipcheck log -p 5 --side left --night --note 'woke at 3am'",
            "hipcheck log --pain 2 --date yesterday",
            "hipcheck log --pain 2 --ran 3 --during 2",
            "hipcheck log --pain 1 --morning 1",
            "hipcheck log --undo",
        ),
    )(log)
    app.command(
        "history",
        epilog=examples(
            "hipcheck history",
            "hipcheck history --since 3w",
            "hipcheck history --csv > hip.csv",
            "hipcheck history --remove 12",
            "hipcheck history --forget",
            "hipcheck history --repair",
        ),
    )(history)
