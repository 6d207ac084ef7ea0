"""The command line: parse options, load content, call the engine, pick a renderer. Thin by design.

Exit codes: 0 success, 1 runtime error (e.g. invalid content), 2 usage or bad input, 130 interrupted.
Results go to stdout; prompts, messages and errors to stderr. Rich and questionary are imported only
on the paths that draw or ask, and pydantic models and TOML only on the paths that need them: the
`--json` views of `list`, `explain` and `questions` are served from the content cache (cache.py), so
those commands start about as fast as Typer itself. Keep module-level imports here light.
"""

import sys
from collections.abc import Iterator
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from . import __version__
from .cache import CONTENT_ENV_VAR as ENV_VAR

if TYPE_CHECKING:
    from rich.console import Console

    from .content import KnowledgeBase
    from .models import Out


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130


app = typer.Typer(
    name="hipcheck",
    help="An offline symptom checker for runners whose hip hurts. Information, not a diagnosis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    epilog="Start with: hipcheck triage",
)
content_app = typer.Typer(help="Tools for the people who maintain content/.", no_args_is_help=True)
app.add_typer(content_app, name="content")


class State:
    no_color = False
    content_dir: Path | None = None


state = State()


# --------------------------------------------------------------------------- helpers


def fail(message: str, code: Exit = Exit.USAGE) -> NoReturn:
    """One line on stderr, then exit with a documented code."""
    sys.stderr.write(f"hipcheck: error: {message}\n")
    raise typer.Exit(int(code))


def knowledge() -> "KnowledgeBase":
    from .content import ContentError, load_content

    try:
        return load_content(state.content_dir, use_cache=True)
    except ContentError as exc:
        first = exc.problems[0] if exc.problems else ""
        fail(
            f"content is invalid ({len(exc.problems)} problem(s)), first: {first}; "
            "run `hipcheck content check` to list them all",
            Exit.ERROR,
        )


def emit_json(model: "Out") -> None:
    sys.stdout.write(model.model_dump_json(indent=2) + "\n")


def json_views() -> dict:
    """The `--json` texts of list, explain and questions: from the cache when it holds this content
    (no TOML, no pydantic), else from a full load (which reports invalid content as before)."""
    from .cache import build_views, cached_views, default_content_dir

    views = cached_views(state.content_dir or default_content_dir())
    return views if views is not None else build_views(knowledge())


def console(stderr: bool = False) -> "Console":
    from .render import make_console

    return make_console(stderr=stderr, no_color=state.no_color)


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
        bool, typer.Option("--no-color", help="No colour (also: NO_COLOR=1, TERM=dumb).")
    ] = False,
    content: Annotated[
        Path | None,
        typer.Option("--content", envvar=ENV_VAR, help="Use another content directory.", show_default=False),
    ] = None,
) -> None:
    state.no_color = no_color
    state.content_dir = content


# --------------------------------------------------------------------------- triage


def _open_answers(source: str) -> tuple[bool, Iterator[str]]:
    """(batch?, the lines): batch when the file is *.jsonl / *.ndjson, or holds one JSON value per line
    (its first non-blank line is a complete JSON value and another line follows); see batch.is_batch."""
    import itertools

    from .batch import sniff

    try:
        stream = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
        batch, head, rest = sniff(source, iter(stream))
    except FileNotFoundError:
        fail(f"answers file not found: {source}")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read answers file {source}: {exc}")
    return batch, itertools.chain(head, rest)


def _read_answers(source: str, lines: Iterator[str]) -> object:
    import json

    try:
        text = "".join(lines)
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read answers file {source}: {exc}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"answers are not valid JSON ({source}, line {exc.lineno} column {exc.colno}): {exc.msg}")


