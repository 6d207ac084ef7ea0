"""The command line: parse options, load content, call the engine, pick a renderer. Thin by design.

Exit codes: 0 success, 1 runtime error (e.g. invalid content), 2 usage or bad input, 130 interrupted.
Results go to stdout; prompts, messages and errors to stderr. Rich and questionary are imported only
on the paths that draw or ask, and pydantic models and TOML only on the paths that need them: the
`--json` views of `list`, `explain` and `questions` are served from the content cache (cache.py), so
those commands start about as fast as Typer itself. Keep module-level imports here light.
"""

import inspect
import sys
from collections.abc import Iterator
from enum import IntEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, NoReturn

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from . import __version__
from .cache import CONTENT_ENV_VAR as ENV_VAR
from .history_args import AfterContent, AfterNoColor

if TYPE_CHECKING:
    from rich.console import Console

    from .content import KnowledgeBase
    from .models import Out


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130


def _note(text: str) -> None:
    """A line of information on stderr, wrapped at word boundaries on a terminal."""
    import shutil
    import textwrap

    from .inputs import escape  # a file or condition name the user typed may hold control characters

    width = shutil.get_terminal_size((100, 24)).columns - 1 if sys.stderr.isatty() else 10_000
    sys.stderr.write(textwrap.fill(escape(text), width=max(width, 20), break_long_words=False) + "\n")


# --------------------------------------------------------------------------- how help is drawn


def reflow(text: str | None) -> str | None:
    """Help text as Typer's rich help should get it. Docstrings are wrapped at 110 columns in the
    source, but with rich markup Typer keeps their line breaks (in the command list, and in every
    paragraph after the first), so the help broke mid-sentence. Here each paragraph (blank-line
    separated) becomes one line, which Rich wraps to the terminal. A paragraph whose first line is
    `\\b` (Click's marker) is a block, such as examples: its lines and indentation are kept (not as the
    first paragraph, which Typer joins itself)."""
    if not text:
        return text
    paragraphs = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        if paragraph.startswith("\b"):
            paragraphs.append(paragraph[1:].strip("\n"))
        else:
            paragraphs.append(" ".join(line.strip() for line in paragraph.splitlines()))
    # Typer dedents the text (inspect.cleandoc) before drawing it; a first line of its own keeps the
    # indentation of a block that follows an unindented line.
    return "\n" + "\n\n".join(paragraphs)


def examples(*commands: str) -> str:
    """An epilog: `Examples:` and one indented command a line."""
    return "\b\nExamples:\n" + "\n".join(f"  {c}" for c in commands)


class _Help:
    """What every hipcheck command and group changes in Typer's help (Typer 0.29, rich markup):
    - paragraphs reflow to the terminal width (see `reflow`);
    - flags show no value placeholder: Typer's rich help prints every option's type, so a flag read
      `--json <bool>` as if it took a value (its plain help leaves flags out; this does the same);
    - the usage line names arguments by their metavar, `NAME` or `[NAME]`, not `{name}`."""

    def _reflow_help(self) -> None:
        self.help = reflow(self.help)
        self.epilog = reflow(self.epilog)

    def get_params(self, ctx: typer.Context) -> list:
        # Typer's rich help shows an option's metavar, when it has one, instead of its `<type>`; an
        # empty one shows nothing. (Here, not in __init__: --help and the completion options are
        # added later.)
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)  # type: ignore[misc]
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                name = name if param.required else f"[{name}]"
                name += "..." if param.nargs != 1 else ""
                for piece in param.get_usage_pieces(ctx):
                    pieces[pieces.index(piece)] = name
        return pieces


class HelpCommand(_Help, TyperCommand):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._reflow_help()


class HelpGroup(_Help, TyperGroup):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._reflow_help()

    def invoke(self, ctx: typer.Context):  # type: ignore[override]
        # The reader of stdout stopped early (`hipcheck ... | head`): end quietly with 0, whatever the
        # command (Typer would exit 1 here, and a batch used to report it as a read error).
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(int(Exit.OK)) from None


class App(typer.Typer):
    """typer.Typer whose groups and commands draw their help as `_Help` says."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cls", HelpGroup)
        kwargs.setdefault("rich_markup_mode", "rich")  # what `reflow` prepares the text for
        super().__init__(**kwargs)

    def command(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("cls", HelpCommand)
        return super().command(*args, **kwargs)


app = App(
    name="hipcheck",
    help="An offline symptom checker for runners whose hip hurts. Information, not a diagnosis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    epilog="Start with: hipcheck triage",
)
content_app = App(help="Tools for the people who maintain content/.", no_args_is_help=True)
app.add_typer(content_app, name="content")


class State:
    no_color = False
    content_dir: Path | None = None


state = State()


# --------------------------------------------------------------------------- helpers


def fail(message: str, code: Exit = Exit.USAGE) -> NoReturn:
    """One line on stderr, then exit with a documented code. Control characters (from a file name or
    the input) are shown escaped, so a message can neither drive the terminal nor fake more lines."""
    from .inputs import escape

    sys.stderr.write(f"hipcheck: error: {escape(message)}\n")
    raise typer.Exit(int(code))


def _escape_unencodable(exc: UnicodeError) -> tuple[str, int]:
    """An encoding error handler for stdout and stderr: a character the stream cannot encode becomes
    `\\uXXXX` (a surrogate pair above U+FFFF), which is also a valid escape inside a JSON string, so
    `--json` output stays valid JSON on an ASCII or Latin-1 stream and text output stays readable."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for c in exc.object[exc.start : exc.end]:
        o = ord(c)
        if o > 0xFFFF:
            o -= 0x10000
            out.append(f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}")
        else:
            out.append(f"\\u{o:04x}")
    return "".join(out), exc.end


