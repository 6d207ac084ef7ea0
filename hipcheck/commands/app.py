"""The command line: parse options, load content, call the engine, pick a renderer. Thin by design.

Exit codes: 0 success, 1 runtime error (e.g. invalid content), 2 usage or bad input, 130 interrupted.
Results go to stdout; prompts, messages and errors to stderr. Rich and questionary are imported only
on the paths that draw or ask, and pydantic models and TOML only on the paths that need them: the
`--json` views of `list`, `explain` and `questions` are served from the content cache (knowledge/cache.py), so
those commands start about as fast as Typer itself. Keep module-level imports here light.
"""

import errno
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, NoReturn

import typer

from hipcheck import __version__
from hipcheck.commands import history as history_commands
from hipcheck.commands import plan as plan_command
from hipcheck.commands import report as report_command
from hipcheck.commands.common import (
    Exit,
    console,
    emit_json,
    fail,
    json_views,
    knowledge,
    note,
    quiet_stdout,
    read_answers,
    regional_page,
    safe_streams,
    state,
)
from hipcheck.commands.help import App, examples
from hipcheck.commands.history_options import REGION_HELP, AfterContent, AfterNoColor, AfterRegion
from hipcheck.engine.parallel import MAX_JOBS  # light: the process pool is imported where it is used
from hipcheck.knowledge.files import CONTENT_ENV_VAR as ENV_VAR
from hipcheck.knowledge.text import echo, escape

if TYPE_CHECKING:
    from hipcheck.knowledge.loader import KnowledgeBase
    from hipcheck.knowledge.models import TriageResult
    from hipcheck.knowledge.names import NameMatch

ROOT_VALUE_OPTIONS = frozenset({"--content"})  # the root options that take a value (see App.for_args)


app = App(
    name="hipcheck",
    help="An offline symptom checker for runners whose hip hurts. Information, not a diagnosis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    epilog="Start with: hipcheck triage",
)
content_app = App(help="Tools for the people who maintain content/.", no_args_is_help=True)
app.add_typer(content_app, name="content")


# --------------------------------------------------------------------------- helpers


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"hipcheck {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    no_color: Annotated[
        bool,
        typer.Option(
            "--no-color", help="No colour (also: NO_COLOR=1, TERM=dumb). Works after the command too."
        ),
    ] = False,
    content: Annotated[
        Path | None,
        typer.Option(
            "--content",
            metavar="DIR",
            envvar=ENV_VAR,
            help="Use another content directory. Works after the command too.",
            show_default=False,
        ),
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", metavar="CODE", help=REGION_HELP, show_default=False)
    ] = None,
) -> None:
    state.no_color = no_color
    state.content_dir = content
    state.region = region
    safe_streams()  # main() does it for real runs; here too for in-process callers


# --------------------------------------------------------------------------- triage


def _open_answers(source: str) -> tuple[bool, list, Iterator, IO[bytes]]:
    """(batch?, the lines read so far, the other lines, the byte stream): batch when the file is
    *.jsonl / *.ndjson, or holds one JSON value per line (its first non-blank line is a complete JSON
    value and another line follows); see batch.is_batch. Lines are bytes, at most answer_input.MAX_BYTES
    long (None for a longer one)."""
    from hipcheck.engine.answer_input import open_source, read_lines
    from hipcheck.engine.batch import sniff

    try:
        stream = open_source(source)
        batch, head, rest = sniff(source, read_lines(stream))
    except FileNotFoundError:
        fail(f"answers file not found: {source}")
    except OSError as exc:
        fail(f"cannot read answers file {source}: {exc.strerror or exc}")
    return batch, head, rest, stream


