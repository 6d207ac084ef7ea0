"""The shipped content: complete, cross-referenced, sourced, and able to reach every outcome. And any
content folder, however broken or hostile: one line and exit code 1, in bounded time."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import time

import pytest
from conftest import MINI, all_clear

from hipcheck.engine import decide
from hipcheck.knowledge.loader import find_condition, load_content
from hipcheck.knowledge.models import Level
from hipcheck.maintenance import checks

CLINICAL = {"guideline", "consensus", "review", "study", "textbook"}
REQUIRED_CONDITIONS = {
    # issue 2
    "gtps",
    "iliopsoas",
    "muscle_strain",
    "itbs",
    "fai",
    "labral_tear",
    "hip_oa",
    "femoral_neck_stress_fracture",
    "piriformis",
    "referred_back",
    "doms",
    # issue 3
    "adductor_strain",
    "hamstring_tendinopathy",
    "pelvic_stress_fracture",
    "sij",
    "snapping_hip",
    "athletic_pubalgia",
    "inguinal_hernia",
    "osteitis_pubis",
    "sciatica",
    "hip_fracture",
    "septic_arthritis",
    "avn",
    "dvt",
    "cauda_equina",
    "bone_tumour",
    "nerve_weakness",
}


def test_the_whole_differential_is_covered(kb):
    assert REQUIRED_CONDITIONS <= set(kb.condition_by_id)


def test_every_record_cites_a_clinical_source(kb):
    records = [*kb.conditions, *kb.rules, *kb.tips]
    weak = [r.id for r in records if not CLINICAL & {s.kind for s in r.sources}]
    assert not weak, f"only patient leaflets cited: {weak}"


def test_every_question_is_reachable(kb):
    assert checks.unreachable_questions(kb) == []


def test_every_condition_can_rank_first(kb):
    assert checks.conditions_never_first(kb) == []


def test_a_condition_that_can_never_rank_first_is_found(tmp_path):
    """The search stops as soon as a condition ranks first; one that never can must still be named."""
    folder = tmp_path / "content"
    shutil.copytree(MINI, folder)
    beta = folder / "conditions" / "beta.toml"
    beta.write_text(
        beta.read_text().replace("side = 5.0", "side = 0.1").replace("lying = 3.0", "lying = 0.1")
    )
    assert checks.conditions_never_first(load_content(folder)) == ["beta"]


def test_every_question_offers_not_sure(kb):
    for q in kb.questions:
        if q.kind != "scale":
            assert q.option_ids[-1] == "not_sure"


def test_who_is_asking_comes_first_then_the_red_flags(kb):
    """Age, sex, pregnancy and background first, so every later question and rule can depend on them
    (issue 10); then the red-flag screen, before any question about the pain."""
    sections = [q.section for q in kb.questions]
    about_you = sections.count("about_you")
    assert sections[:about_you] == ["about_you"] * about_you and kb.questions[0].id == "age"
    flags = [q.red_flag for q in kb.questions[about_you:]]
    assert flags == sorted(flags, reverse=True)


def test_monotone_check_names_what_would_let_a_warning_sign_lower_the_level(mini):
    import dataclasses

    fields = mini.rules[0].model_dump() | {"id": "unsafe", "when_all": ["flag:no"], "unless": ["pain>=5"]}
    rule = type(mini.rules[0]).model_validate(fields)
    broken = dataclasses.replace(mini, rules=(*mini.rules, rule))
    problems = checks.monotone_problems(broken)
    assert any("flag:no: tests a safe answer" in p for p in problems), problems
    assert any("unless pain>=5" in p for p in problems), problems
    urgent = type(mini.rules[0]).model_validate(
        mini.rules[0].model_dump() | {"id": "exempt", "level": "urgent", "unless": ["where:side"]}
    )
    exempt = dataclasses.replace(mini, rules=(*mini.rules, urgent))
    assert any("tick must never switch off an urgent rule" in p for p in checks.monotone_problems(exempt))
    assert checks.monotone_problems(mini) == []


def test_every_condition_is_explained_by_its_own_name(kb):
    for c in kb.conditions:
        for name in (c.id, c.name, *c.aliases):
            found, _ = find_condition(kb, name)
            assert found is c, name


def shown_names(name: str) -> list[str]:
    """Every name a reader sees in a condition's displayed name (a result, `list`, `explain`): the whole
    name, the name without its brackets, each bracketed name (and each of a bracket's comma-separated
    names), and the parts around " / " of all of these."""
    import re

    brackets = re.findall(r"\(([^()]*)\)", name)
    plain = " ".join(re.sub(r"\([^()]*\)", " ", name).split())
    parts = [plain, *brackets, *(part for b in brackets for part in b.split(", "))]
    parts += [part for n in parts for part in n.split(" / ")]
    return list(dict.fromkeys(n.strip() for n in [name, *parts] if n.strip()))


def test_shown_names_splits_brackets_and_slashes():
    assert shown_names("A b / c d (e f, g) and h (i)") == [
        "A b / c d (e f, g) and h (i)",
        "A b / c d and h",
        "e f, g",
        "i",
        "e f",
        "g",
        "A b",
        "c d and h",
    ]


def test_every_name_a_result_shows_resolves_in_explain(kb, cli):
    """`hipcheck explain "hip flexor tendon pain"` finds the condition a result called "Iliopsoas
    tendinopathy / iliopsoas bursitis (hip flexor tendon pain)": each name in a displayed name resolves
    to that condition, through the knowledge base and through the cached `explain --json` alike, with
    no "closest match" note (the user typed a name hipcheck showed)."""
    wrong = []
    for c in kb.conditions:
        for name in shown_names(c.name):
            found, suggestions = find_condition(kb, name)
            if found is not c:
                wrong.append(f"{c.id}: {name!r} -> {found.id if found else suggestions}")
    assert not wrong, wrong
    for name in ("hip flexor tendon pain", "Avascular necrosis of the hip", "iliopsoas bursitis"):
        r = cli("explain", name, "--json")
        assert r.exit_code == 0 and "closest match" not in r.stderr, (name, r.stderr)
        assert r.json()["id"] in {"iliopsoas", "avn"}


def test_a_name_shared_by_two_conditions_lists_both():
    """A bracketed name two conditions share resolves to neither: both are suggested."""
    from hipcheck.knowledge.names import lookup, resolve_name

    entries = [
        ("a", ["a", "Broken hip after a fall (fracture)"]),
        ("b", ["b", "Bone stress in the shin (fracture)"]),
        ("c", ["c", "Pulled muscle (strain)"]),
    ]
    assert resolve_name(entries, "fracture") == (None, ["a", "b"])
    assert lookup(entries, "fracture").ambiguous
    assert resolve_name(entries, "strain") == ("c", [])
    assert resolve_name(entries, "broken hip after a fall") == ("a", [])
    # A bracketed name that is another condition's alias is shared too: neither wins silently.
    entries.append(("d", ["d", "Shin splints", "fracture"]))
    assert resolve_name(entries, "fracture") == (None, ["a", "b", "d"])


# A time to act by: "today", "within a day or two", "1 to 2 days", "within hours" ("today if ..." is a
# condition to watch for, not a time frame, and is not caught).
DEADLINE = re.compile(
    r"\b(?:today|same day|day or two|\d+ to \d+ (?:hours|days|weeks)|within (?:hours|days))\b(?! if )", re.I
)


def test_below_an_emergency_reasons_name_no_time_to_act(kb):
    """The level says when ("When: now"), a reason says why. A result shows every reason, the less
    urgent ones under "Also noted", so an emergency said "now" above "pressure on the nerves ... must be
    ruled out today". Below the top level a reason names no time frame, and advice that names one is
    left out above its own level (`advice_max_level`), where the level's advice says when."""
    late = [
        f"{r.id}: {DEADLINE.search(r.reason)[0]!r}"
        for r in kb.rules
        if r.level is not Level.emergency and DEADLINE.search(r.reason)
    ]
    assert not late, late
    for r in kb.rules:
        if r.level is not Level.emergency and any(DEADLINE.search(a) for a in r.advice):
            assert r.advice_max_level.rank <= r.level.rank, f"{r.id}: its advice names a time frame"
    assert DEADLINE.search("must be ruled out today.") and not DEADLINE.search("today if you have a fever")


