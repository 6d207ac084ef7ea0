"""Reports for a physio or GP (issue 14): the .html report is a real document, read here with a real
HTML parser (html5lib, the WHATWG algorithm browsers use), and the .md, .txt and .html reports say the
same things, in sentences. Hostile text (markup, `<script>`, control characters) in content or in a
stored result is shown as text in every format."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil

import html5lib
import pytest
from conftest import MINI, ROOT, all_clear

from hipcheck.engine.decide import assess
from hipcheck.knowledge.loader import load_content
from hipcheck.knowledge.models import TriageResult
from hipcheck.screens import report, report_doc
from hipcheck.screens.report_html import html_report

DAY = dt.date(2026, 11, 20)
OUTER_HIP = json.loads((ROOT / "docs" / "examples" / "outer-hip.json").read_text())
# A runner with groin pain creeping up over weeks after a jump in mileage: the bone-stress rules
# make it urgent and name the stress fractures as not ruled out.
BONE_STRESS = {
    "location": ["groin"],
    "onset": "gradual",
    "timing": ["during"],
    "training": ["mileage_jump"],
    "duration": "weeks_6",
}


def parse(text: str):
    return html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=False)


def words(el) -> str:
    return " ".join("".join(el.itertext()).split())


def section(root, sid: str):
    found = [s for s in root.iter("section") if s.get("id") == sid]
    assert len(found) == 1, sid
    return found[0]


def answer_cells(root) -> dict[str, str]:
    table = section(root, "answers").find(".//table")
    return {words(tr.find("th")): words(tr.find("td")) for tr in table.find("tbody").iter("tr")}


def unmd(text: str) -> str:
    """Markdown text as a reader sees it: backslash escapes and HTML entities undone."""
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


@pytest.fixture(scope="module")
def outer(kb):
    result = assess(kb, OUTER_HIP)
    return result, report.render(kb, result, ".html", DAY)


@pytest.fixture(scope="module")
def urgent(kb):
    result = assess(kb, {**all_clear(kb), **BONE_STRESS})
    assert result.level.not_ruled_out, "the example must name causes not ruled out"
    return result


# --------------------------------------------------------------------------- the document


def test_the_html_report_is_a_document_with_a_title_language_and_charset(outer):
    result, text = outer
    assert text.lower().startswith("<!doctype html>")
    root = parse(text)
    assert root.get("lang") == "en"
    head = root.find("head")
    assert any(m.get("charset", "").lower() == "utf-8" for m in head.iter("meta"))
    viewport = [m for m in head.iter("meta") if m.get("name") == "viewport"]
    assert viewport and "width=device-width" in viewport[0].get("content")
    title = words(head.find("title"))
    assert "2026-11-20" in title and result.level.label in title
    assert "<pre" not in text and "╭" not in text and "│" not in text  # no terminal drawing


def test_the_headings_come_in_order(outer):
    result, text = outer
    root = parse(text)
    assert [words(h) for h in root.iter("h1")] == ["hipcheck report, 2026-11-20"]
    assert [words(h) for h in root.iter("h2")] == [
        f"Urgency: {result.level.label} ({result.level.time_frame})",
        "Answers",
        "Likely causes",
        "Advice",
        "Sources",
    ]


def test_the_level_is_named_in_words_and_marked_for_styling(outer):
    result, text = outer
    urgency = section(parse(text), "urgency")
    assert f"level-{result.level.id.value}" in urgency.get("class").split()
    said = words(urgency)
    assert result.level.label in said and result.level.time_frame in said
    assert all(" ".join(a.split()) in said for a in result.level.advice)
    assert all(" ".join(r.text.split()) in said for r in result.level.reasons)


def test_the_answers_table_says_present_absent_and_none_reported(kb, outer):
    _, text = outer
    cells = answer_cells(parse(text))
    assert cells["Age"] == "35 to 49"
    assert cells["Pain at its worst"] == "5 out of 10"
    assert cells["Warning signs"].startswith("None reported. Absent: Fever")
    assert cells["Where it hurts"].startswith(
        "Present: Outside of the hip, over the bony point. Absent: Front"
    )
    assert "none" not in cells.values()
    asked = [q.short for q in kb.questions if q.id in OUTER_HIP]
    assert list(cells) == asked


def test_a_not_sure_answer_and_unchecked_warning_signs_are_said(kb):
    answers = {**all_clear(kb), "warning_signs": "not_sure", "location": ["lateral"]}
    root = parse(report.render(kb, assess(kb, answers), ".html", DAY))
    assert answer_cells(root)["Warning signs"] == "Not sure"
    said = words(section(root, "answers"))
    assert "Warning-sign questions not checked (skipped or answered “Not sure”): Warning signs." in said


def test_every_cause_is_listed_with_its_share_and_evidence(outer):
    result, text = outer
    causes = section(parse(text), "causes")
    items = causes.find("ol").findall("li")
    assert len(items) == 5
    for cause, li in zip(result.causes, items, strict=False):
        heading = words(li.find("h3"))
        assert heading.startswith(cause.name + ":")
        said = words(li)
        for e in cause.supporting:
            assert f"{e.text} (LR {e.ratio:g})" in said
        for e in cause.conflicting:
            assert f"{e.text} (LR {e.ratio:g})" in said
    shares = [words(li.find("h3")).rsplit(": ", 1)[1] for li in items]
    # The likelihoods are calibrated (content/meta.toml [calibration]): this runner's top cause is >99%.
    assert shares == [report_doc.share(c.likelihood) for c in result.causes[:5]]
    assert shares[0] == ">99%" and "0%" not in shares  # a small share is <1%, never 0%
    assert [report_doc.share(p) for p in (0.96, 0.004, 0.995)] == ["96%", "<1%", ">99%"]


def test_causes_not_ruled_out_come_with_the_urgency(kb, urgent):
    root = parse(report.render(kb, urgent, ".html", DAY))
    said = words(section(root, "urgency"))
    names = {c.id: c.name for c in urgent.causes}
    assert "Not ruled out" in said
    assert all(names[c] in said for c in urgent.level.not_ruled_out)


def test_every_tip_is_there_with_why_in_a_sentence(outer):
    result, text = outer
    advice = section(parse(text), "advice")
    tips = [li for ul in advice.iter("ul") for li in ul.findall("li")]
    assert [words(li.find("p")) for li in tips] == [" ".join(t.text.split()) for t in result.tips]
    whys = [words(p) for li in tips for p in li.findall("p") if p.get("class") == "why"]
    assert len(whys) == len(result.tips)
    assert all(w.startswith("Suggested because ") and w.endswith(".") for w in whys)
    assert not any("possible cause:" in w or "you said:" in w for w in whys)


def test_the_sources_are_listed_once_with_safe_links(kb, outer, urgent):
    result, text = outer
    sources = section(parse(text), "sources")
    items = [words(li) for li in sources.iter("li")]
    assert len(items) == len(set(items)) > 5
    gtps = kb.condition_by_id[result.causes[0].id].sources[0]
    assert any(i.startswith(gtps.title) for i in items)
    hrefs = [a.get("href") for a in sources.iter("a")]
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    # the rules that set an urgent level are sourced too
    root = parse(report.render(kb, urgent, ".html", DAY))
    headings = [words(h) for h in section(root, "sources").iter("h3")]
    assert headings[0] == "For the urgency"


def test_phone_and_print_styles_are_there(outer):
    _, text = outer
    style = words(parse(text).find("head/style"))
    assert "@media print" in style and "@media (max-width" in style and "max-width: 46rem" in style
    assert "break-inside: avoid" in style


# --------------------------------------------------------------------------- same things in every format


def md_facts(md: str) -> dict:
    lines = md.splitlines()
    return {
        "h2": [unmd(line[3:]) for line in lines if line.startswith("## ")],
        "causes": [unmd(m[1]) for m in re.finditer(r"^\d+\. \*\*(.+)\*\*: ", md, flags=re.M)],
        "questions": [
            unmd(line.split(" | ")[0][2:])
            for line in lines[lines.index("| --- | --- |") + 1 :]
            if line.startswith("| ")
        ],
        "tips": len([line for line in lines if line.startswith("- ") and "_Suggested because" in line]),
        "sources": len([line for line in md.split("## Sources", 1)[1].splitlines() if line.startswith("- ")]),
    }


def html_facts(text: str) -> dict:
    root = parse(text)
    return {
        "h2": [words(h) for h in root.iter("h2")],
        "causes": [words(li.find("h3")).rsplit(": ", 1)[0] for li in section(root, "causes").find("ol")],
        "questions": list(answer_cells(root)),
        "tips": len([p for p in section(root, "advice").iter("p") if p.get("class") == "why"]),
        "sources": len(list(section(root, "sources").iter("li"))),
    }


@pytest.mark.parametrize("case", ["outer", "urgent", "sparse"])
def test_markdown_text_and_html_say_the_same_things(kb, outer, urgent, case):
    result = {
        "outer": outer[0],
        "urgent": urgent,
        "sparse": assess(kb, {"location": ["lateral"], "injury": "not_sure"}),
    }[case]
    md = report.render(kb, result, ".md", DAY)
    page = report.render(kb, result, ".html", DAY)
    txt = report.render(kb, result, ".txt", DAY)
    assert md_facts(md) == html_facts(page)
    # the plain text has the same headings, causes and tips, in the same order
    flat = " ".join(txt.split())
    positions = [flat.index(h) for h in html_facts(page)["h2"]]
    assert positions == sorted(positions)
    for name in html_facts(page)["causes"]:
        assert name in flat
    assert txt.count("Suggested because") == md.count("_Suggested because")


# --------------------------------------------------------------------------- wording (each failed before)


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_an_empty_multiple_choice_answer_reads_none_reported_and_what_is_absent(kb, suffix):
    text = report.render(kb, assess(kb, OUTER_HIP), suffix, DAY)
    flat = " ".join(unmd(text).replace("**", "").split())
    assert (
        "| Warning signs | None reported. Absent: Fever" in flat
        or "Warning signs: None reported. Absent: Fever" in flat
    )
    assert "Where it hurts" in flat and "Present: Outside of the hip, over the bony point" in flat
    assert not re.search(r"\bnone \(no:|│ none\b|: none\b", flat)


@pytest.mark.parametrize("suffix", [".md", ".txt", ".html"])
def test_why_a_tip_was_given_is_a_sentence_never_a_fragment(kb, suffix):
    result = assess(kb, OUTER_HIP)
    assert any(b.startswith("possible cause: ") for t in result.tips for b in t.because)  # the case in hand
    flat = " ".join(html.unescape(report.render(kb, result, suffix, DAY)).split())
    assert "because possible cause" not in flat and "because you said:" not in flat
    assert "Suggested because you answered “Outside of hip: Lying on that side at night hurts”" in flat
    assert "is a possible cause." in flat


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_a_small_likelihood_is_less_than_one_percent_never_zero(kb, suffix):
    text = report.render(kb, assess(kb, OUTER_HIP), suffix, DAY)
    assert "<1%" in html.unescape(text) and not re.search(r"\b0%", text)


def test_the_plain_text_report_has_no_box_drawing(kb):
    text = report.render(kb, assess(kb, OUTER_HIP), ".txt", DAY)
    assert not set(text) & set("│─╭╮╰╯┃━┏┓┗┛┌┐└┘├┤┬┴┼")
    assert max(len(line) for line in text.splitlines()) <= report.REPORT_WIDTH + 20  # long addresses only


def test_why_tip_joins_answers_and_causes_and_keeps_other_reasons_whole():
    assert report_doc.why_tip(["you said: A: b", "you said: C: d", "possible cause: X"]) == (
        "Suggested because you answered “A: b” and “C: d”, and because X is a possible cause."
    )
    assert report_doc.why_tip(["possible cause: X", "possible cause: Y"]) == (
        "Suggested because X and Y are possible causes."
    )
    assert report_doc.why_tip(["your pain is at night"]) == "Suggested because your pain is at night."
    assert report_doc.why_tip([]) == ""


# --------------------------------------------------------------------------- hostile text


HOSTILE = "<script>alert(1)</script> <b>bold</b> \"q\" 's' &amp; \x1b[2J\x07\u202eevil\x9b"
RAW_CONTROLS = set("\x1b\x07\u202e\x9b")


def hostile_result(kb) -> TriageResult:
    """A real result with hostile text in every field a report shows, as a damaged or edited history
    record could hold it."""
    data = json.loads(assess(kb, OUTER_HIP).model_dump_json())
    data["content_version"] = HOSTILE
    data["disclaimer"] = HOSTILE
    data["answers"]["location"] = ["lateral", HOSTILE]
    data["answers"][HOSTILE] = HOSTILE
    lv = data["level"]
    lv["label"], lv["time_frame"] = HOSTILE, HOSTILE
    lv["advice"] = [HOSTILE]
    lv["reasons"][0]["text"] = HOSTILE
    lv["not_ruled_out"] = [data["causes"][0]["id"]]
    data["causes"][0]["name"] = HOSTILE
    data["causes"][0]["supporting"][0]["text"] = HOSTILE
    data["tips"][0]["text"] = HOSTILE
    data["tips"][0]["because"] = [f"you said: {HOSTILE}", f"possible cause: {HOSTILE}", HOSTILE]
    return TriageResult.model_validate(data)


def test_hostile_text_in_a_result_is_text_in_the_html(kb):
    text = report.render(kb, hostile_result(kb), ".html", DAY)
    assert not set(text) & RAW_CONTROLS
    root = parse(text)
    tags = {el.tag for el in root.iter()}
    assert not tags & {"script", "b", "img", "iframe"}
    said = words(root)
    assert "<script>alert(1)</script> <b>bold</b>" in said and "&amp;" in said
    assert "\\x1b[2J\\x07\\u202eevil\\x9b" in said
    assert said.count("<script>alert(1)</script>") >= 12
    assert "<script>" in words(root.find("head/title"))


@pytest.mark.parametrize("suffix", [".md", ".txt", ".svg"])
def test_hostile_text_in_a_result_is_escaped_in_every_other_format(kb, suffix):
    text = report.render(kb, hostile_result(kb), suffix, DAY)
    assert not set(text) & RAW_CONTROLS
    assert "\\x1b" in text and "\\u202eevil" in text
    if suffix != ".txt":
        assert "<script>" not in text and "<b>" not in text


@pytest.fixture
def hostile_content(tmp_path):
    root = tmp_path / "hostile"
    shutil.copytree(MINI, root)
    alpha = root / "conditions" / "alpha.toml"
    alpha.write_text(
        alpha.read_text().replace(
            'sources = [{ title = "T", publisher = "P", kind = "review" }]',
            "sources = [\n"
            '  { title = "<script>x</script>", publisher = "P", kind = "review",'
            ' url = "javascript:alert(1)" },\n'
            '  { title = "Good", publisher = "P<i>", kind = "review",'
            ' url = "https://example.org/?a=1&b=\\"2\\"" },\n'
            "]",
        )
    )
    return load_content(root)


def test_only_web_addresses_become_links_and_they_stay_inside_their_attribute(hostile_content):
    kb = hostile_content
    result = assess(kb, {"flag": "no", "where": ["front"], "pain": 2})
    assert result.causes[0].id == "alpha"
    root = parse(report.render(kb, result, ".html", DAY))
    links = [a.get("href") for a in root.iter("a")]
    assert links == ['https://example.org/?a=1&b="2"']
    said = words(section(root, "sources"))
    assert "<script>x</script>. P. javascript:alert(1)" in said and "P<i>" in said
    assert not {el.tag for el in root.iter()} & {"script", "i"}


def test_a_result_saved_with_older_content_still_makes_a_report(kb):
    data = json.loads(assess(kb, OUTER_HIP).model_dump_json())
    data["content_version"] = "2025.01.0"
    data["answers"]["retired_question"] = "some_option"
    data["answers"]["location"] = ["lateral", "retired_place"]
    data["tips"].append({"id": "retired_tip", "kind": "now", "text": "An old tip.", "because": []})
    data["level"]["reasons"].append(
        {"source": "rule", "id": "retired_rule", "text": "An old reason.", "level": "self_care"}
    )
    old = TriageResult.model_validate(data)
    page = parse(report.render(kb, old, ".html", DAY))
    cells = answer_cells(page)
    assert cells["retired_question"] == "some_option"
    assert "retired_place" in cells["Where it hurts"]
    facts = words(page.find(".//dl"))
    assert "2025.01.0" in facts and kb.meta.content_version in facts
    assert "An old tip." in words(section(page, "advice"))
    assert "An old reason." in words(section(page, "urgency"))
    assert md_facts(report.render(kb, old, ".md", DAY)) == html_facts(report.render(kb, old, ".html", DAY))


def test_a_report_made_later_from_the_history_says_so(kb):
    result = assess(kb, OUTER_HIP)
    page = parse(
        html_report(
            report_doc.build(kb, result, DAY, saved_as="saved result #3", made_on=DAY + dt.timedelta(days=4))
        )
    )
    facts = words(page.find(".//dl"))
    assert "Date of the triage 2026-11-20" in facts and "Report made 2026-11-24" in facts
    assert "From your history saved result #3" in facts