@app.command(
    epilog=examples(
        "hipcheck triage",
        "hipcheck triage --answers answers.json --full",
        "hipcheck triage --json | jq .level",
        'echo \'{"injury": "no", "location": ["lateral"]}\' | hipcheck triage --answers - --json',
        "hipcheck triage --answers cases.jsonl --json > results.jsonl",
    )
)
def triage(
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            "-a",
            metavar="FILE",
            help="Answer from a JSON file ('-' for stdin) instead of prompts.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")] = False,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="With --json: only the level and its reason ids, the top causes with their likelihoods and "
            "the causes not ruled out (`hipcheck schema triage-brief`); for surveys and studies.",
        ),
    ] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; fail if answers are missing.")
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option("--save", metavar="FILE", help="Also save a report (.txt, .md, .html, .svg)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="With --save: replace FILE if it exists (keeping its mode).")
    ] = False,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Show the whole result: every reason, the evidence for each cause and every tip (paged "
            "on a terminal).",
        ),
    ] = False,
    no_save: Annotated[
        bool,
        typer.Option(
            "--no-save",
            help="Leave your private history out of this triage: not read, not saved. Use it when "
            "answering for someone else.",
        ),
    ] = False,
    with_history: Annotated[
        bool,
        typer.Option(
            "--history",
            help="With --answers: read and save your history too (by default an answers file gives "
            "the same result every time).",
        ),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            min=1,
            max=MAX_JOBS,
            help="With a file of many answer sets: score them on N processes (output stays in input order).",
        ),
    ] = 1,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
    region: AfterRegion = None,
) -> None:
    """Answer questions about your hip pain; get the urgency, likely causes and what to do.

    Many answer sets at once: give --answers a file with one JSON object per line (a *.jsonl file, or any
    file whose lines are each a complete JSON object) and add --json. Each line gets one compact JSON
    result line on stdout, streaming, starting with "line": N, its input line; a bad line gets
    `hipcheck: error: line N: ...` on stderr, the others are still scored, and the exit code is 2 if any
    failed. These results neither use nor feed your history."""
    from hipcheck.engine.decide import AnswerError, assess, validate_answers

    if with_history and no_save:
        fail("--history and --no-save cannot be used together: one uses the history, the other leaves it out")
    if brief and not as_json:
        fail("--brief is a form of --json: add --json")
    if brief and (with_history or save is not None or full):
        fail("--brief gives the compact JSON only: it cannot be combined with --history, --save or --full")
    kb = knowledge()
    if save is not None:  # before the first question: a bad path must not cost the interview
        from hipcheck.screens.report import report_path_problem

        if problem := report_path_problem(save, overwrite=overwrite):
            fail(problem)
    elif overwrite:
        fail("--overwrite only goes with --save FILE")
    if answers is not None:
        batch, head, rest, stream = _open_answers(answers)
        if batch:
            import itertools

            _batch(
                kb, answers, itertools.chain(head, rest), as_json=as_json, save=save, jobs=jobs, brief=brief
            )
            return
        if jobs != 1:
            fail(f"--jobs is for a file of many answer sets (JSON Lines); {answers} holds one")
        try:
            given = validate_answers(kb, read_answers(answers, head, stream))
        except AnswerError as exc:
            fail(str(exc))
        if brief:  # a script's compact result: no history, as for any answers file without --history
            from hipcheck.engine.decide import assess_brief

            emit_json(assess_brief(kb, given))
            return
    else:
        if jobs != 1:
            fail("--jobs is for a file of many answer sets: --answers FILE.jsonl --json --jobs N")
        if brief:
            fail("--brief is for answers given with --answers (the interview shows the whole result)")
        if no_input or not sys.stdin.isatty():
            why = "--no-input was given" if no_input else "stdin is not a terminal"
            fail(
                f"{why}, so hipcheck cannot ask questions; "
                "pass answers with --answers FILE (see `hipcheck questions`)"
            )
        given = _interview(kb)

    from hipcheck.commands.history import history_reasons_and_saver

    # The interview is the user's own triage: it uses and feeds the history. An answers file is
    # reproducible unless --history asks otherwise.
    use_history = not no_save and (answers is None or with_history)
    history_reasons, keep_in_history = history_reasons_and_saver(
        save=use_history, content_dir=state.content_dir
    )
    result = assess(kb, given, extra_reasons=history_reasons)
    first = None  # the first screen, when it is what was shown
    if as_json:
        emit_json(result)
    elif full:
        from hipcheck.screens.pager import page
        from hipcheck.screens.result import full_view

        page(console(), full_view(result, kb))
    else:
        from hipcheck.screens.result import result_view

        first = result_view(result, kb, in_history=use_history)
        console().print(first)
    in_history = keep_in_history(result)  # first: a report that fails must not lose the result
    if save is not None:
        from hipcheck.screens.report import save_report

        try:
            save_report(kb, result, save, overwrite=overwrite)
        except OSError as exc:
            kept = "; the result was saved to your history" if in_history else ""
            where = escape(str(save))
            fail(f"could not save the report to {where}: {exc.strerror or exc}{kept}", Exit.ERROR)
        note(f"Report saved to {escape(str(save))}")
    if in_history:
        note(
            "Saved to your private history (--no-save skips this): see it again in full, or save it as a "
            "report, with hipcheck report; your history with hipcheck history."
        )
    if first is None:
        return
    screen = console()
    shown = len(screen.render_lines(first, pad=False))
    if answers is None and not as_json and sys.stdout.isatty() and sys.stdin.isatty():
        # The question after the result takes a few lines: if they push the top of the first screen off
        # the terminal, the question repeats the level in one line.
        _what_next(kb, result, full_shown=full, remind=shown + 6 > screen.size.height)
    else:
        from hipcheck.knowledge.models import Level

        # An urgent-or-higher result can be taller than the terminal, and its top (the level) scrolls
        # away: the last line says the level again.
        if not (
            screen.is_terminal and result.level.id.rank >= Level.urgent.rank and shown >= screen.size.height
        ):
            return
        from rich.text import Text

        from hipcheck.screens.result import level_line

        screen.print(Text(level_line(result), style="bold"))