def test_an_emergency_result_says_now_and_nothing_later(kb):
    """The case from issue 14: not sure about the nerve signs, buttock pain, and the leg takes no weight."""
    answers = {
        **all_clear(kb),
        "nerve_signs": "not_sure",
        "weight_bearing": "cannot",
        "location": ["buttock"],
    }
    result = decide.assess(kb, decide.validate_answers(kb, answers))
    assert result.level.id is Level.emergency
    shown = [r.text for r in result.level.reasons] + result.level.advice
    assert not [t for t in shown if DEADLINE.search(t)], shown


def test_serious_conditions_are_never_self_care(kb):
    for c in kb.conditions:
        if c.category == "serious":
            assert c.min_level.rank >= 1, c.id


def test_every_rule_can_fire_on_a_real_interview_path(kb):
    """Answers the tree really asks (follow-ups only on their branch) can fire each rule."""
    assert checks.dead_rules(kb) == []
    for r in kb.rules:
        answers = checks.satisfy(kb, r)
        assert r in decide.fired_rules(kb, decide.effective_answers(kb, answers)), r.id


def test_a_rule_on_a_follow_up_that_is_never_asked_is_dead(mini):
    from hipcheck.knowledge.models import Rule

    orphan = Rule(
        id="orphan",
        level="routine",
        reason="x",
        when_all=["side_detail:lying", "where:front"],
        unless=["where:side"],
        sources=[{"title": "T", "publisher": "P", "kind": "review"}],
    )
    assert checks.satisfy(mini, orphan) is None  # side_detail is only asked when the pain is at the side


