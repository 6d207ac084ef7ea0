"""The plan as HTML (`plan --save plan.html`, and the one-page handout, `--step-only`): standalone pages
with their own styles, readable on a phone (one column, a viewport) and printable (black on white, the
date in the foot of each page). Printed, the whole plan gives the current step in full and the others
by name, goal and entry criteria; the handout is the current step alone and fits one A4 page.

Written from the plan document (plan_doc.py), as the Markdown is. Every piece of content text goes
through `h` (knowledge/text.html_text). Only http(s) addresses become links. No scripts.
"""

from __future__ import annotations

from hipcheck.knowledge.text import html_text
from hipcheck.screens import plan_doc as doc
from hipcheck.screens.report_doc import SourceItem

h = html_text

STYLE = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4f4f4f; --rule: #d5d5d5; --now: #0b4f8a; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; padding: 1.25rem; color: var(--ink); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 46rem; margin: 0 auto; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: 0 0 .5rem; }
h2 { font-size: 1.25rem; line-height: 1.25; margin: 1.6rem 0 .5rem; padding-bottom: .2rem;
  border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.02rem; margin: 1rem 0 .25rem; }
p, ul, ol { margin: .35rem 0; }
ul, ol { padding-left: 1.3rem; }
li { margin: .2rem 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0 0 .6rem; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.notice { border-left: .35rem solid #b45000; background: #fdf3ea; padding: .4rem .8rem; margin: .5rem 0; }
.standing { border: 2px solid var(--now); border-radius: .3rem; padding: .3rem 1rem .6rem; margin: 1rem 0; }
.standing h2 { border: 0; margin-top: .3rem; }
.verdict-stop { border-color: #b3001b; background: #fdf0f1; }
.verdict-step_back, .verdict-wait_for_clearance { border-color: #b45000; }
.overview li.now { font-weight: 700; }
.state { font-size: .85rem; font-weight: 600; color: var(--muted); white-space: nowrap; }
.step.now { border-left: .35rem solid var(--now); padding-left: .8rem; }
.here { display: inline-block; font-size: .8rem; font-weight: 700; color: #fff; background: var(--now);
  border-radius: .25rem; padding: 0 .4rem; margin-left: .3rem; vertical-align: middle; }
.exercises > li { margin: .6rem 0; }
.exercises dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 .7rem; margin: .15rem 0; }
.exercises dt { color: var(--muted); }
.exercises dd { margin: 0; }
.dose { font-weight: 600; }
.why, .note, .dim { color: var(--muted); font-size: .93rem; }
.sources li, .why { overflow-wrap: anywhere; }
.disclaimer { margin-top: 1.5rem; padding: .5rem 0; border-top: 1px solid var(--rule); font-style: italic; }
a { color: #0b4f8a; }
code { font-size: .92em; overflow-wrap: anywhere; }
.print-only { display: none; }
@media (max-width: 36rem) {
  body { padding: .8rem; font-size: 15px; }
  h1 { font-size: 1.35rem; }
  .exercises dl, .facts { grid-template-columns: 1fr; }
  .exercises dt { margin-top: .2rem; }
}
@media print {
  body { padding: 0; font-size: 10pt; line-height: 1.3; color: #000; }
  main { max-width: none; }
  h1 { font-size: 15pt; }
  h2 { font-size: 12pt; margin-top: .8rem; }
  h3 { font-size: 10.5pt; margin-top: .5rem; }
  .standing, .notice, .step.now { border-color: #000 !important; background: none !important; }
  .here { color: #000; background: none; border: 1.5px solid #000; }
  .why, .note, .dim, .state { color: #333; }
  a { color: inherit; text-decoration: none; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  li, dl, .standing, .notice { break-inside: avoid; page-break-inside: avoid; }
  .step.later .detail, .step.done .detail, .screen-only { display: none; }
  .exercises .why { display: none; }
  .sources ul { columns: 2; column-gap: 8mm; font-size: 8pt; line-height: 1.2; }
}
"""

# The handout: one A4 page printed. Exercises in two columns, the reasons and notices smaller.
HANDOUT_STYLE = """
@page { margin: 8mm 10mm 10mm; }
@media print {
  body { font-size: 8.8pt; line-height: 1.22; }
  h1 { font-size: 12pt; margin-bottom: .2rem; }
  h2 { font-size: 10.5pt; margin: .45rem 0 .2rem; padding-bottom: 0; }
  h3 { font-size: 9.5pt; margin: .3rem 0 .1rem; }
  p, ul, ol { margin: .15rem 0; }
  li { margin: .05rem 0; }
  .facts { display: block; margin-bottom: .2rem; font-size: 8.5pt; }
  .facts dt, .facts dd { display: inline; }
  .facts dt::after { content: ": "; }
  .facts dd { margin-right: .8rem; }
  .standing { padding: .1rem .6rem .3rem; margin: .3rem 0; }
  .standing li, .notice { font-size: 8.5pt; }
  .exercises { columns: 2; column-gap: 7mm; padding-left: 1.1rem; margin: .1rem 0; }
  .exercises > li { margin: 0 0 .25rem; break-inside: auto; page-break-inside: auto; }
  .exercises dl, .exercises dd { break-inside: avoid; page-break-inside: avoid; }
  .step > p, .standing li { font-size: 8.5pt; }
  .exercises dl { font-size: 7.8pt; line-height: 1.16; }
  .exercises .harder { display: none; }
  .print-only { display: block; }
  .cols { display: grid; grid-template-columns: 1.4fr 1fr 1fr 1fr; gap: 0 4mm; font-size: 8pt; }
  .cols ul { padding-left: 1rem; }
  .disclaimer { margin-top: .3rem; padding: .15rem 0; font-size: 7.5pt; }
}
"""


def _page_style(d: doc.PlanDoc, what: str) -> str:
    """Printed pages: margins, and the title and date at the foot of each (the date is digits and
    English month names only, safe inside a CSS string)."""
    foot = f"{doc.TITLE} {what}, {doc.long_date(d.made_on)}"
    return (
        "@page { size: A4; margin: 12mm 13mm 14mm; "
        f'@bottom-left {{ content: "{foot}"; font: 7.5pt system-ui, sans-serif; color: #555; }} '
        '@bottom-right { content: "page " counter(page) " of " counter(pages); '
        "font: 7.5pt system-ui, sans-serif; color: #555; } }\n"
    )


def _head(title: str, style: str) -> list[str]:
    return [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="hipcheck">',
        f"<title>{h(title)}</title>",
        f"<style>{style}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]


def _header(d: doc.PlanDoc, title: str) -> list[str]:
    out = ["<header>", f"<h1>{h(title)}</h1>", '<dl class="facts">']
    out += [f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in d.facts]
    out.append("</dl>")
    out += [f'<p class="notice">{h(n)}</p>' for n in d.notices]
    return [*out, "</header>"]


def _list(items, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{h(t)}</li>" for t in items) + "</ul>"


def _source(s: SourceItem) -> str:
    ref = h(s.ref)
    if s.link and s.link.lower().startswith(("https://", "http://")):
        ref = f'<a href="{h(s.link)}">{ref}</a>'
    return f"<li>{h(s.text)} {ref}</li>" if s.ref else f"<li>{h(s.text)}</li>"


def _standing(d: doc.PlanDoc, *, progress: bool = True) -> list[str]:
    out = [
        f'<section id="standing" class="standing verdict-{h(d.verdict)}" aria-labelledby="standing-h">',
        f'<h2 id="standing-h">{h(d.standing_heading)}</h2>',
        _list(d.reasons),
    ]
    if d.progress and progress:
        out.append(f"<p>{h(d.progress)}</p>")
    return [*out, "</section>"]


def _exercises(step: doc.StepItem, *, why: bool, rows: tuple[str, ...]) -> list[str]:
    if not step.exercises:
        return [f"<p>{h(doc.NO_EXERCISES)}</p>"]
    out = ['<ol class="exercises">']
    for ex in step.exercises:
        out.append(f'<li><strong>{h(ex.name)}</strong>: <span class="dose">{h(ex.dose)}</span><dl>')
        out += [
            f'<dt class="{label.lower()}">{h(label)}</dt><dd class="{label.lower()}">{h(text)}</dd>'
            for label, text in ex.rows
            if label in rows
        ]
        out.append("</dl>")
        if why:
            out.append(f'<p class="why">{h(ex.basis)}</p>')
            out += [f'<p class="why">{h(s.full)}</p>' for s in ex.sources]
        out.append("</li>")
    return [*out, "</ol>"]


def _step_body(step: doc.StepItem, *, why: bool, rows: tuple[str, ...]) -> list[str]:
    """A given step: goal, entry, running, exercises, what to avoid and when to move on."""
    out = [f"<p>{h(step.goal)}</p>", "<h3>Start this step when</h3>", _list(step.entry)]
    out += ['<div class="detail">', "<h3>Running</h3>", f"<p>{h(step.running)}</p>"]
    if step.run_line:
        out.append(f"<p><strong>{h(step.run_line)}</strong></p>")
    out += ["<h3>Exercises</h3>", *_exercises(step, why=why, rows=rows)]
    if step.withheld:
        left = h(", ".join(step.withheld))
        out.append(f'<p class="note">Left out (a cause still possible rules them out): {left}</p>')
    if step.avoid:
        out += ["<h3>Avoid for now</h3>", _list(step.avoid)]
    out += [f"<p>{h(step.move_on)}</p>", "</div>"]
    return out


ALL_ROWS = ("How", "Effort", "Easier", "Harder")


def _no_plan(d: doc.PlanDoc, what: str) -> str:
    out = _head(d.title, STYLE + _page_style(d, what)) + _header(d, d.title)
    out += [
        _list(d.no_plan),
        f'<p class="disclaimer">{h(d.disclaimer)}</p>',
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def html_plan(d: doc.PlanDoc) -> str:
    """The whole plan: every step, the current one marked (`aria-current="step"`) and in full."""
    if d.status != "plan":
        return _no_plan(d, "plan")
    out = _head(f"{d.title}, {doc.long_date(d.made_on)}", STYLE + _page_style(d, "plan"))
    out += _header(d, d.title)
    out += [f"<p>{h(d.summary)}</p>", "<h2>Pain limits</h2>", _list(d.limits)]
    out += _standing(d)
    out += ["<h2>The steps</h2>", '<ol class="overview">']
    for s in d.steps:
        cls = ' class="now"' if s.state == doc.NOW else ""
        out.append(f'<li{cls}>{h(s.name)} ({h(s.weeks)}) <span class="state">{h(s.state)}</span></li>')
    out.append("</ol>")
    for s in d.steps:
        current = ' aria-current="step"' if s.state == doc.NOW else ""
        state = s.state.split()[0]
        here = '<span class="here">You are here</span>' if s.state == doc.NOW else ""
        out += [
            f'<section class="step {h(state)}" id="step-{s.number}"{current}>',
            f'<h2>{h(s.heading)} <span class="state">({h(s.weeks)})</span>{here}</h2>',
        ]
        if s.given:
            out += _step_body(s, why=True, rows=ALL_ROWS)
        else:
            out.append(f"<p>{h(doc.CLEARANCE if s.state == doc.WAITS else doc.NOT_GIVEN)}</p>")
        out.append("</section>")
    out += ["<h2>Log your sessions</h2>", "<ul>"]
    out += [f"<li>{h(when)}: <code>{h(cmd)}</code> ({h(what)})</li>" for when, cmd, what in doc.LOG_HINTS]
    out += ["</ul>", "<h2>Why this plan</h2>", f"<p>{h(d.basis)}</p>"]
    out += ['<section class="sources">', "<h2>Sources</h2>", "<ul>", *(_source(s) for s in d.sources)]
    out += ["</ul>", "</section>", f'<p class="disclaimer">{h(d.disclaimer)}</p>']
    return "\n".join([*out, "</main>", "</body>", "</html>", ""])


HANDOUT_ROWS = ("How", "Easier", "Harder")


def _log() -> list[str]:
    out = ['<div class="log">', "<h3>Log your sessions</h3>", "<ul>"]
    out += [f"<li>{h(when)}: <code>{h(cmd)}</code> ({h(what)})</li>" for when, cmd, what in doc.LOG_HINTS]
    return [*out, "</ul>", "</div>"]


def html_handout(d: doc.PlanDoc) -> str:
    """The current step on one page: date, step, exercises with doses, limits, what moves you on."""
    if d.status != "plan":
        return _no_plan(d, "step")
    step = d.current
    title = f"Step {step.number} of {len(d.steps)}: {step.name}" if step else d.title
    out = _head(f"{title}, {doc.long_date(d.made_on)}", STYLE + HANDOUT_STYLE + _page_style(d, "step"))
    out += _header(d.with_fact("Plan", d.title) if step else d, title)
    out += _standing(d, progress=d.verdict != "stay")  # "stay" says the same in its reason
    if step is not None:
        out += [
            f'<section class="step now" id="step-{step.number}" aria-current="step">',
            f'<p><strong>{h(step.goal)}</strong> <span class="state">({h(step.weeks)})</span></p>',
            "<h3>Running</h3>",
            f"<p>{h(step.running)}</p>",
        ]
        if step.run_line:
            out.append(f"<p><strong>{h(step.run_line)}</strong></p>")
        out += ["<h3>Exercises</h3>", *_exercises(step, why=False, rows=HANDOUT_ROWS)]
        out.append(f'<p class="note print-only">{h(doc.HARDER_ELSEWHERE)}</p>')
        out += ['<div class="cols">', "<div>", "<h3>What moves you on</h3>", f"<p>{h(step.move_on)}</p>"]
        if d.next_entry:
            out += ["<p>The next step starts when:</p>", _list(d.next_entry)]
        out += ["</div>", "<div>", "<h3>Pain limits</h3>", _list(d.limits), "</div>"]
        if step.avoid:
            out += ["<div>", "<h3>Avoid for now</h3>", _list(step.avoid), "</div>"]
        out += _log() + ["</div>", "</section>"]
    else:
        out += ["<h2>Pain limits</h2>", _list(d.limits), *_log()]
    out.append(f'<p class="disclaimer">{h(d.disclaimer)}</p>')
    return "\n".join([*out, "</main>", "</body>", "</html>", ""])