def _what_next(kb: "KnowledgeBase", result: "TriageResult", *, full_shown: bool, remind: bool) -> None:
    """After an interview's result on a terminal: show everything, save a report, or done (highlighted).
    The result is on screen and in the history already, so Ctrl-C or the end of input here just ends.
    `remind`: the level's line goes above the question (the first screen's top has scrolled away)."""
    import datetime as dt

    from hipcheck.commands.plan import plan_after_triage
    from hipcheck.screens.interview import (
        DONE,
        EVERYTHING,
        PLAN,
        ask_report_name,
        terminal_session,
        what_next,
    )
    from hipcheck.screens.pager import page
    from hipcheck.screens.report import report_path_problem, save_report
    from hipcheck.screens.result import full_view, level_line

    def problem(name: str) -> str | None:
        """What is wrong with a file name typed here (the --save checks, in words for this prompt)."""
        path = Path(name)
        found = report_path_problem(path, overwrite=True)
        if found is None and (path.exists() or path.is_symlink()):
            found = f"{escape(name)} already exists; choose another name"
        return found.removeprefix("--save: ").removeprefix("--save ") if found else None

    def suggested() -> str:
        """A name for the report that is not taken yet: hipcheck-DATE.md, then hipcheck-DATE-2.md, ..."""
        stem = f"hipcheck-{dt.date.today().isoformat()}"
        names = (f"{stem}{'' if n == 1 else f'-{n}'}.md" for n in range(1, 100))
        return next((n for n in names if not Path(n).exists()), f"{stem}.md")

    try:
        with terminal_session(no_color=state.no_color):
            reminder = level_line(result) if remind else None
            plan = plan_after_triage(kb, result)  # None when the level or the cause allows no plan
            while (
                choice := what_next(everything=not full_shown, plan=plan is not None, reminder=reminder)
            ) != DONE:
                if choice == EVERYTHING:
                    page(console(), full_view(result, kb))
                    full_shown, reminder = True, None
                    continue
                if choice == PLAN and plan is not None:
                    from rich.console import Group

                    from hipcheck.screens.plan import plan_view

                    page(console(), Group(*plan_view(plan)))
                    plan, reminder = None, None  # shown; `hipcheck plan` shows it again
                    continue
                name = ask_report_name(suggested(), problem)
                if name is None:
                    continue
                try:
                    save_report(kb, result, Path(name))
                except OSError as exc:
                    note(f"could not save the report to {escape(name)}: {exc.strerror or exc}")
                else:
                    note(f"Report saved to {escape(name)}")
    except (KeyboardInterrupt, EOFError):
        sys.stderr.write("\n")