# ------------------------------------------------------------------------ hostile or broken content folders
#
# A content folder can come from anyone (--content, HIPCHECK_CONTENT). Whatever is in it, every command
# ends within a few seconds with exit 1 and one line on stderr, and `content check` lists the problem.

COMMANDS = (
    ("list", "--json"),
    ("list",),
    ("explain", "alpha"),
    ("explain", "alpha", "--json"),
    ("questions", "--json"),
    ("triage", "--answers", "-", "--json"),
)


class Hung(BaseException):
    """Raised by `time_limit`; a BaseException, so no `except OSError` or `except Exception` in the code
    under test can swallow it (TimeoutError is an OSError)."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Fail, rather than hang the suite, when the block runs longer than `seconds`."""

    def expire(signum, frame):
        raise Hung(f"still running after {seconds} s")

    if not hasattr(signal, "setitimer"):  # Windows: no alarm; the elapsed time is still checked
        yield
        return
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "hostile"
    shutil.copytree(MINI, root)
    return root


def _condition(text: str = "", **fields: str) -> str:
    page = (MINI / "conditions" / "alpha.toml").read_text()
    for key, value in fields.items():
        page = "\n".join(
            f"{key} = {value}" if line.startswith(f"{key} = ") else line for line in page.splitlines()
        )
    return page + text


def _big(n: int) -> str:
    return "9" * n


