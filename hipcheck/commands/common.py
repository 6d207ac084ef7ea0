"""What every command shares: exit codes, the one-line error (`fail`), the global options' state, the
content (`knowledge`), output helpers and the console. The only module besides the commands that knows
about exit codes.

Exit codes: 0 success, 1 runtime error (e.g. invalid content), 2 usage or bad input, 130 interrupted.
Keep module-level imports light: this is imported by every command.
"""

import sys
from enum import IntEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

import typer

from hipcheck.knowledge.text import escape, json_safe

if TYPE_CHECKING:
    from rich.console import Console

    from hipcheck.knowledge.loader import ContentError, KnowledgeBase
    from hipcheck.knowledge.models import Out


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    INTERRUPTED = 130


def stderr_columns() -> int | None:
    """The width of the terminal stderr goes to, or None when it is not a terminal. Not
    shutil.get_terminal_size, which measures stdout: with stdout piped it gave 100 columns, and a
    narrower terminal then broke stderr's lines in the middle of words."""
    import os

    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns if sys.stderr.isatty() else None
    except (AttributeError, OSError, ValueError):  # no fileno (a test's stream), or closed
        return None


def note(text: str) -> None:
    """A line of information on stderr, wrapped at word boundaries to the terminal stderr goes to (not
    wrapped when that is not a terminal)."""
    import textwrap

    columns = stderr_columns()
    width = columns - 1 if columns else 10_000
    sys.stderr.write(textwrap.fill(escape(text), width=max(width, 20), break_long_words=False) + "\n")


class State:
    no_color = False
    content_dir: Path | None = None
    region: str | None = None  # --region, before or after the command


state = State()


# --------------------------------------------------------------------------- helpers


def fail(message: str, code: Exit = Exit.USAGE) -> NoReturn:
    """One line on stderr, then exit with a documented code. Control characters (from a file name or
    the input) are shown escaped, so a message can neither drive the terminal nor fake more lines."""
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


def _closed_streams_to_devnull() -> None:
    """A standard stream that was closed when hipcheck started (`<&-`, `>&-`) is opened on the null
    device: a closed stdin reads as empty (each command then says what it needed, in one line), a
    closed stdout or stderr takes its writes quietly. Python leaves `sys.stdin` None then, which was an
    AttributeError traceback; worse, the next file opened (the history database) would have got the
    free descriptor 0, 1 or 2, and output meant for stdout could have been written into it."""
    import contextlib
    import os

    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        mode = "r" if fd == 0 else "w"
        try:
            os.fstat(fd)
        except OSError:
            pass
        else:
            if getattr(sys, name) is None:  # the descriptor was reused since: leave it, use the null device
                with contextlib.suppress(OSError):
                    stream = open(os.devnull, mode, encoding="utf-8")  # noqa: SIM115
                    setattr(sys, name, stream)
                    setattr(sys, f"__{name}__", stream)
            continue
        try:
            null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            stream = open(fd, mode, encoding="utf-8", closefd=False)  # noqa: SIM115
        except OSError:
            continue
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def safe_streams() -> None:
    """The entry point's one stream wrapper. Closed standard streams are opened on the null device
    (see `_closed_streams_to_devnull`), and stdout and stderr write any text whatever their encoding
    (PYTHONIOENCODING=ascii, a Latin-1 locale): what they cannot encode is escaped (see
    `_escape_unencodable`) instead of crashing."""
    import codecs

    _closed_streams_to_devnull()
    codecs.register_error("hipcheck.escape", _escape_unencodable)
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) not in (None, "hipcheck.escape"):
            try:
                stream.reconfigure(errors="hipcheck.escape")  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):  # not a TextIOWrapper, or closed
                pass


def knowledge(regional: bool = True) -> "KnowledgeBase":
    """The content in use; with `regional`, its texts filled for the region in use (`with_region`)."""
    from hipcheck.knowledge.loader import ContentError, load_content

    try:
        kb = load_content(state.content_dir, use_cache=True)
    except ContentError as exc:
        content_invalid(exc)
    return with_region(kb) if regional else kb