def safe_streams() -> None:
    """Let stdout and stderr write any text whatever their encoding (PYTHONIOENCODING=ascii, a Latin-1
    locale): what they cannot encode is escaped (see `_escape_unencodable`) instead of crashing."""
    import codecs

    codecs.register_error("hipcheck.escape", _escape_unencodable)
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) not in (None, "hipcheck.escape"):
            try:
                stream.reconfigure(errors="hipcheck.escape")  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):  # not a TextIOWrapper, or closed
                pass


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
) -> None:
    state.no_color = no_color
    state.content_dir = content
    safe_streams()  # main() does it for real runs; here too for in-process callers


# --------------------------------------------------------------------------- triage


def _open_answers(source: str) -> tuple[bool, list, Iterator, IO[bytes]]:
    """(batch?, the lines read so far, the other lines, the byte stream): batch when the file is
    *.jsonl / *.ndjson, or holds one JSON value per line (its first non-blank line is a complete JSON
    value and another line follows); see batch.is_batch. Lines are bytes, at most inputs.MAX_BYTES
    long (None for a longer one)."""
    from .batch import sniff
    from .inputs import open_source, read_lines

    try:
        stream = open_source(source)
        batch, head, rest = sniff(source, read_lines(stream))
    except FileNotFoundError:
        fail(f"answers file not found: {source}")
    except OSError as exc:
        fail(f"cannot read answers file {source}: {exc.strerror or exc}")
    return batch, head, rest, stream


def _read_answers(source: str, head: list, stream: IO[bytes]) -> object:
    """The one answers document: at most inputs.MAX_BYTES of UTF-8 JSON (see inputs.loads)."""
    import json

    from .inputs import InputError, loads, read_document

    name = "standard input" if source == "-" else f"answers file {source}"
    try:
        data = read_document(head, stream)
        text = data.decode("utf-8")
    except OSError as exc:
        fail(f"cannot read answers file {source}: {exc.strerror or exc}")
    except InputError as exc:
        fail(f"{name} {exc}")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        fail(f"{name} is not valid UTF-8 (line {line}, byte {column})")
    if not text.strip():
        fail(
            "no answers were given on standard input; pipe in a JSON object (see `hipcheck questions`)"
            if source == "-"
            else f"answers file {source} is empty"
        )
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        fail(f"answers are not valid JSON ({source}, line {exc.lineno} column {exc.colno}): {exc.msg}")
    except InputError as exc:
        fail(f"answers {'on standard input' if source == '-' else f'in {source}'}: {exc}")