def _batch(
    kb: "KnowledgeBase",
    source: str,
    lines: Iterator[str],
    *,
    as_json: bool,
    save: Path | None,
    jobs: int,
    brief: bool = False,
) -> None:
    """Score one answer object per line: one compact JSON result per line on stdout."""
    from hipcheck.engine.batch import run

    if not as_json:
        fail(f"{source} holds one answer set per line (JSON Lines); add --json to score them all")
    if save is not None:
        fail("--save makes one report; it cannot be combined with a file of many answer sets")
    try:
        done, failed = run(kb, lines, sys.stdout, sys.stderr, jobs=jobs, brief=brief)
    except BrokenPipeError:  # the reader stopped (`| head`): main() ends quietly, as for every command
        raise
    except OSError as exc:
        if exc.errno in _WRITE_ERRORS:  # writing the results failed, not reading: main() says so
            raise
        fail(f"cannot read answers file {source}: {exc.strerror or exc}")
    if failed:
        fail(f"{failed} of {done + failed} answer sets failed; see the lines above")


def _interview(kb: "KnowledgeBase") -> dict:
    from hipcheck.screens.interview import parting_words, run_interview, terminal_session

    try:
        with terminal_session(no_color=state.no_color):
            return run_interview(kb, lambda: console(stderr=True))
    except (KeyboardInterrupt, EOFError) as exc:
        # Answers that already call for a doctor are said once more, even as the user leaves.
        words = parting_words(kb, getattr(exc, "answers", {}))
        sys.stderr.write("\n" + (f"{words}\n\n" if words else ""))
        note("Interrupted: no result, nothing saved.")  # wrapped to the terminal, as the words are
        raise typer.Exit(int(Exit.INTERRUPTED)) from None


# --------------------------------------------------------------------------- lookups


