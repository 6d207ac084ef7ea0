"""Reports to bring to a physio or GP (`triage --save FILE`): .txt, .md, .html or .svg by extension.

Text, HTML and SVG come from Rich's own export of the same view the terminal shows; Markdown is
written directly. The file is written to a temporary name and renamed, so a crash never leaves half
a report. `report_path_problem` checks the path before the interview starts: a known type, an
existing folder, and no existing file unless the user asked to replace it (which keeps its mode).
Content text goes into the answers table as `Text`, never as Rich markup.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import stat
import tempfile
from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from hipcheck.engine.decide import describe
from hipcheck.knowledge.loader import KnowledgeBase
from hipcheck.knowledge.models import NOT_SURE, AnswerValue, Question, TriageResult
from hipcheck.screens.result import because_text, causes_table, level_panel, tips_block

REPORT_WIDTH = 88
REPORT_TYPES = (".txt", ".md", ".html", ".svg")


def report_path_problem(path: Path, *, overwrite: bool = False) -> str | None:
    """Why `--save PATH` cannot be written, in one line, or None: checked before the first question,
    so a typo never costs the whole interview."""
    from hipcheck.knowledge.text import escape

    shown = escape(str(path))
    suffix = path.suffix.lower()
    if not suffix and path.name.lower() in REPORT_TYPES:  # `--save .md`: a type, but no name
        return f"--save '{shown}' has no file name; give one, such as report{path.name.lower()}"
    if suffix not in REPORT_TYPES:
        kind = escape(path.suffix or path.name)
        return f"--save: unknown report type '{kind}'; use .txt, .md, .html or .svg"
    folder = Path(os.path.abspath(path)).parent
    where = escape(str(folder))
    if not folder.is_dir():
        return f"--save: the folder {where} does not exist; create it first, or choose another"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"--save: you cannot write to the folder {where}"
    if path.is_dir():
        return f"--save: {shown} is a folder; give a file name, such as {escape(str(path / 'report.md'))}"
    if (path.exists() or path.is_symlink()) and not overwrite:
        return f"--save: {shown} already exists; add --overwrite to replace it, or choose another name"
    return None


def answer_rows(kb: KnowledgeBase, answers: dict[str, AnswerValue]) -> list[tuple[str, str, str]]:
    """(question, what is present, what is absent) for each answer: a clinician reads both."""
    rows = []
    for q in kb.questions:
        if q.id not in answers:
            continue
        value = answers[q.id]
        if value == NOT_SURE or value == [NOT_SURE]:
            rows.append((q.short, "not sure", ""))
        elif isinstance(value, list):
            rows.append((q.short, *_present_absent(q, value)))
        else:
            rows.append((q.short, describe(kb, q.id, value).split(": ", 1)[1], ""))
    return rows


def _present_absent(q: Question, ticked: list[str]) -> tuple[str, str]:
    others = [o.label for o in q.options if o.id not in ticked and o.id != q.none_option]
    present = [q.label_of(v) for v in ticked if v != q.none_option]
    return "; ".join(present) or "none", "; ".join(others)


def _answers_table(kb: KnowledgeBase, answers: dict[str, AnswerValue]) -> Table:
    table = Table(title="Answers", title_justify="left", expand=True)
    table.add_column("question", style="bold", ratio=1)
    table.add_column("yes / answer", ratio=2)
    table.add_column("no", ratio=2, style="dim")
    for row in answer_rows(kb, answers):
        table.add_row(*(Text(cell) for cell in row))  # content text, never Rich markup
    return table


def _heading(today: dt.date) -> Text:
    return Text(f"hipcheck report, {today.isoformat()}", style="bold")


def _rich_report(kb: KnowledgeBase, result: TriageResult, suffix: str, today: dt.date) -> str:
    con = Console(record=True, width=REPORT_WIDTH, file=io.StringIO(), force_terminal=suffix != ".txt")
    body = Group(
        _heading(today),
        Text(""),
        _answers_table(kb, result.answers),
        Text(""),
        level_panel(result),
        Text(""),
        causes_table(result),
        Text(""),
        tips_block(result, limits={}),  # a report carries every tip
        Text(result.disclaimer, style="italic"),
    )
    con.print(body)
    if suffix == ".html":
        return con.export_html()
    if suffix == ".svg":
        return con.export_svg(title="hipcheck report")
    return con.export_text()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_MD_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def md(text: object) -> str:
    """Content or user text as literal Markdown: HTML escaped (`<script>` shows as text, never runs in a
    viewer), Markdown punctuation backslash-escaped (no links, images or emphasis smuggled in), on one
    line (a newline cannot start a heading), control characters shown as escapes."""
    text = " ".join(str(text).splitlines())
    text = _MD_CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False)


def markdown_report(kb: KnowledgeBase, result: TriageResult, today: dt.date) -> str:
    """The report as Markdown. Every piece of content or user text goes through `md`."""
    lv = result.level
    lines = [f"# hipcheck report, {today.isoformat()}", "", "## Answers", ""]
    for short, present, absent in answer_rows(kb, result.answers):
        lines.append(f"- **{md(short)}**: {md(present)}" + (f" (no: {md(absent)})" if absent else ""))
    if result.unscreened:
        unchecked = ", ".join(md(kb.question_by_id[q].short.lower()) for q in result.unscreened)
        lines.append(f"- **Not checked (skipped or not sure)**: {unchecked}")
    lines += ["", f"## Urgency: {md(lv.label)} ({md(lv.time_frame)})", ""]
    lines += [f"- {md(r.text)}" for r in lv.reasons]
    lines += ["", "**What to do**", ""] + [f"- {md(a)}" for a in lv.advice]
    if lv.not_ruled_out:
        names = {c.id: c.name for c in result.causes}
        lines += ["", "## Not ruled out", "", "The answers fit these; a doctor needs to check for them:", ""]
        lines += [f"- **{md(names.get(cid, cid))}**" for cid in lv.not_ruled_out]
    lines += ["", "## Likely causes", ""]
    for i, c in enumerate(result.causes[:5], 1):
        lines.append(f"{i}. **{md(c.name)}**: {c.likelihood:.0%}")
        lines += [f"   - for: {md(e.text)} (×{e.ratio})" for e in c.supporting[:4]]
        lines += [f"   - against: {md(e.text)} (×{e.ratio})" for e in c.conflicting[:3]]
    if result.tips:
        lines += ["", "## Advice", ""]
        for t in result.tips:  # why: every answer and likely cause that chose the tip
            why = because_text(t)
            lines.append(f"- {md(t.text)}" + (f" _({md(why)})_" if why else ""))
    lines += ["", f"_{md(result.disclaimer)}_", ""]
    return "\n".join(lines)


def save_report(
    kb: KnowledgeBase,
    result: TriageResult,
    path: Path,
    today: dt.date | None = None,
    *,
    overwrite: bool = False,
) -> None:
    """Write the report. A new file is private (0600); an existing one is replaced only with
    `overwrite` (else FileExistsError), keeping its mode. A symbolic link is replaced, not followed."""
    today = today or dt.date.today()
    suffix = path.suffix.lower()
    text = markdown_report(kb, result, today) if suffix == ".md" else _rich_report(kb, result, suffix, today)
    folder = Path(os.path.abspath(path)).parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            old = path.lstat()
        except FileNotFoundError:
            old = None
        if old is not None:
            if not overwrite:
                raise FileExistsError(17, "the file already exists (add --overwrite to replace it)")
            if stat.S_ISREG(old.st_mode):
                os.chmod(tmp, stat.S_IMODE(old.st_mode))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