@app.command(
    epilog="Examples:\n\n  hipcheck triage\n\n  hipcheck triage --json | jq .level\n\n"
    '  echo \'{"injury": "no", "location": ["lateral"]}\' | hipcheck triage --answers - --json'
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
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; fail if answers are missing.")
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option("--save", metavar="FILE", help="Also save a report (.txt, .md, .html, .svg)."),
    ] = None,
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
) -> None:
    """Answer questions about your hip pain; get the urgency, likely causes and what to do.

    With --answers FILE holding one answer object per line (JSON Lines: a *.jsonl file, or any file whose
    lines are each a complete JSON object) and --json, every line is scored and written as one compact
    JSON result per line, streaming; a bad line is reported on stderr as `line N: ...` and the rest go on
    (exit 2 at the end if any failed). Batch results are not kept in, nor raised by, your history."""
    from .engine import AnswerError, assess, validate_answers

    kb = knowledge()
    if save is not None and save.suffix.lower() not in (".txt", ".md", ".html", ".svg"):
        fail(f"--save: unknown report type '{save.suffix or save.name}'; use .txt, .md, .html or .svg")
    if answers is not None:
        batch, lines = _open_answers(answers)
        if batch:
            _batch(kb, answers, lines, as_json=as_json, save=save)
            return
        try:
            given = validate_answers(kb, _read_answers(answers, lines))
        except AnswerError as exc:
            fail(str(exc))
    else:
        if no_input or not sys.stdin.isatty():
            why = "--no-input was given" if no_input else "stdin is not a terminal"
            fail(
                f"{why}, so hipcheck cannot ask questions; "
                "pass answers with --answers FILE (see `hipcheck questions`)"
            )
        given = _interview(kb)

    from .history_cli import history_reasons_and_saver

    # The interview is the user's own triage: it uses and feeds the history. An answers file is
    # reproducible unless --history asks otherwise.
    use_history = not no_save and (answers is None or with_history)
    history_reasons, keep_in_history = history_reasons_and_saver(
        save=use_history, content_dir=state.content_dir
    )
    result = assess(kb, given, extra_reasons=history_reasons)
    if as_json:
        emit_json(result)
    else:
        from .render import result_view

        console().print(result_view(result))
    if save is not None:
        from .report import save_report

        try:
            save_report(kb, result, save)
        except OSError as exc:
            fail(f"could not save the report to {save}: {exc.strerror}", Exit.ERROR)
        sys.stderr.write(f"Report saved to {save}\n")
    if keep_in_history(result):
        sys.stderr.write("Saved to your private history (`hipcheck history`; --no-save to skip).\n")


def _batch(
    kb: "KnowledgeBase", source: str, lines: Iterator[str], *, as_json: bool, save: Path | None
) -> None:
    """Score one answer object per line: one compact JSON result per line on stdout."""
    from .batch import run

    if not as_json:
        fail(f"{source} holds one answer set per line (JSON Lines); add --json to score them all")
    if save is not None:
        fail("--save makes one report; it cannot be combined with a file of many answer sets")
    try:
        done, failed = run(kb, lines, sys.stdout, sys.stderr)
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read answers file {source}: {exc}")
    if failed:
        sys.stderr.write(f"hipcheck: {failed} of {done + failed} answer sets failed; see the lines above\n")
        raise typer.Exit(int(Exit.USAGE))


def _interview(kb: "KnowledgeBase") -> dict:
    from .interview import run_interview, terminal_session

    try:
        with terminal_session():
            return run_interview(kb, lambda: console(stderr=True))
    except (KeyboardInterrupt, EOFError):
        sys.stderr.write("\nInterrupted: no result, nothing saved.\n")
        raise typer.Exit(int(Exit.INTERRUPTED)) from None


# --------------------------------------------------------------------------- lookups


@app.command(epilog="Examples:\n\n  hipcheck explain bursitis\n\n  hipcheck explain 'IT band' --json")
def explain(
    name: Annotated[str, typer.Argument(help="A condition id, name or alias, e.g. bursitis, ITBS, FAI.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the page as JSON.")] = False,
) -> None:
    """Explain a condition: symptoms, why runners get it, self-care, when to see someone, sources."""
    if as_json:
        from .names import resolve_name

        views = json_views()
        cid, suggestions = resolve_name(views["names"], name)
        if cid is None:
            _no_condition(name, suggestions, {c: names[1] for c, names in views["names"]})
        sys.stdout.write(views["explain"][cid] + "\n")
        return
    from .content import find_condition

    kb = knowledge()
    cond, suggestions = find_condition(kb, name)
    if cond is None:
        _no_condition(name, suggestions, {c.id: c.name for c in kb.conditions})
    from .render import condition_view

    console().print(condition_view(cond))


def _no_condition(name: str, suggestions: list[str], names: dict[str, str]) -> NoReturn:
    """One line: the nearest conditions by id with their names, so the user can pick one."""
    hint = "; ".join(f"{cid} ({names.get(cid, cid).split(' (')[0]})" for cid in suggestions)
    hint = f" Did you mean: {hint}?" if suggestions else ""
    fail(f"no condition called '{name}'.{hint} Try `hipcheck explain ID`, or `hipcheck list` for all.")