@app.command(epilog=examples("hipcheck explain bursitis", "hipcheck explain 'IT band' --json"))
def explain(
    name: Annotated[
        str,
        typer.Argument(metavar="NAME", help="A condition id, name or alias, e.g. bursitis, ITBS, FAI."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the page as JSON.")] = False,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
    region: AfterRegion = None,
) -> None:
    """Explain a condition: symptoms, why runners get it, self-care, when to see someone, sources."""
    from hipcheck.knowledge.names import lookup

    if as_json:
        views = json_views()
        entries = [(cid, names) for cid, names in views["names"]]
    else:
        kb = knowledge()
        entries = [(c.id, [c.id, c.name, *c.aliases]) for c in kb.conditions]
    found = lookup(entries, name)
    if found.cid is None:
        _no_condition(name, found, {cid: names[1] for cid, names in entries})
    _note_close_match(name, found.cid, dict(entries)[found.cid])
    if as_json:
        sys.stdout.write(regional_page(views, views["explain"][found.cid]) + "\n")
        return
    from hipcheck.screens.pages import condition_view

    console().print(condition_view(kb.condition_by_id[found.cid]))


def _note_close_match(asked: str, cid: str, names: list[str]) -> None:
    """When a partial name or a misspelling was taken as meant, say on stderr which page this is.
    `names`: the condition's id, name and aliases (a part of a displayed name is no close match: the
    user typed what hipcheck showed)."""
    from hipcheck.knowledge.names import name_parts, normalise_name

    if normalise_name(asked) not in {normalise_name(n) for n in [*names, *name_parts(names[1])]}:
        note(f"Showing {cid} ({names[1].split(' (')[0]}), the closest match to '{echo(asked)}'.")


def _no_condition(name: str, found: "NameMatch", names: dict[str, str]) -> NoReturn:
    """One line: the conditions the name could be, or the nearest ones, by id with their names, so the
    user can pick one."""
    hint = "; ".join(f"{cid} ({names.get(cid, cid).split(' (')[0]})" for cid in found.suggestions[:5])
    if found.ambiguous:
        more = len(found.suggestions) - 5
        more = f"; and {more} more (see `hipcheck list`)" if more > 0 else ""
        fail(
            f"'{echo(name)}' could be more than one condition: {hint}{more}. "
            "Pick one with `hipcheck explain ID`."
        )
    hint = f" Did you mean: {hint}?" if found.suggestions else ""
    fail(f"no condition called '{echo(name)}'.{hint} Try `hipcheck explain ID`, or `hipcheck list` for all.")


@app.command("list", epilog=examples("hipcheck list", "hipcheck list --json | jq -r '.conditions[].id'"))
def list_conditions(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
) -> None:
    """List every condition hipcheck knows, one line each."""
    if as_json:
        sys.stdout.write(json_views()["list"] + "\n")
        return
    from hipcheck.knowledge.catalog import condition_list
    from hipcheck.screens.pages import condition_list_view

    console().print(condition_list_view(condition_list(knowledge())))


@app.command(epilog=examples("hipcheck questions", "hipcheck questions --json | jq '.questions[].id'"))
def questions(
    as_json: Annotated[bool, typer.Option("--json", help="Print the question bank as JSON.")] = False,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
) -> None:
    """Show the question bank: ids, options and when each question is asked (for --answers files)."""
    if as_json:
        sys.stdout.write(json_views()["questions"] + "\n")
        return
    from hipcheck.knowledge.catalog import question_list
    from hipcheck.screens.pages import question_list_view

    console().print(question_list_view(question_list(knowledge())))


SCHEMAS = ("triage", "explain", "list", "questions", "history", "plan", "triage-brief")
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"  # the dialect pydantic writes


@app.command(epilog=examples("hipcheck schema triage > triage.schema.json"))
def schema(
    name: Annotated[str, typer.Argument(metavar="NAME", help=f"One of: {', '.join(SCHEMAS)}.")] = "triage",
    content: AfterContent = None,
    no_color: AfterNoColor = False,
) -> None:
    """Print the JSON Schema of a --json output, generated from the models."""
    import json

    from hipcheck.history.models import HistoryExport
    from hipcheck.knowledge import models
    from hipcheck.knowledge import plans as plan_models

    model = {
        "triage": models.TriageResult,
        "triage-brief": models.TriageBrief,
        "explain": models.ConditionPage,
        "list": models.ConditionList,
        "questions": models.QuestionList,
        "history": HistoryExport,
        "plan": plan_models.PlanResult,
    }.get(name)
    if model is None:
        fail(f"unknown schema '{echo(name)}'; choose one of: {', '.join(SCHEMAS)}")
    # No `$id`: the text is the same on every run and machine, to keep under version control.
    described = {"$schema": JSON_SCHEMA_DIALECT, **model.model_json_schema(mode="serialization")}
    sys.stdout.write(json.dumps(described, indent=2) + "\n")


# --------------------------------------------------------------------------- content tools


@content_app.command(
    "check", epilog=examples("hipcheck content check", "hipcheck content check ./my-content")
)
def content_check(
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="DIR", help="Content directory (default: the one in use).", show_default=False
        ),
    ] = None,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
) -> None:
    """Validate a content directory and list every problem at once."""
    from hipcheck.maintenance.checks import check_content

    problems, summary = check_content(directory or state.content_dir)
    for p in problems:
        sys.stdout.write(f"{p}\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) found\n")
        raise typer.Exit(int(Exit.ERROR))
    sys.stdout.write(f"content OK: {summary}\n")


