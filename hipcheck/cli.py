"""The command line: parse options, load content, call the engine, pick a renderer. Thin by design.

Exit codes: 0 success, 1 runtime error (e.g. invalid content), 2 usage or bad input, 130 interrupted.
Results go to stdout; prompts, messages and errors to stderr. Rich and questionary are imported only
on the paths that draw or ask, so `--json` commands start fast.
"""

from __future__ import annotations

import json
import sys
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from . import __version__
from .content import ENV_VAR, ContentError, KnowledgeBase, find_condition, load_content

if TYPE_CHECKING:
    from rich.console import Console

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
    content_dir: Optional[Path] = None


state = State()


# --------------------------------------------------------------------------- helpers


def fail(message: str, code: Exit = Exit.USAGE) -> NoReturn:
    """One line on stderr, then exit with a documented code."""
    sys.stderr.write(f"hipcheck: error: {message}\n")
    raise typer.Exit(int(code))


def knowledge() -> KnowledgeBase:
    try:
        return load_content(state.content_dir)
    except ContentError as exc:
        first = exc.problems[0] if exc.problems else ""
        fail(
            f"content is invalid ({len(exc.problems)} problem(s)), first: {first}; "
            "run `hipcheck content check` to list them all",
            Exit.ERROR,
        )


def emit_json(model: Out) -> None:
    sys.stdout.write(model.model_dump_json(indent=2) + "\n")


def console(stderr: bool = False) -> Console:
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
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also: NO_COLOR=1, TERM=dumb).")] = False,
    content: Annotated[
        Optional[Path],
        typer.Option("--content", envvar=ENV_VAR, help="Use another content directory.", show_default=False),
    ] = None,
) -> None:
    state.no_color = no_color
    state.content_dir = content


# --------------------------------------------------------------------------- triage


def _read_answers(source: str) -> object:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"answers file not found: {source}")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read answers file {source}: {exc}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"answers are not valid JSON ({source}, line {exc.lineno} column {exc.colno}): {exc.msg}")


@app.command(
    epilog="Examples:\n\n  hipcheck triage\n\n  hipcheck triage --json | jq .level\n\n"
    "  echo '{\"injury\": \"no\", \"location\": [\"lateral\"]}' | hipcheck triage --answers - --json"
)
def triage(
    answers: Annotated[
        Optional[str],
        typer.Option(
            "--answers", "-a", metavar="FILE", help="Answer from a JSON file ('-' for stdin) instead of prompts."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")] = False,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt; fail if answers are missing.")] = False,
    save: Annotated[
        Optional[Path], typer.Option("--save", metavar="FILE", help="Also save a report (.txt, .md, .html, .svg).")
    ] = None,
    no_save: Annotated[
        bool, typer.Option("--no-save", help="Do not keep this result in your private history (see `hipcheck history`).")
    ] = False,
) -> None:
    """Answer questions about your hip pain; get the urgency, likely causes and what to do."""
    from .engine import AnswerError, assess, validate_answers

    kb = knowledge()
    if save is not None and save.suffix.lower() not in (".txt", ".md", ".html", ".svg"):
        fail(f"--save: unknown report type '{save.suffix or save.name}'; use .txt, .md, .html or .svg")
    if answers is not None:
        try:
            given = validate_answers(kb, _read_answers(answers))
        except AnswerError as exc:
            fail(str(exc))
    else:
        if no_input or not sys.stdin.isatty():
            why = "--no-input was given" if no_input else "stdin is not a terminal"
            fail(f"{why}, so hipcheck cannot ask questions; pass answers with --answers FILE (see `hipcheck questions`)")
        given = _interview(kb)

    from .history_cli import history_reasons_and_saver

    history_reasons, keep_in_history = history_reasons_and_saver(save=not no_save, content_dir=state.content_dir)
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
    keep_in_history(result)


def _interview(kb: KnowledgeBase) -> dict:
    from .interview import run_interview, terminal_session

    err = console(stderr=True)
    try:
        with terminal_session():
            return run_interview(kb, err)
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
    kb = knowledge()
    cond, suggestions = find_condition(kb, name)
    if cond is None:
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        fail(f"no condition called '{name}'.{hint} Run `hipcheck list` to see them all.")
    if as_json:
        from .catalog import condition_page

        emit_json(condition_page(kb, cond))
    else:
        from .render import condition_view

        console().print(condition_view(cond))


@app.command("list", epilog="Examples:\n\n  hipcheck list\n\n  hipcheck list --json | jq -r '.conditions[].id'")
def list_conditions(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List every condition hipcheck knows, one line each."""
    from .catalog import condition_list

    listing = condition_list(knowledge())
    if as_json:
        emit_json(listing)
    else:
        from .render import condition_list_view

        console().print(condition_list_view(listing))


@app.command(epilog="Examples:\n\n  hipcheck questions\n\n  hipcheck questions --json | jq '.questions[].id'")
def questions(
    as_json: Annotated[bool, typer.Option("--json", help="Print the question bank as JSON.")] = False,
) -> None:
    """Show the question bank: ids, options and when each question is asked (for --answers files)."""
    from .catalog import question_list

    listing = question_list(knowledge())
    if as_json:
        emit_json(listing)
    else:
        from .render import question_list_view

        console().print(question_list_view(listing))


SCHEMAS = ("triage", "explain", "list", "questions")


@app.command(epilog="Examples:\n\n  hipcheck schema triage > triage.schema.json")
def schema(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(SCHEMAS)}.")] = "triage",
) -> None:
    """Print the JSON Schema of a --json output, generated from the models."""
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


@content_app.command("check", epilog="Examples:\n\n  hipcheck content check\n\n  hipcheck content check ./my-content")
def content_check(
    directory: Annotated[
        Optional[Path], typer.Argument(help="Content directory (default: the one in use).", show_default=False)
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
    try:
        app(prog_name="hipcheck")
    except BrokenPipeError:  # e.g. `hipcheck list | head -1`
        sys.stderr.close()
        sys.exit(int(Exit.OK))
