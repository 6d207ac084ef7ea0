"""Reports to bring to a physio or GP (`triage --save FILE`, `report --save FILE`): .txt, .md, .html
or .svg by extension.

Markdown, plain text and HTML (report_html.py) are written from one document (report_doc.py), so they
say the same things in the same order; SVG is a picture of the terminal view, from Rich's export.
The file is written to a temporary name and renamed, so a crash never leaves half a report.
`report_path_problem` checks the path before the interview starts: a known type, an existing folder,
and no existing file unless the user asked to replace it (which keeps its mode). Content and user text
is escaped for each format: Markdown by `md`, plain text by `escape`, HTML in report_html.py; in the
SVG it goes in as Rich `Text`, never as markup.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from hipcheck.knowledge.loader import KnowledgeBase
from hipcheck.knowledge.models import AnswerValue, TriageResult
from hipcheck.knowledge.text import escape, markdown_text
from hipcheck.screens import report_doc as doc
from hipcheck.screens.files import save_path_problem, write_private
from hipcheck.screens.result import causes_table, level_panel

REPORT_WIDTH = 88
REPORT_TYPES = (".txt", ".md", ".html", ".svg")


def report_path_problem(path: Path, *, overwrite: bool = False) -> str | None:
    """Why `--save PATH` cannot be written, in one line, or None: checked before the first question,
    so a typo never costs the whole interview."""
    return save_path_problem(path, REPORT_TYPES, "report", overwrite=overwrite)


def answers_table(kb: KnowledgeBase, answers: dict[str, AnswerValue]) -> Table:
    """Every answer, present and absent, as the reports word them (questions the content no longer
    has come last, by id)."""
    table = Table(title="Answers", title_justify="left", expand=True)
    table.add_column("Question", style="bold", ratio=1)
    table.add_column("Answer", ratio=3)
    for row in doc.answer_rows(kb, answers):
        # content text, never Rich markup
        table.add_row(Text(row.question), Text("\n".join(_part_text(p) for p in row.parts)))
    return table


def _part_text(part: doc.Part) -> str:
    return f"{part.label}: {part.text}" if part.label else part.text


def tips_view(report: doc.ReportDoc) -> RenderableType:
    """Every tip with why it was given, in sentences (the screen's own block shows only some)."""
    parts: list[RenderableType] = []
    for heading, tips in report.tips:
        parts.append(Text(heading, style="bold underline"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for t in tips:
            grid.add_row("•", Group(Text(t.text), Text(t.why, style="dim italic")))
        parts += [grid, Text("")]
    return Group(*parts)


def _rich_report(kb: KnowledgeBase, result: TriageResult, report: doc.ReportDoc) -> str:
    """The .svg report: a picture of the terminal view, with every tip and the answers."""
    con = Console(record=True, width=REPORT_WIDTH, file=io.StringIO(), force_terminal=True)
    facts = "; ".join(f"{k}: {v}" for k, v in report.facts)
    body = Group(
        Text(report.title, style="bold"),
        Text(facts, style="dim"),
        Text(""),
        level_panel(result),
        Text(""),
        answers_table(kb, result.answers),
        Text(""),
        causes_table(result),
        Text(""),
        tips_view(report),
        Text(result.disclaimer, style="italic"),
    )
    con.print(body)
    return con.export_svg(title=report.title)


md = markdown_text  # every piece of content or user text in the .md report goes through it


def _md_parts(parts: tuple[doc.Part, ...]) -> str:
    return " ".join(f"**{md(p.label)}**: {md(p.text)}" if p.label else md(p.text) for p in parts)


def _with_ratio(items: tuple[doc.EvidenceItem, ...], write=md) -> str:
    return "; ".join(f"{write(e.text)} ({doc.ratio(e.ratio)})" for e in items)


def markdown_report(
    kb: KnowledgeBase,
    result: TriageResult,
    today: dt.date,
    *,
    saved_as: str | None = None,
    made_on: dt.date | None = None,
) -> str:
    """The report as Markdown. Every piece of content or user text goes through `md`."""
    r = doc.build(kb, result, today, saved_as=saved_as, made_on=made_on)
    lines = [f"# {md(r.title)}", ""]
    lines += [f"- **{md(k)}**: {md(v)}" for k, v in r.facts]
    lines += ["", f"## {md(r.urgency_heading)}", ""]
    for heading, items in (("Why", r.why), ("Also noted", r.also), ("What to do", r.advice)):
        if items:
            lines += [f"### {heading}", ""] + [f"- {md(t)}" for t in items] + [""]
    if r.not_ruled_out:
        lines += ["### Not ruled out", "", doc.NOT_RULED_OUT, ""]
        lines += [f"- **{md(name)}**" for name in r.not_ruled_out] + [""]
    lines += [f"## {doc.ANSWERS}", ""]
    if r.not_checked:
        lines += [f"{doc.NOT_CHECKED}: {md(doc.join_and(r.not_checked))}.", ""]
    if r.not_used:
        lines += [f"{doc.NOT_USED}: {md(doc.join_and(r.not_used))}.", ""]
    lines += ["| Question | Answer |", "| --- | --- |"]
    lines += [f"| {md(row.question)} | {_md_parts(row.parts)} |" for row in r.answers]
    lines += ["", f"## {doc.CAUSES}", ""]
    for c in r.causes:
        lines.append(f"{c.rank}. **{md(c.name)}**: {c.share}")
        if c.supporting:
            lines.append(f"   - For: {_with_ratio(c.supporting)}.")
        if c.conflicting:
            lines.append(f"   - Against: {_with_ratio(c.conflicting)}.")
    lines += ["", f"{doc.SHARE_NOTE} {doc.LR_NOTE}"]
    if r.few_answers is not None:
        lines += ["", f"**{doc.few_answers_sentence(r.few_answers)}**"]
    if r.tips:
        lines += ["", f"## {doc.ADVICE}"]
        for heading, tips in r.tips:
            lines += ["", f"### {md(heading)}", ""]
            lines += [f"- {md(t.text)}" + (f" _{md(t.why)}_" if t.why else "") for t in tips]
    lines += ["", f"_{md(r.disclaimer)}_"]
    lines += ["", f"## {doc.SOURCES}", "", doc.SOURCES_NOTE]
    for heading, items in r.sources:
        lines += ["", f"### {md(heading)}", ""] + [f"- {md(s.full)}" for s in items]
    lines.append("")
    return "\n".join(lines)


def text_report(
    kb: KnowledgeBase,
    result: TriageResult,
    today: dt.date,
    *,
    saved_as: str | None = None,
    made_on: dt.date | None = None,
) -> str:
    """The report as plain text, wrapped at REPORT_WIDTH: the same document as the Markdown, without
    markup. Control characters in content or user text are shown as escapes."""
    import textwrap

    r = doc.build(kb, result, today, saved_as=saved_as, made_on=made_on)
    out: list[str] = []

    def para(text: str, first: str = "", rest: str = "") -> None:
        out.extend(
            textwrap.wrap(
                escape(text),
                REPORT_WIDTH,
                initial_indent=first,
                subsequent_indent=rest,
                break_long_words=False,
            )
            or [first.rstrip()]
        )

    def gap() -> None:  # one blank line, never two
        if out and out[-1]:
            out.append("")

    def heading(text: str, underline: str) -> None:
        gap()
        out.extend([escape(text), underline * min(len(text), REPORT_WIDTH), ""])

    out += [escape(r.title), "=" * len(r.title), ""]
    for k, v in r.facts:
        para(f"{k}: {v}", rest="    ")
    heading(r.urgency_heading, "-")
    for title, items in (("Why", r.why), ("Also noted", r.also), ("What to do", r.advice)):
        if items:
            gap()
            out.append(title)
            for t in items:
                para(t, "  - ", "    ")
    if r.not_ruled_out:
        gap()
        out.append("Not ruled out")
        para(doc.NOT_RULED_OUT)
        for name in r.not_ruled_out:
            para(name, "  - ", "    ")
    heading(doc.ANSWERS, "-")
    if r.not_checked:
        para(f"{doc.NOT_CHECKED}: {doc.join_and(r.not_checked)}.")
        out.append("")
    if r.not_used:
        para(f"{doc.NOT_USED}: {doc.join_and(r.not_used)}.")
        out.append("")
    for row in r.answers:
        para(f"{row.question}: {_part_text(row.parts[0])}", "", "    ")
        for p in row.parts[1:]:
            para(_part_text(p), "    ", "    ")
    heading(doc.CAUSES, "-")
    for c in r.causes:
        para(f"{c.rank}. {c.name}: {c.share}", "", "   ")
        if c.supporting:
            para(f"For: {_with_ratio(c.supporting, str)}.", "   ", "   ")
        if c.conflicting:
            para(f"Against: {_with_ratio(c.conflicting, str)}.", "   ", "   ")
    out.append("")
    para(f"{doc.SHARE_NOTE} {doc.LR_NOTE}")
    if r.few_answers is not None:
        para(doc.few_answers_sentence(r.few_answers))
    if r.tips:
        heading(doc.ADVICE, "-")
        for title, tips in r.tips:
            out.append(escape(title))
            for t in tips:
                para(t.text, "  - ", "    ")
                if t.why:
                    para(t.why, "    ", "    ")
            out.append("")
    para(r.disclaimer)
    heading(doc.SOURCES, "-")
    para(doc.SOURCES_NOTE)
    for title, items in r.sources:
        gap()
        out.append(escape(title))
        for s in items:
            para(s.full, "  - ", "    ")
    return "\n".join(out) + "\n"


def render(
    kb: KnowledgeBase,
    result: TriageResult,
    suffix: str,
    day: dt.date,
    *,
    saved_as: str | None = None,
    made_on: dt.date | None = None,
) -> str:
    """The report of `result` (a triage made on `day`) in the format of `suffix`."""
    if suffix == ".md":
        return markdown_report(kb, result, day, saved_as=saved_as, made_on=made_on)
    if suffix == ".txt":
        return text_report(kb, result, day, saved_as=saved_as, made_on=made_on)
    if suffix == ".html":
        from hipcheck.screens.report_html import html_report

        return html_report(doc.build(kb, result, day, saved_as=saved_as, made_on=made_on))
    # Rich draws text as given: the result's text has its control characters escaped first.
    safe = TriageResult.model_validate(doc.escape_all(result.model_dump(mode="json")))
    return _rich_report(kb, safe, doc.build(kb, safe, day, saved_as=saved_as, made_on=made_on))


def save_report(
    kb: KnowledgeBase,
    result: TriageResult,
    path: Path,
    today: dt.date | None = None,
    *,
    overwrite: bool = False,
    saved_as: str | None = None,
    made_on: dt.date | None = None,
) -> None:
    """Write the report of `result`, a triage made on `today` (a saved one: on its own day, with
    `saved_as` naming it and `made_on` today). A new file is private (0600); an existing one is
    replaced only with `overwrite` (else FileExistsError), keeping its mode. A symbolic link is
    replaced, not followed."""
    today = today or dt.date.today()
    text = render(kb, result, path.suffix.lower(), today, saved_as=saved_as, made_on=made_on)
    write_private(path, text.encode("utf-8"), overwrite=overwrite)
