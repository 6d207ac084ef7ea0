"""How hipcheck's help is drawn: Typer's rich help, with paragraphs reflowed to the terminal, flags
without a `<bool>` placeholder and arguments named by their metavar in the usage line.

This subclasses Typer's command and group classes (`typer.core.TyperCommand`, `TyperGroup`), which are
not a documented extension point: no Typer or Rich setting hides the `<bool>` of `--help` or the
`{NAME}` Typer 0.29 writes in usage lines. pyproject.toml pins the Typer range this is tested with, and
tests/test_docs.py checks the help text, so a Typer release that changes these internals fails there.
"""

import copy
import inspect
import os

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from hipcheck.commands.common import Exit, fail, quiet_stdout


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


def _no_type(ctx: typer.Context) -> None:
    """An argument's type column: empty (see `_Help`)."""
    return None


class _Help:
    """What every hipcheck command and group changes in Typer's help (Typer 0.29, rich markup):
    - paragraphs reflow to the terminal width (see `reflow`);
    - flags show no value placeholder: Typer's rich help prints every option's type, so a flag read
      `--json <bool>` as if it took a value (its plain help leaves flags out; this does the same);
    - an argument shows no type either: Typer prints its Python type after its metavar, whatever the
      metavar (`PATH <list[Path]>`); the metavar already names it;
    - the usage line names arguments by their metavar, `NAME` or `[NAME]`, not `{name}`."""

    def format_help(self, ctx: typer.Context, formatter) -> None:  # type: ignore[no-untyped-def]
        # Typer draws help on a Rich console of its own, whose broken-pipe handler exits 1 when the
        # reader has gone (`hipcheck --help | head -1`); that SystemExit(1), the only one drawing help
        # raises, becomes the BrokenPipeError the entry point ends quietly with 0 for.
        try:
            super().format_help(ctx, formatter)  # type: ignore[misc]
        except SystemExit as exc:
            if exc.code == 1:
                raise BrokenPipeError from None
            raise

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
            elif isinstance(param, TyperArgument) and param.metavar:
                param.display_type_rich = _no_type  # type: ignore[method-assign]
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
            quiet_stdout()
            raise typer.Exit(int(Exit.OK)) from None
        except Exception as exc:
            # The history's errors are one line whichever command met them (a HIPCHECK_HOME the OS
            # refuses is found by the first look at the path, in any command): exit 1, not a traceback.
            from hipcheck.history.store import StoreError

            if isinstance(exc, StoreError):
                fail(str(exc), Exit.ERROR)
            raise


class App(typer.Typer):
    """typer.Typer whose groups and commands draw their help as `_Help` says."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cls", HelpGroup)
        kwargs.setdefault("rich_markup_mode", "rich")  # what `reflow` prepares the text for
        super().__init__(**kwargs)

    def command(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("cls", HelpCommand)
        return super().command(*args, **kwargs)

    def for_args(self, args: list[str], value_options: frozenset[str] = frozenset()) -> "App":
        """This app with only the command `args` names, when they name one: Typer builds every command's
        Click command (inspecting each function's signature) before it runs one, which had grown to a
        tenth of the start-up of `list --json` and the interview. Anything else (no command, `--help`
        or an unknown word before it, shell completion) gets the whole app, so help, suggestions and
        errors are as before. `value_options`: the root options that take a value (skipped with it)."""
        if any(k.endswith("_COMPLETE") for k in os.environ):
            return self
        words = iter(args)
        for word in words:
            if word == "--":
                return self
            if word.startswith("-"):
                if word in value_options:
                    next(words, None)
                elif word in ("--help", "-h") or not (
                    word.split("=", 1)[0] in value_options or word.startswith("--")
                ):
                    return self
                continue
            for info in self.registered_commands:
                name = info.name or typer.main.get_command_name(info.callback.__name__)  # type: ignore[union-attr]
                if name == word:
                    return self._with(commands=[info], groups=[])
            for group in self.registered_groups:
                if group.name == word:
                    return self._with(commands=[], groups=[group])
            return self
        return self

    def _with(self, commands: list, groups: list) -> "App":
        narrow = copy.copy(self)
        narrow.registered_commands = commands
        narrow.registered_groups = groups
        return narrow
