"""The report as an HTML document (`--save report.html`): one self-contained page with its own styles,
readable on a phone (one column, the answers table stacking its cells), and printable (black on white,
no page break inside a row, a cause or a tip).

Written directly from the report document (report_doc.py), the same one the Markdown comes from, with
the standard library only. Every piece of content or user text goes through `h`: HTML-escaped (quotes
too), control characters shown as escapes. Only http(s) and doi.org addresses become links.
"""

from __future__ import annotations

from hipcheck.knowledge.text import html_text
from hipcheck.screens import report_doc as doc

STYLE = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4f4f4f; --rule: #d5d5d5; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; padding: 1.25rem; color: var(--ink); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 46rem; margin: 0 auto; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: 0 0 .75rem; }
h2 { font-size: 1.3rem; line-height: 1.25; margin: 2rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.1rem 0 .3rem; }
p, ul, ol { margin: .4rem 0; }
ul, ol { padding-left: 1.4rem; }
li { margin: .25rem 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.level { border: 2px solid; border-left-width: .6rem; border-radius: .3rem; padding: .6rem 1rem .8rem;
  margin-top: 1.5rem; }
.level h2 { margin-top: .2rem; border: 0; }
.level-emergency, .level-same_day { border-color: #b3001b; background: #fdf0f1; }
.level-urgent { border-color: #b45000; background: #fdf3ea; }
.level-routine { border-color: #c9a800; background: #fdf9e3; }
.level-self_care { border-color: #2e7d32; background: #f0f7f0; }
table { width: 100%; border-collapse: collapse; margin: .5rem 0; }
th, td { text-align: left; vertical-align: top; padding: .45rem .5rem; border-bottom: 1px solid var(--rule); }
thead th { border-bottom: 2px solid var(--ink); }
tbody th { font-weight: 600; width: 32%; }
td p { margin: 0; }
.absent, .why, .note { color: var(--muted); }
.why { font-style: italic; font-size: .95rem; margin-top: .1rem; }
.note { font-size: .93rem; }
.warn { font-weight: 600; }
ol.causes > li { margin-bottom: .9rem; }
.tips > li { margin: .7rem 0; }
a { color: #0b4f8a; }
ol.causes h3 { margin: 0; font-size: 1rem; }
.share { font-weight: 400; white-space: nowrap; }
.sources li { overflow-wrap: anywhere; }
.disclaimer { margin-top: 2rem; padding: .6rem 0; border-top: 1px solid var(--rule);
  border-bottom: 1px solid var(--rule); font-style: italic; }
@media (max-width: 36rem) {
  body { padding: .8rem; font-size: 15px; }
  h1 { font-size: 1.35rem; }
  .answers, .answers tbody, .answers tr, .answers th, .answers td { display: block; width: auto; }
  .answers thead { display: none; }
  .answers tr { padding: .4rem 0; border-bottom: 1px solid var(--rule); }
  .answers th, .answers td { border: 0; padding: 0; }
}
@media print {
  body { padding: 0; font-size: 10pt; line-height: 1.35; color: #000; }
  main { max-width: none; }
  h2 { margin-top: 1.2rem; }
  .absent, .why { font-size: 9pt; }
  th, td { padding: .25rem .4rem; }
  .sources ul { columns: 2; column-gap: 8mm; font-size: 8.5pt; line-height: 1.25; }
  .sources li { break-inside: avoid; page-break-inside: avoid; }
  .level { border-color: #000 !important; background: none !important; }
  .absent, .why, .note { color: #333; }
  .disclaimer { break-inside: avoid; page-break-inside: avoid; }
  #sources { break-before: page; page-break-before: always; }
  #sources h2 { margin-top: 0; }
  a { color: inherit; text-decoration: none; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, li, dl, .level { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


h = html_text  # content or user text as HTML: control characters shown as escapes, then HTML-escaped


def _list(items: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{h(t)}</li>" for t in items) + "</ul>"


def _parts(parts: tuple[doc.Part, ...]) -> str:
    out = []
    for p in parts:
        cls = ' class="absent"' if p.label == "Absent" else ""
        label = f"<strong>{h(p.label)}:</strong> " if p.label else ""
        out.append(f"<p{cls}>{label}{h(p.text)}</p>")
    return "\n".join(out)


def _evidence(word: str, items: tuple[doc.EvidenceItem, ...]) -> str:
    if not items:
        return ""
    listed = "; ".join(f"{h(e.text)} ({h(doc.ratio(e.ratio))})" for e in items)
    return f"<p><strong>{word}:</strong> {listed}.</p>"


def _source(s: doc.SourceItem) -> str:
    ref = h(s.ref)
    if s.link and s.link.lower().startswith(("https://", "http://")):
        ref = f'<a href="{h(s.link)}">{ref}</a>'
    return f"<li>{h(s.text)} {ref}</li>" if s.ref else f"<li>{h(s.text)}</li>"


def _page_style(r: doc.ReportDoc) -> str:
    """Printed pages: margins, and the title and page number at the foot of each (the date is digits
    and dashes only, so it is safe inside a CSS string)."""
    foot = f"{doc.TITLE}, {r.day.isoformat()}"
    return (
        "@page { margin: 15mm 15mm 18mm; "
        f'@bottom-left {{ content: "{foot}"; font: 8pt system-ui, sans-serif; color: #555; }} '
        '@bottom-right { content: "page " counter(page) " of " counter(pages); '
        "font: 8pt system-ui, sans-serif; color: #555; } }\n"
    )


def html_report(r: doc.ReportDoc) -> str:
    """The whole page."""
    title = f"{r.title}: {r.level_label}"
    out = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="hipcheck">',
        f"<title>{h(title)}</title>",
        f"<style>{STYLE}{_page_style(r)}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{h(r.title)}</h1>",
        '<dl class="facts">',
        *(f"<dt>{h(k)}</dt>\n<dd>{h(v)}</dd>" for k, v in r.facts),
        "</dl>",
        "</header>",
    ]

    # The urgency first: it is what matters most.
    out += [
        f'<section id="urgency" class="level level-{h(r.level_id)}" aria-labelledby="urgency-h">',
        f'<h2 id="urgency-h">{h(r.urgency_heading)}</h2>',
    ]
    for heading, items in (("Why", r.why), ("Also noted", r.also), ("What to do", r.advice)):
        if items:
            out += [f"<h3>{heading}</h3>", _list(items)]
    if r.not_ruled_out:
        out += ["<h3>Not ruled out</h3>", f"<p>{h(doc.NOT_RULED_OUT)}</p>", _list(r.not_ruled_out, "warn")]
    out.append("</section>")

    out += ['<section id="answers">', f"<h2>{h(doc.ANSWERS)}</h2>"]
    if r.not_checked:
        out.append(f'<p class="warn">{h(doc.NOT_CHECKED)}: {h(doc.join_and(r.not_checked))}.</p>')
    if r.not_used:
        out.append(f'<p class="note">{h(doc.NOT_USED)}: {h(doc.join_and(r.not_used))}.</p>')
    out += [
        '<table class="answers">',
        '<thead><tr><th scope="col">Question</th><th scope="col">Answer</th></tr></thead>',
        "<tbody>",
        *(
            f'<tr><th scope="row">{h(row.question)}</th>\n<td>{_parts(row.parts)}</td></tr>'
            for row in r.answers
        ),
        "</tbody>",
        "</table>",
        "</section>",
    ]

    out += ['<section id="causes">', f"<h2>{h(doc.CAUSES)}</h2>", '<ol class="causes">']
    for c in r.causes:
        out += [
            "<li>",
            f'<h3>{h(c.name)}: <span class="share">{h(c.share)}</span></h3>',
            _evidence("For", c.supporting),
            _evidence("Against", c.conflicting),
            "</li>",
        ]
    out += ["</ol>", f'<p class="note">{h(doc.SHARE_NOTE)} {h(doc.LR_NOTE)}</p>']
    if r.few_answers is not None:
        out.append(f'<p class="warn">{h(doc.few_answers_sentence(r.few_answers))}</p>')
    out.append("</section>")

    if r.tips:
        out += ['<section id="advice">', f"<h2>{h(doc.ADVICE)}</h2>"]
        for heading, tips in r.tips:
            out += [f"<h3>{h(heading)}</h3>", '<ul class="tips">']
            for t in tips:
                why = f'<p class="why">{h(t.why)}</p>' if t.why else ""
                out.append(f"<li><p>{h(t.text)}</p>{why}</li>")
            out.append("</ul>")
        out.append("</section>")

    out.append(f'<p class="disclaimer">{h(r.disclaimer)}</p>')

    out += ['<section id="sources" class="sources">', f"<h2>{h(doc.SOURCES)}</h2>"]
    out.append(f'<p class="note">{h(doc.SOURCES_NOTE)}</p>')
    for heading, items in r.sources:
        out += [f"<h3>{h(heading)}</h3>", "<ul>", *(_source(s) for s in items), "</ul>"]
    out += ["</section>", "</main>", "</body>", "</html>", ""]
    return "\n".join(out)