@app.command(
    epilog=examples(
        "hipcheck triage",
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
    content: AfterContent = None,
    no_color: AfterNoColor = False,
) -> None:
    """Answer questions about your hip pain; get the urgency, likely causes and what to do.

    Many answer sets at once: give --answers a file with one JSON object per line (a *.jsonl file, or any
    file whose lines are each a complete JSON object) and add --json. Each line gets one compact JSON
    result line on stdout, streaming, starting with "line": N, its input line; a bad line gets
    `hipcheck: error: line N: ...` on stderr, the others are still scored, and the exit code is 2 if any
    failed. These results neither use nor feed your history."""
    from .engine import AnswerError, assess, validate_answers

    kb = knowledge()
    if save is not None:  # before the first question: a bad path must not cost the interview
        from .report import report_path_problem

        if problem := report_path_problem(save, overwrite=overwrite):
            fail(problem)
    elif overwrite:
        fail("--overwrite only goes with --save FILE")
    if answers is not None:
        batch, head, rest, stream = _open_answers(answers)
        if batch:
            import itertools

            _batch(kb, answers, itertools.chain(head, rest), as_json=as_json, save=save)
            return
        try:
            given = validate_answers(kb, _read_answers(answers, head, stream))
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
    in_history = keep_in_history(result)  # first: a report that fails must not lose the result
    if save is not None:
        from .history_models import printable
        from .report import save_report

        try:
            save_report(kb, result, save, overwrite=overwrite)
        except OSError as exc:
            kept = "; the result was saved to your history" if in_history else ""
            where = printable(str(save))
            fail(f"could not save the report to {where}: {exc.strerror or exc}{kept}", Exit.ERROR)
        _note(f"Report saved to {printable(str(save))}")
    if in_history:
        _note("Saved to your private history: see it with hipcheck history (--no-save skips this).")


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
    except BrokenPipeError:  # the reader stopped (`| head`): main() ends quietly, as for every command
        raise
    except OSError as exc:
        fail(f"cannot read answers file {source}: {exc.strerror or exc}")
    if failed:
        fail(f"{failed} of {done + failed} answer sets failed; see the lines above")


def _interview(kb: "KnowledgeBase") -> dict:
    from .interview import parting_words, run_interview, terminal_session

    try:
        with terminal_session(no_color=state.no_color):
            return run_interview(kb, lambda: console(stderr=True))
    except (KeyboardInterrupt, EOFError) as exc:
        # Answers that already call for a doctor are said once more, even as the user leaves.
        words = parting_words(kb, getattr(exc, "answers", {}))
        sys.stderr.write(
            "\n" + (f"{words}\n\n" if words else "") + "Interrupted: no result, nothing saved.\n"
        )
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
) -> None:
    """Explain a condition: symptoms, why runners get it, self-care, when to see someone, sources."""
    if as_json:
        from .names import resolve_name

        views = json_views()
        cid, suggestions = resolve_name(views["names"], name)
        if cid is None:
            _no_condition(name, suggestions, {c: names[1] for c, names in views["names"]})
        _note_close_match(name, cid, dict(views["names"])[cid])
        sys.stdout.write(views["explain"][cid] + "\n")
        return
    from .content import find_condition

    kb = knowledge()
    cond, suggestions = find_condition(kb, name)
    if cond is None:
        _no_condition(name, suggestions, {c.id: c.name for c in kb.conditions})
    from .render import condition_view

    _note_close_match(name, cond.id, [cond.id, cond.name, *cond.aliases])
    console().print(condition_view(cond))


def _note_close_match(asked: str, cid: str, names: list[str]) -> None:
    """When a partial name or a misspelling was taken as meant, say on stderr which page this is.
    `names`: the condition's id, name and aliases."""
    from .names import normalise_name

    if normalise_name(asked) not in {normalise_name(n) for n in names}:
        _note(f"Showing {cid} ({names[1].split(' (')[0]}), the closest match to '{asked}'.")


def _no_condition(name: str, suggestions: list[str], names: dict[str, str]) -> NoReturn:
    """One line: the nearest conditions by id with their names, so the user can pick one."""
    hint = "; ".join(f"{cid} ({names.get(cid, cid).split(' (')[0]})" for cid in suggestions)
    hint = f" Did you mean: {hint}?" if suggestions else ""
    fail(f"no condition called '{name}'.{hint} Try `hipcheck explain ID`, or `hipcheck list` for all.")


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
    from .catalog import condition_list
    from .render import condition_list_view

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
    from .catalog import question_list
    from .render import question_list_view

    console().print(question_list_view(question_list(knowledge())))


SCHEMAS = ("triage", "explain", "list", "questions")


@app.command(epilog=examples("hipcheck schema triage > triage.schema.json"))
def schema(
    name: Annotated[str, typer.Argument(metavar="NAME", help=f"One of: {', '.join(SCHEMAS)}.")] = "triage",
    content: AfterContent = None,
    no_color: AfterNoColor = False,
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
    from .checks import check_content

    problems, summary = check_content(directory or state.content_dir)
    for p in problems:
        sys.stdout.write(f"{p}\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) found\n")
        raise typer.Exit(int(Exit.ERROR))
    sys.stdout.write(f"content OK: {summary}\n")


@content_app.command(
    "accuracy", epilog=examples("hipcheck content accuracy tests/vignettes/dev tests/vignettes/holdout")
)
def content_accuracy(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH", help="Vignette files or folders.", show_default=False)
    ],
    content: AfterContent = None,
    no_color: AfterNoColor = False,
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


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the flush at exit neither fails nor prints."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main() -> None:
    """Run the app; usage errors become one line on stderr with exit code 2, like every other error."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, NoSuchOption, UsageError
    from typer.exceptions import Abort

    from .inputs import escape  # what a usage error quotes from the command line is shown escaped

    safe_streams()
    try:
        code = app(prog_name="hipcheck", standalone_mode=False)
        sys.stdout.flush()  # here, so a reader that has gone is noticed below, not at exit
    except BrokenPipeError:  # the reader stopped early (`hipcheck list | head -1`): quiet, exit 0
        _quiet_stdout()
        sys.exit(int(Exit.OK))
    except NoArgsIsHelpError as exc:  # `hipcheck` or `hipcheck content` alone: show the help
        sys.stderr.write(exc.format_message().rstrip() + "\n")
        sys.exit(int(Exit.USAGE))
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
    sys.exit(code if isinstance(code, int) else int(Exit.OK))