HOSTILE = {
    "invalid UTF-8": (
        lambda r: (r / "conditions" / "alpha.toml").write_bytes(b'id = "alpha"\n\xff\xfe = 1\n'),
        "UTF-8",
    ),
    "5,000-deep array": (
        lambda r: (r / "meta.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n"),
        "nest",
    ),
    "5,000-deep table": (
        lambda r: (r / "rules.toml").write_text("x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n"),
        "nest",
    ),
    "300-deep table, valid TOML": (
        lambda r: (r / "rules.toml").write_text("x = " + "{a = " * 300 + "1" + "}" * 300 + "\n"),
        "nest",
    ),
    "300,000-part dotted key": (
        lambda r: (r / "rules.toml").write_text("a" + ".a" * 300_000 + " = 1\n"),
        "dotted key",
    ),
    "5,000-digit integer": (lambda r: (r / "meta.toml").open("a").write(f"\nx = {_big(5000)}\n"), "number"),
    "4,000-digit prior": (
        lambda r: (r / "conditions" / "alpha.toml").write_text(_condition(prior=_big(4000))),
        "number",
    ),
    "50 MB summary": (
        lambda r: (r / "conditions" / "alpha.toml").write_text(
            _condition(summary='"' + "x" * 50_000_000 + '"')
        ),
        "larger than",
    ),
    "100,000-character summary": (
        lambda r: (r / "conditions" / "alpha.toml").write_text(_condition(summary='"' + "x" * 100_000 + '"')),
        "characters",
    ),
    "a folder named *.toml": (lambda r: (r / "conditions" / "delta.toml").mkdir(), "not a regular file"),
    "a device named *.toml": (
        lambda r: (r / "conditions" / "delta.toml").symlink_to("/dev/zero"),
        "not a regular file",
    ),
    "control characters in a name": (
        lambda r: (r / "conditions" / "alpha.toml").write_text(
            _condition(name='"Alpha \\u001b[2J\\u001b]0;x\\u0007"')
        ),
        "control character",
    ),
    "a carriage return in a name": (
        lambda r: (r / "conditions" / "alpha.toml").write_text(
            _condition(name='"Alpha\\rhipcheck: error: x"')
        ),
        "control character",
    ),
    "a newline in a name": (
        lambda r: (r / "conditions" / "alpha.toml").write_text(
            _condition(name='"Alpha\\nhipcheck: error: x"')
        ),
        "one line",
    ),
    "a 1,000,000-point scale": (
        lambda r: (r / "questions.toml").write_text(
            (MINI / "questions.toml").read_text() + "scale_max = 1000000\n"
        ),
        "scale",
    ),
}


@pytest.mark.parametrize("damage", list(HOSTILE), ids=list(HOSTILE))
def test_a_hostile_content_folder_is_one_line_and_exit_1_in_every_command(cli, folder, damage):
    make, words = HOSTILE[damage]
    make(folder)
    for args in COMMANDS:
        with time_limit(20):
            r = cli("--content", str(folder), *args, input="{}")
        assert r.exit_code == 1, (args, r.stdout, r.stderr)
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("hipcheck: error: content is invalid"), (
            r.stderr
        )
        assert words in r.stderr or "content check" in r.stderr
        assert "\x1b" not in r.stdout + r.stderr
    started = time.monotonic()
    with time_limit(30):
        r = cli("content", "check", str(folder))
    assert r.exit_code == 1 and any(words in line for line in r.stdout.splitlines()), r.stdout
    assert "\x1b" not in r.stdout and max(map(len, r.stdout.splitlines())) <= 500
    assert time.monotonic() - started < 30


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("name", ["meta.toml", "conditions/delta.toml"])
def test_a_fifo_named_toml_never_hangs(cli, folder, name):
    (folder / name).unlink(missing_ok=True)
    os.mkfifo(folder / name)
    for args in (*COMMANDS, ("content", "check", str(folder))):
        with time_limit(20):
            r = cli("--content", str(folder), *args, input="{}")
        assert r.exit_code == 1, (args, r.stdout, r.stderr)
        assert "not a regular file" in r.stdout + r.stderr or "content check" in r.stderr


def test_a_broken_history_toml_is_a_listed_problem(cli, folder):
    (folder / "history.toml").write_bytes(b"pain_min = [" * 3000 + b"\xff")
    with time_limit(20):
        r = cli("content", "check", str(folder))
    assert r.exit_code == 1 and "history.toml" in r.stdout


def test_a_valid_content_folder_within_the_limits_loads(folder):
    """The limits leave room: the shipped content is far inside them."""
    from conftest import CONTENT

    from hipcheck.knowledge import files
    from hipcheck.knowledge.loader import load_content

    biggest = max(p.stat().st_size for p in CONTENT.rglob("*.toml"))
    assert biggest * 8 < files.MAX_FILE_BYTES
    assert load_content(folder).conditions