def region_code(regions: list[tuple[str, list[str], list[str]]], unknown: str) -> str:
    """The region in use: --region, else HIPCHECK_REGION, else the locale's territory, else `unknown`
    (see knowledge/regions.choose). A code that names no region is a usage error with the choices."""
    import os

    from hipcheck.knowledge.regions import RegionChoiceError, choose

    try:
        return choose(state.region, os.environ, regions, unknown)[0]
    except RegionChoiceError as exc:
        fail(str(exc))


def with_region(kb: "KnowledgeBase") -> "KnowledgeBase":
    """`kb` with its texts naming the services of the region in use. A content folder without
    regions.toml writes its services in its own words: --region is then an error, HIPCHECK_REGION and
    the locale are ignored."""
    from hipcheck.knowledge.loader import for_region

    if kb.regions is None:
        if state.region is not None:
            fail(f"--region: the content folder {kb.root} has no regions.toml, so it names no regions")
        return kb
    regions = [(r.code, r.aliases, r.territories) for r in kb.regions.region]
    return for_region(kb, region_code(regions, kb.regions.unknown))


def content_invalid(exc: "ContentError") -> NoReturn:
    """Invalid content ends the command: how many problems, the first, and where to see them all."""
    first = exc.problems[0] if exc.problems else ""
    fail(
        f"content is invalid ({len(exc.problems)} problem(s)), first: {first}; "
        "run `hipcheck content check` to list them all",
        Exit.ERROR,
    )


def emit_json(model: "Out") -> None:
    sys.stdout.write(json_safe(model.model_dump_json(indent=2)) + "\n")


def json_views() -> dict:
    """The `--json` texts of list, explain and questions: from the cache when it holds this content
    (no TOML, no pydantic), else from a full load (which reports invalid content as before)."""
    from hipcheck.knowledge.cache import cached_views
    from hipcheck.knowledge.files import default_content_dir

    views = cached_views(state.content_dir or default_content_dir())
    if views is None:
        from hipcheck.knowledge.catalog import build_views  # only on a miss: it imports the models

        views = build_views(knowledge(regional=False))
    check_region(views)
    return views


def check_region(views: dict) -> None:
    """A region asked for (--region, HIPCHECK_REGION) must name one, on the commands whose output names
    no service too (list, questions): a runner who typed a wrong code hears so at once, as triage says."""
    regions = views.get("regions")
    if regions is not None:
        region_code([(c, a, t) for c, a, t, _ in regions["regions"]], regions["unknown"])
    elif state.region is not None:
        fail("--region: the content folder in use has no regions.toml, so it names no regions")


def regional_page(views: dict, page: str) -> str:
    """A condition page's `--json` text from the views, its region placeholders filled for the region
    in use (JSON-escaped; the views hold them unfilled, for every region)."""
    import json

    from hipcheck.knowledge.regions import fill_text

    regions = views.get("regions")
    if regions is None:
        if state.region is not None:
            fail("--region: the content folder in use has no regions.toml, so it names no regions")
        return page
    code = region_code([(c, a, t) for c, a, t, _ in regions["regions"]], regions["unknown"])
    values = next(v for c, _, _, v in regions["regions"] if c == code)
    return fill_text(page, {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in values.items()})


def console(stderr: bool = False) -> "Console":
    """The console for stdout, or for stderr at the width of stderr's own terminal (Rich would measure
    stdin or stdout first)."""
    from hipcheck.screens.console import make_console

    return make_console(stderr=stderr, no_color=state.no_color, width=stderr_columns() if stderr else None)


def quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the flush at exit neither fails nor prints."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def read_answers(source: str, head: list, stream: "IO[bytes]") -> object:
    """The one answers document of `--answers SOURCE` (a file, or - for stdin), after the `head` lines
    already read from `stream`: at most answer_input.MAX_BYTES of UTF-8 JSON (see answer_input.loads).
    Every problem is a one-line usage error."""
    import json

    from hipcheck.engine.answer_input import InputError, loads, read_document

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