@app.command(
    "list", epilog="Examples:\n\n  hipcheck list\n\n  hipcheck list --json | jq -r '.conditions[].id'"
)
def list_conditions(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List every condition hipcheck knows, one line each."""
    if as_json:
        sys.stdout.write(json_views()["list"] + "\n")
        return
    from .catalog import condition_list
    from .render import condition_list_view

    console().print(condition_list_view(condition_list(knowledge())))


@app.command(epilog="Examples:\n\n  hipcheck questions\n\n  hipcheck questions --json | jq '.questions[].id'")
def questions(
    as_json: Annotated[bool, typer.Option("--json", help="Print the question bank as JSON.")] = False,
) -> None:
    """Show the question bank: ids, options and when each question is asked (for --answers files)."""
    if as_json:
        sys.stdout.write(json_views()["questions"] + "\n")
        return
    from .catalog import question_list
    from .render import question_list_view

    console().print(question_list_view(question_list(knowledge())))


SCHEMAS = ("triage", "explain", "list", "questions")


@app.command(epilog="Examples:\n\n  hipcheck schema triage > triage.schema.json")
def schema(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(SCHEMAS)}.")] = "triage",
) -> None:
    """Print the JSON Schema of a --json output, generated from the models."""
    import json

    from . import models

    model = {
        "triage": models.TriageResult,
        "explain": models.ConditionPage,
        "list": models.ConditionList,
        "questions": models.QuestionList,
    }.get(name)
    if model is None:
        fail(f"unknown schema '{name}'; choose one of: {', '.join(SCHEMAS)}")
    sys.stdout.write(json.dumps(model.model_json_schema(mode="serialization"), indent=2) + "\n")


# --------------------------------------------------------------------------- content tools


@content_app.command(
    "check", epilog="Examples:\n\n  hipcheck content check\n\n  hipcheck content check ./my-content"
)
def content_check(
    directory: Annotated[
        Path | None, typer.Argument(help="Content directory (default: the one in use).", show_default=False)
    ] = None,
) -> None:
    """Validate a content directory and list every problem at once."""
    from .checks import check_content

    problems, summary = check_content(directory or state.content_dir)
    for p in problems:
        sys.stdout.write(f"{p}\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) found\n")
        raise typer.Exit(int(Exit.ERROR))
    sys.stdout.write(f"content OK: {summary}\n")


@content_app.command(
    "accuracy", epilog="Examples:\n\n  hipcheck content accuracy tests/vignettes/dev tests/vignettes/holdout"
)
def content_accuracy(
    paths: Annotated[list[Path], typer.Argument(help="Vignette files or folders.", show_default=False)],
) -> None:
    """Score vignettes and print the accuracy table (top-1, top-3, triage, under/over-triage)."""
    from .accuracy import VignetteError, evaluate, load_vignettes, table

    kb = knowledge()
    try:
        outcomes = evaluate(kb, load_vignettes(paths))
    except VignetteError as exc:
        fail(str(exc))
    if not outcomes:
        fail("no vignettes found")
    sys.stdout.write(table(outcomes) + "\n")


from .history_cli import register as _register_history  # noqa: E402  (log and history commands)

_register_history(app)


def main() -> None:
    """Run the app; usage errors become one line on stderr with exit code 2, like every other error."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
    from typer.exceptions import Abort

    try:
        code = app(prog_name="hipcheck", standalone_mode=False)
    except BrokenPipeError:  # e.g. `hipcheck list | head -1`
        sys.stderr.close()
        sys.exit(int(Exit.OK))
    except NoArgsIsHelpError as exc:  # `hipcheck` or `hipcheck content` alone: show the help
        sys.stderr.write(exc.format_message().rstrip() + "\n")
        sys.exit(int(Exit.USAGE))
    except UsageError as exc:
        where = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        sys.stderr.write(f"hipcheck: error: {exc.format_message()}{where}\n")
        sys.exit(int(Exit.USAGE))
    except ClickException as exc:
        sys.stderr.write(f"hipcheck: error: {exc.format_message()}\n")
        sys.exit(exc.exit_code)
    except (Abort, KeyboardInterrupt):
        sys.stderr.write("\nInterrupted.\n")
        sys.exit(int(Exit.INTERRUPTED))
    sys.exit(code if isinstance(code, int) else int(Exit.OK))
