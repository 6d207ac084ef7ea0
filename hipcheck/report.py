"""Reports to bring to a physio or GP (`triage --save FILE`): .txt, .md, .html or .svg by extension.

Text, HTML and SVG come from Rich's own export of the same view the terminal shows; Markdown is
written directly. The file is written to a temporary name and renamed, so a crash never leaves half
a report.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from .content import KnowledgeBase
from .engine import describe
from .models import NOT_SURE, AnswerValue, Question, TriageResult
from .render import causes_table, level_panel, tips_block

REPORT_WIDTH = 88


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
        table.add_row(*row)
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


def markdown_report(kb: KnowledgeBase, result: TriageResult, today: dt.date) -> str:
    lv = result.level
    lines = [f"# hipcheck report, {today.isoformat()}", "", "## Answers", ""]
    for short, present, absent in answer_rows(kb, result.answers):
        lines.append(f"- **{short}**: {present}" + (f" (no: {absent})" if absent else ""))
    if result.unscreened:
        unchecked = ", ".join(kb.question_by_id[q].short.lower() for q in result.unscreened)
        lines.append(f"- **Not checked (skipped or not sure)**: {unchecked}")
    lines += ["", f"## Urgency: {lv.label} ({lv.time_frame})", ""]
    lines += [f"- {r.text}" for r in lv.reasons]
    lines += ["", "**What to do**", ""] + [f"- {a}" for a in lv.advice]
    if lv.not_ruled_out:
        names = {c.id: c.name for c in result.causes}
        lines += ["", "## Not ruled out", "", "The answers fit these; a doctor needs to check for them:", ""]
        lines += [f"- **{names.get(cid, cid)}**" for cid in lv.not_ruled_out]
    lines += ["", "## Likely causes", ""]
    for i, c in enumerate(result.causes[:5], 1):
        lines.append(f"{i}. **{c.name}**: {c.likelihood:.0%}")
        lines += [f"   - for: {e.text} (×{e.ratio})" for e in c.supporting[:4]]
        lines += [f"   - against: {e.text} (×{e.ratio})" for e in c.conflicting[:3]]
    if result.tips:
        lines += ["", "## Advice", ""]
        lines += [f"- {t.text} _(because {t.because[0]})_" for t in result.tips]
    lines += ["", f"_{result.disclaimer}_", ""]
    return "\n".join(lines)


def save_report(kb: KnowledgeBase, result: TriageResult, path: Path, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    suffix = path.suffix.lower()
    text = markdown_report(kb, result, today) if suffix == ".md" else _rich_report(kb, result, suffix, today)
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
