"""The progress report (`hipcheck report --progress`) as Markdown and as one print-ready HTML page with
an inline SVG chart (no scripts), both from the progress document (progress_doc.py). Every piece of
content or user text goes through `markdown_text` or `html_text`.
"""

from __future__ import annotations

import datetime as dt

from hipcheck.knowledge.text import html_text, markdown_text, short_date
from hipcheck.screens import progress_doc as doc
from hipcheck.screens.plan_doc import long_date

PROGRESS_TYPES = (".md", ".html")
md = markdown_text
h = html_text


def _opt(n: int | None) -> str:
    return "-" if n is None else f"{n}/10"


# --------------------------------------------------------------------------- Markdown


def progress_markdown(d: doc.ProgressDoc) -> str:
    lines = [f"# {md(d.title)}", ""]
    lines += [f"- **{md(k)}**: {md(v)}" for k, v in d.facts + d.plan_facts]
    lines += [""] + [f"> {md(n)}" for n in d.notes] + ([""] if d.notes else [])
    if d.changes:
        lines += [f"## {doc.CHANGES}", ""]
        lines += [f"- {long_date(c.day)}: **{md(c.what)}**: {md(c.why)}." for c in d.changes]
        lines.append("")
    if d.adherence:
        lines += [f"## {doc.ADHERENCE}", "", md(d.adherence_line), ""]
        lines += ["| Step | From | To | Done | Planned |", "| --- | --- | --- | --- | --- |"]
        lines += [
            f"| {a.step}. {md(a.name)} | {long_date(a.start)} | {long_date(a.end)} | {a.done} | {a.planned} |"
            for a in d.adherence
        ]
        lines += ["", f"_{md(doc.ADHERENCE_NOTE)}_", ""]
    if d.weeks:
        lines += [f"## {doc.PAIN}", ""]
        if d.limits:
            lines += [f"Limits of the plan: during {d.limits[0]}/10, the next morning {d.limits[1]}/10.", ""]
        lines += ["| Week from | Sessions | Worst during | Worst next morning |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {long_date(w.start)} | {w.sessions} | {_opt(w.during_max)} | {_opt(w.morning_max)} |"
            for w in d.weeks
        ]
        lines.append("")
    lines += [f"## {doc.WARNINGS}", ""]
    lines += [f"- {md(w)}" for w in d.warnings] if d.warnings else [doc.NO_WARNINGS]
    lines += ["", f"_{md(d.disclaimer)}_", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the chart

W, H = 680, 210
LEFT, RIGHT, TOP, BOTTOM = 34, 26, 14, 30


def chart_svg(d: doc.ProgressDoc) -> str:
    """Pain during sessions (solid) and the next morning (dashed), 0-10, over the days of the plan, with
    the plan's limits and each step change. Plain SVG, no scripts, no external references."""
    if d.start is None or not d.points:
        return ""
    first, last = d.start, max(d.made_on, d.points[-1].day)
    span = max(1, (last - first).days)

    def x(day: dt.date) -> float:
        return round(LEFT + (W - LEFT - RIGHT) * (day - first).days / span, 1)

    def y(v: float) -> float:
        return round(TOP + (H - TOP - BOTTOM) * (10 - v) / 10, 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        'aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">{h(doc.PAIN)}, 0 to 10, '
        f"from {long_date(first)} to {long_date(last)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{W - LEFT - RIGHT}" height="{H - TOP - BOTTOM}" fill="none" '
        'stroke="#bbb"/>',
    ]
    for v in (0, 2, 4, 6, 8, 10):
        out.append(
            f'<text x="{LEFT - 6}" y="{y(v) + 4}" text-anchor="end" font-size="11" fill="#444">{v}</text>'
        )
    day = first
    while day <= last:
        out.append(f'<line x1="{x(day)}" y1="{TOP}" x2="{x(day)}" y2="{H - BOTTOM}" stroke="#eee"/>')
        out.append(
            f'<text x="{x(day)}" y="{H - BOTTOM + 16}" text-anchor="middle" font-size="11" fill="#444">'
            f"{h(short_date(day))}</text>"
        )
        day += dt.timedelta(days=7)
    if d.limits:
        for value, label, dash in (
            (d.limits[0], "limit during", "6 3"),
            (d.limits[1], "limit morning", "2 3"),
        ):
            out.append(
                f'<line x1="{LEFT}" y1="{y(value)}" x2="{W - RIGHT}" y2="{y(value)}" stroke="#b3001b" '
                f'stroke-dasharray="{dash}" stroke-width="1"><title>{label} {value}/10</title></line>'
            )
    for day, step in d.step_days:
        out.append(
            f'<line x1="{x(day)}" y1="{TOP}" x2="{x(day)}" y2="{H - BOTTOM}" stroke="#0b4f8a" '
            f'stroke-width="1.5"/><text x="{x(day) + 3}" y="{TOP + 11}" font-size="11" fill="#0b4f8a">'
            f"step {step}</text>"
        )
    for attr, colour, dash, shape in (
        ("during", "#1b1b1b", "", "circle"),
        ("morning", "#b45000", "5 3", "rect"),
    ):
        pts = [(x(p.day), y(getattr(p, attr))) for p in d.points if getattr(p, attr) is not None]
        if not pts:
            continue
        path = " ".join(f"{a},{b}" for a, b in pts)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{extra}/>')
        for a, b in pts:
            if shape == "circle":
                out.append(f'<circle cx="{a}" cy="{b}" r="2.6" fill="{colour}"/>')
            else:
                out.append(f'<rect x="{a - 2.4}" y="{b - 2.4}" width="4.8" height="4.8" fill="{colour}"/>')
    return "\n".join([*out, "</svg>"])


# --------------------------------------------------------------------------- HTML

STYLE = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4f4f4f; --rule: #d5d5d5; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; padding: 1.25rem; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 48rem; margin: 0 auto; }
h1 { font-size: 1.5rem; line-height: 1.2; margin: 0 0 .5rem; }
h2 { font-size: 1.12rem; margin: 1.2rem 0 .35rem; padding-bottom: .15rem;
  border-bottom: 1px solid var(--rule); }
p, ul { margin: .3rem 0; }
ul { padding-left: 1.3rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.note { color: var(--muted); font-size: .9rem; }
.warn li { font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .2rem .45rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
td.n, th.n { text-align: right; }
.chart { width: 100%; min-width: 34rem; height: auto; display: block; margin: .3rem 0; }
td { white-space: nowrap; }
.key { font-size: .85rem; color: var(--muted); }
.key span { white-space: nowrap; margin-right: 1rem; }
.wrap { overflow-x: auto; }
.disclaimer { margin-top: 1rem; font-style: italic; font-size: .85rem; color: var(--muted); }
@media (max-width: 36rem) {
  body { padding: .7rem; font-size: 14px; }
  .facts { grid-template-columns: 1fr; }
  .facts dd { margin-bottom: .3rem; }
}
@media print {
  body { padding: 0; font-size: 9.5pt; line-height: 1.3; color: #000; }
  main { max-width: none; }
  h1 { font-size: 14pt; }
  h2 { font-size: 11pt; margin-top: .6rem; }
  table { font-size: 8.5pt; }
  .facts { font-size: 9pt; }
  .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 0 8mm; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, li, .chart { break-inside: avoid; page-break-inside: avoid; }
  .chart { min-width: 0; }
}
"""


def _page_style(d: doc.ProgressDoc) -> str:
    return (
        "@page { size: A4; margin: 11mm 12mm 13mm; "
        f'@bottom-left {{ content: "{doc.TITLE}, {d.made_on.isoformat()}"; '
        "font: 7.5pt system-ui, sans-serif; color: #555; } "
        '@bottom-right { content: "page " counter(page) " of " counter(pages); '
        "font: 7.5pt system-ui, sans-serif; color: #555; } }\n"
    )


def progress_html(d: doc.ProgressDoc) -> str:
    out = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="hipcheck">',
        f"<title>{h(d.title)}</title>",
        f"<style>{STYLE}{_page_style(d)}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{h(d.title)}</h1>",
        '<section id="triage"><dl class="facts">',
        *(f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in d.facts + d.plan_facts),
        "</dl>",
        *(f'<p class="note">{h(n)}</p>' for n in d.notes),
        "</section>",
    ]
    svg = chart_svg(d)
    if svg:
        out += [f'<section id="pain"><h2>{h(doc.PAIN)}</h2>', '<div class="wrap">', svg, "</div>"]
        key = ["<span>● during a session (solid)</span>", "<span>■ the next morning (dashed)</span>"]
        if d.limits:
            during, morning = d.limits
            key.append(f"<span>red lines: the plan's limits ({during} during, {morning} next morning)</span>")
        key.append("<span>blue lines: step changes</span>")
        out += [f'<p class="key">{" ".join(key)}</p>', "</section>"]
    out.append('<div class="cols">')
    if d.changes:
        out += [f'<section id="changes"><h2>{h(doc.CHANGES)}</h2>', "<ul>"]
        out += [
            f"<li>{h(long_date(c.day))}: <strong>{h(c.what)}</strong>: {h(c.why)}.</li>" for c in d.changes
        ]
        out += ["</ul>", "</section>"]
    out += [f'<section id="warnings"><h2>{h(doc.WARNINGS)}</h2>']
    if d.warnings:
        out += ['<ul class="warn">', *(f"<li>{h(w)}</li>" for w in d.warnings), "</ul>"]
    else:
        out.append(f"<p>{h(doc.NO_WARNINGS)}</p>")
    out += ["</section>", "</div>", '<div class="cols">']
    if d.adherence:
        out += [
            f'<section id="adherence"><h2>{h(doc.ADHERENCE)}</h2>',
            f"<p><strong>{h(d.adherence_line)}</strong></p>",
        ]
        out += [
            '<div class="wrap"><table>',
            '<thead><tr><th scope="col">Step</th><th scope="col">From</th>'
            '<th scope="col" class="n">Done</th><th scope="col" class="n">Planned</th></tr></thead><tbody>',
        ]
        out += [
            f'<tr><th scope="row">{a.step}. {h(a.name)}</th><td>{h(short_date(a.start))}</td>'
            f'<td class="n">{a.done}</td><td class="n">{a.planned}</td></tr>'
            for a in d.adherence
        ]
        out += ["</tbody></table></div>", f'<p class="note">{h(doc.ADHERENCE_NOTE)}</p>', "</section>"]
    if d.weeks:
        out += [
            '<section id="weeks"><h2>Week by week</h2><div class="wrap"><table>',
            '<thead><tr><th scope="col">Week from</th><th scope="col" class="n">Sessions</th>'
            '<th scope="col" class="n">Worst during</th><th scope="col" class="n">Worst morning</th>'
            "</tr></thead><tbody>",
        ]
        out += [
            f'<tr><th scope="row">{h(short_date(w.start))}</th><td class="n">{w.sessions}</td>'
            f'<td class="n">{_opt(w.during_max)}</td><td class="n">{_opt(w.morning_max)}</td></tr>'
            for w in d.weeks
        ]
        out += ["</tbody></table></div>", "</section>"]
    out += ["</div>", f'<p class="disclaimer">{h(d.disclaimer)}</p>', "</main>", "</body>", "</html>", ""]
    return "\n".join(out)