@content_app.command(
    "accuracy",
    epilog=examples(
        "hipcheck content accuracy tests/vignettes/dev tests/vignettes/holdout",
        "hipcheck content accuracy --calibration tests/cases/published",
    ),
)
def content_accuracy(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Vignette files or folders.", show_default=False)
    ],
    calibration: Annotated[
        bool,
        typer.Option(
            "--calibration",
            help="Also print the reliability table of the top cause's likelihood and the expected "
            "calibration error (ECE).",
        ),
    ] = False,
    content: AfterContent = None,
    no_color: AfterNoColor = False,
) -> None:
    """Score vignettes and print the accuracy table (top-1, top-3, triage, under/over-triage)."""
    from hipcheck.maintenance.accuracy import (
        VignetteError,
        calibration_table,
        evaluate,
        load_vignettes,
        table,
    )

    kb = knowledge(regional=False)  # the levels and causes, which no region changes
    try:
        outcomes = evaluate(kb, load_vignettes(paths))
    except VignetteError as exc:
        fail(str(exc))
    if not outcomes:
        fail("no vignettes found")
    sys.stdout.write(table(outcomes) + "\n")
    if calibration:
        sys.stdout.write("\n" + calibration_table(outcomes) + "\n")


history_commands.register(app)  # the log and history commands
plan_command.register(app)  # the back-to-running plan
report_command.register(app)  # a saved result again, in full or as a report


_WRITE_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def main() -> None:
    """Run the app; usage errors become one line on stderr with exit code 2, like every other error."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption, UsageError
    from typer.exceptions import Abort

    safe_streams()
    try:
        code = app.for_args(sys.argv[1:], ROOT_VALUE_OPTIONS)(prog_name="hipcheck", standalone_mode=False)
        sys.stdout.flush()  # here, so a reader that has gone is noticed below, not at exit
    except BrokenPipeError:  # the reader stopped early (`hipcheck list | head -1`): quiet, exit 0
        quiet_stdout()
        sys.exit(int(Exit.OK))
    except NoArgsIsHelpError:  # `hipcheck` or `hipcheck content` alone: the help is on stdout; as git
        try:  # and gh do, that is an answer, not a usage error
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_stdout()
        sys.exit(int(Exit.OK))
    except UsageError as exc:
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        message = exc.format_message()
        if isinstance(exc, NoSuchOption) and exc.ctx and exc.ctx.parent:
            # Commands take --content and --no-color after their name too; the root's other options
            # (--version, completion) go before it: say so rather than "No such option".
            opt = exc.option_name
            param = next((p for p in exc.ctx.find_root().command.params if opt in p.opts), None)
            if param is not None:
                example = f"hipcheck {opt}"
                if param.callback is None:  # a setting for the command, not an action of its own
                    value = "" if getattr(param, "is_flag", False) else f" {param.metavar}"
                    example += f"{value} {exc.ctx.command_path.split(' ', 1)[1]} ..."
                message, where = f"{opt} goes before the command: {example}", ""
        sys.stderr.write(f"hipcheck: error: {escape(message)}{where}\n")
        sys.exit(int(Exit.USAGE))
    except ClickException as exc:
        sys.stderr.write(f"hipcheck: error: {escape(exc.format_message())}\n")
        sys.exit(exc.exit_code)
    except (Abort, KeyboardInterrupt):
        sys.stderr.write("\nInterrupted.\n")
        sys.exit(int(Exit.INTERRUPTED))
    except (
        OSError
    ) as exc:  # the output cannot be written (a full disk, `> /dev/full`): one line, no traceback
        if exc.errno not in _WRITE_ERRORS:
            raise
        quiet_stdout()
        sys.stderr.write(f"hipcheck: error: cannot write the output: {escape(exc.strerror or str(exc))}\n")
        sys.exit(int(Exit.ERROR))
    sys.exit(code if isinstance(code, int) else int(Exit.OK))
