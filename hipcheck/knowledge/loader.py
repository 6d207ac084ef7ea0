"""Find, parse and validate content/ into one immutable knowledge base.

Every problem is collected before failing, and each names file → record → field, with a
close-match suggestion for misspelled ids.

A content folder can come from anyone (`--content`, HIPCHECK_CONTENT), so reading it has limits (see
content/README.md): files are read by `files.read_file` (regular files only, at most
`files.MAX_FILE_BYTES` each), must be UTF-8 TOML, and the parsed data may nest at most `MAX_DEPTH`
levels, hold at most `MAX_ITEMS` entries in a list or table, strings of at most `MAX_TEXT_CHARS`
characters with no control characters (tab and newline aside), and whole numbers below `MAX_INT`.
Whatever breaks them is a problem in the list like any other, never a traceback.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from hipcheck.knowledge import cache
from hipcheck.knowledge.files import (
    MAX_CONDITION_FILES,
    PLAN_BOOKS,
    REGIONS_BOOK,
    ContentFileError,
    content_files,
    default_content_dir,
    path_problem,
    read_file,
    read_files,
)
from hipcheck.knowledge.models import (
    NOT_SURE,
    Atom,
    Condition,
    Meta,
    Question,
    QuestionBank,
    Region,
    RegionBook,
    Rule,
    RuleBook,
    Tip,
    TipBook,
    Triggered,
)
from hipcheck.knowledge.names import normalise_name, resolve_name
from hipcheck.knowledge.regions import fill_data, fill_text, placeholders_in
from hipcheck.knowledge.text import did_you_mean, echo, escape

if TYPE_CHECKING:
    # Imported where used: the plan models (knowledge/plans.py) are built only by the commands that need
    # plans, and the views (catalog.py) only on a cache miss, so neither slows the interview's first
    # question or batch scoring down (tests/test_performance_imports.py).
    from hipcheck.knowledge.plans import PlanContent

EXERCISES_FILE, PLANS_FILE = PLAN_BOOKS

__all__ = ["ContentError", "KnowledgeBase", "find_condition", "for_region", "load_content", "plan_content"]


MAX_DEPTH = 12  # levels of nesting in a content file (the shipped content uses 5)
MAX_ITEMS = 1000  # entries in one list or table (the shipped content's longest list has 68)
MAX_TEXT_CHARS = 10_000  # characters in one string (the shipped content's longest has about 2,000)
MAX_INT = 10**9  # whole numbers are below this in size (the shipped content's largest is a year)
MAX_OPTIONS = 40  # options of one question
MAX_SCALE = 100  # scale_max - scale_min
MAX_PROBLEM_CHARS = 300  # a problem line is cut to this length
MAX_PROBLEMS = 500  # problems listed; past this, one line counts the rest
_LIMIT_PROBLEMS_PER_FILE = 5

# Characters a terminal would act on rather than show: C0 and C1 controls (tab and newline aside; TOML
# turns CRLF line ends into newlines, so a carriage return only comes from a `\r` escape), DEL, the line
# and paragraph separators and the bidirectional overrides and isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _problem_line(text: str) -> str:
    """A problem as one short line: control characters escaped, cut to MAX_PROBLEM_CHARS in the
    middle, so both where it is (the start) and what is wrong (the end) stay visible however long the
    value quoted between them."""
    if len(text) > 2 * MAX_PROBLEM_CHARS:
        text = text[:MAX_PROBLEM_CHARS] + text[-MAX_PROBLEM_CHARS:]
    text = escape(text)
    if len(text) <= MAX_PROBLEM_CHARS:
        return text
    tail = MAX_PROBLEM_CHARS // 3
    return text[: MAX_PROBLEM_CHARS - tail - 5] + " ... " + text[-tail:]


class ContentError(Exception):
    """Content failed to load; `problems` holds one line per problem (each one line, escaped and
    shortened, however hostile the content that caused it)."""

    def __init__(self, problems: list[str]):
        lines = [_problem_line(p) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"... and {len(problems) - MAX_PROBLEMS} more problem(s), not listed")
        self.problems = lines
        super().__init__(f"{len(problems)} problem(s) in content:\n" + "\n".join(lines))


@dataclass(frozen=True)
class EvidenceRow:
    """One condition's weights for one question, as natural logs of likelihood ratios."""

    options: dict[str, float]
    other: float | None
    ranges: tuple[tuple[int, int, float], ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    root: Path
    meta: Meta
    questions: tuple[Question, ...]
    conditions: tuple[Condition, ...]
    rules: tuple[Rule, ...]
    tips: tuple[Tip, ...]
    question_by_id: dict[str, Question] = field(repr=False)
    condition_by_id: dict[str, Condition] = field(repr=False)
    log_prior: dict[str, float] = field(repr=False)
    log_evidence: dict[str, dict[str, EvidenceRow]] = field(repr=False)
    # The back-to-running plans and their exercises (empty for a folder without plans.toml).
    plan_raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # content/regions.toml (None for a folder without it), and the region whose services the texts name:
    # None while they still hold placeholders (as loaded); `for_region` fills them.
    regions: RegionBook | None = field(default=None, repr=False, compare=False)
    region: Region | None = None
    # Caches of this knowledge base only (never passed in, so a copy made with dataclasses.replace
    # starts empty): `memo` holds the engine's texts and evidence, emptied when it grows too large;
    # `derived` holds structures worked out once from the content (lookup tables, the JSON writer's
    # parts), whose size the content fixes.
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def red_flag_questions(self) -> list[Question]:
        return [q for q in self.questions if q.red_flag]


# --------------------------------------------------------------------------- parsing


def _rel(path: Path, root: Path) -> str:
    try:
        return f"{root.name}/{path.relative_to(root)}"
    except ValueError:
        return str(path)


def _shown_key(key: object) -> str:
    text = str(key)
    return text if len(text) <= 40 else text[:37] + "..."


def _leaf_problem(value: Any) -> str | None:
    """Why a string or number breaks the limits, or None."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT_CHARS:
            return f"text of {len(value)} characters; the limit is {MAX_TEXT_CHARS}"
        if m := _CONTROL.search(value):
            return f"holds a control character ({escape(m.group())}), which a terminal would act on"
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int):
        if not -MAX_INT < value < MAX_INT:
            return f"the number is too large; whole numbers must be below {MAX_INT:,}"
    elif isinstance(value, float) and not math.isfinite(value):
        return f"the number must be finite, not {value}"
    return None


def _limit_problems(data: dict[str, Any], where: str) -> list[str]:
    """What in parsed TOML breaks the limits (at most _LIMIT_PROBLEMS_PER_FILE of them). Iterative, so
    any depth is safe to walk; the common case (a short string, a small number) costs one type test,
    one length or range test and one regex search."""
    problems: list[str] = []

    def crumb(path: tuple[object, ...]) -> str:
        return f"{where} → {'.'.join(_shown_key(p) for p in path) or '(file)'}"

    control = _CONTROL.search
    stack: list[tuple[dict | list, tuple[object, ...]]] = [(data, ())]
    while stack and len(problems) < _LIMIT_PROBLEMS_PER_FILE:
        value, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            problems.append(f"{crumb(path)}: nested more than {MAX_DEPTH} levels deep")
            continue
        if len(value) > MAX_ITEMS:
            problems.append(f"{crumb(path)}: {len(value)} entries; the limit is {MAX_ITEMS}")
            continue
        for k, v in value.items() if type(value) is dict else enumerate(value):
            if type(k) is str and (len(k) > MAX_TEXT_CHARS or control(k)):
                problems.append(f"{crumb(path)}: a key is too long or holds a control character")
                break
            t = type(v)
            if t is str:
                if len(v) <= MAX_TEXT_CHARS and not control(v):
                    continue
            elif t is dict or t is list:
                stack.append((v, (*path, k)))
                continue
            elif t is int:
                if -MAX_INT < v < MAX_INT:
                    continue
            elif t is bool or (t is float and math.isfinite(v)):
                continue
            why = _leaf_problem(v)
            if why is not None:
                problems.append(f"{crumb((*path, k))}: {why}")
    if stack and len(problems) >= _LIMIT_PROBLEMS_PER_FILE:
        problems.append(f"{where}: more problems with the limits may follow; fix these first")
    return problems


# Python's TOML parser takes time quadratic in the number of parts of a dotted key (`a.b.c...`): 300,000
# parts, 600 KB, would take about half an hour. A key of more than _KEY_PARTS parts is refused before
# parsing (it would nest deeper than MAX_DEPTH anyway). Looked for only on lines with that many dots,
# outside strings and comments.
_KEY_PARTS = 2 * MAX_DEPTH
_STRINGS_AND_COMMENTS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\n]*\'|#[^\n]*'
)
_LONG_KEY = re.compile(r"(?:[A-Za-z0-9_-]+[ \t]*\.[ \t]*){" + str(_KEY_PARTS) + "}")


def _has_long_key(text: str) -> bool:
    many = _KEY_PARTS - 1
    if not any(line.count(".") >= many for line in text.split("\n")):
        return False
    stripped = _STRINGS_AND_COMMENTS.sub("q", text)
    return any(line.count(".") >= many and _LONG_KEY.search(line) for line in stripped.split("\n"))


def parse_toml(blob: bytes | ContentFileError, where: str, problems: list[str]) -> dict[str, Any] | None:
    """A content file's bytes (or why they could not be read) as TOML data within the limits, or None
    with the reasons added to `problems`. `where` names the file in messages."""
    if isinstance(blob, ContentFileError):
        problems.append(f"{where}: {blob}")
        return None
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = blob.count(b"\n", 0, exc.start) + 1
        problems.append(f"{where}: not valid UTF-8 (line {line}, byte {exc.start + 1}); save it as UTF-8")
        return None
    if _has_long_key(text):
        problems.append(
            f"{where}: a dotted key of more than {_KEY_PARTS} parts; nesting is limited to {MAX_DEPTH}"
        )
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{where}: not valid TOML: {exc}")
        return None
    except RecursionError:
        problems.append(f"{where}: nested more than {MAX_DEPTH} levels deep")
        return None
    except ValueError:  # a whole number past Python's digit limit
        problems.append(f"{where}: a number is too large; whole numbers must be below {MAX_INT:,}")
        return None
    found = _limit_problems(data, where)
    if found:
        problems.extend(found)
        return None
    return data


def read_toml(path: Path, where: str, problems: list[str]) -> dict[str, Any] | None:
    """One TOML file read and parsed within the limits (see `parse_toml`)."""
    try:
        blob: bytes | ContentFileError = read_file(path)
    except ContentFileError as exc:
        blob = exc
    return parse_toml(blob, where, problems)


def _reader(blobs: dict[Path, bytes | ContentFileError]) -> Reader:
    """A Reader over files read already (by `files.read_files`)."""
    return lambda path, root, problems: parse_toml(blobs[path], _rel(path, root), problems)


def _format_validation(where: str, exc: ValidationError, data: Any) -> list[str]:
    out = []
    for err in exc.errors():
        loc = list(err["loc"])
        crumb = where
        # Name the record by its id when the error sits inside a list of records.
        if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data, dict):
            items = data.get(str(loc[0]), [])
            rid = items[loc[1]].get("id") if loc[1] < len(items) and isinstance(items[loc[1]], dict) else None
            crumb += f" → {loc[0]}[{loc[1]}]" + (f" (id={rid})" if rid else "")
            loc = loc[2:]
        elif isinstance(data, dict) and data.get("id"):
            crumb += f" → id={data['id']}"
        field_path = ".".join(str(p) for p in loc) or "(record)"
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"{crumb} → {field_path}: {msg}")
    return out


def _validate(model: type[BaseModel], data: Any, where: str, problems: list[str]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_format_validation(where, exc, data))
        return None


Check = Callable[[type[BaseModel], Any, str, list[str]], Any]


def _trusted(model: type[BaseModel], data: Any, where: str, problems: list[str]) -> Any:
    """A record from a cache entry, built without validation: the entry holds parsed TOML that passed
    `_validate` when it was written (only valid content is cached), and the entry is the user's own
    and checked against its hash (knowledge/cache.py). The values get the types validation gives them
    (nested records, enums, floats for whole numbers), so the record equals a validated one
    (tests/test_performance_cache.py). Validating again cost most of a cached load, and building the
    validators most of importing the models, on the way to the interview's first question. Anything
    unexpected is a ContentError, and the caller loads from TOML instead."""
    try:
        return _construct(model, data)
    except Exception as exc:  # a damaged entry with a valid hash: cannot happen; load from TOML
        raise ContentError([f"{where}: cache entry unusable ({type(exc).__name__})"]) from None


def _construct(model: Any, data: dict[str, Any]) -> Any:
    """What `model.model_construct(**data)` gives (the same `__dict__`, fields set, no extra or private
    values: records have neither), with the values converted, at a third of its cost."""
    values = {}
    for name, (convert, default) in _plan(model).items():
        if name in data:
            value = data[name]
            values[name] = value if convert is None else convert(value)
        else:
            values[name] = default.copy() if isinstance(default, (list, dict)) else default
    record = model.__new__(model)
    object.__setattr__(record, "__dict__", values)
    object.__setattr__(record, "__pydantic_fields_set__", set(data))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record


_PLANS: dict[Any, dict[str, tuple[Callable[[Any], Any] | None, Any]]] = {}


def _plan(model: Any) -> dict[str, tuple[Callable[[Any], Any] | None, Any]]:
    """Field name → (how to turn its parsed TOML into what validation gives, or None for as it is; its
    default). Worked out once per model."""
    found = _PLANS.get(model)
    if found is None:
        if (
            model.__pydantic_post_init__
            or model.__private_attributes__
            or model.model_config.get("extra") != "forbid"
        ):
            raise TypeError(f"{model.__name__} cannot be built without validation")
        found = _PLANS[model] = {
            k: (
                _converter(f.annotation),
                None if f.is_required() else f.get_default(call_default_factory=True),
            )
            for k, f in model.model_fields.items()
        }
    return found


def _converter(tp: Any) -> Callable[[Any], Any] | None:
    """How to turn parsed TOML into a value of the annotation `tp`, as validation would; None when
    parsed TOML already is one (a string, a whole number, a boolean, a list of strings)."""
    if isinstance(tp, type):
        if issubclass(tp, BaseModel):
            return lambda v: _construct(tp, v)
        if issubclass(tp, Enum):
            return tp
        if tp is float:
            return float  # TOML's 1 is validated as 1.0
        if tp in (str, int, bool):
            return None
        raise TypeError(f"no construction for {tp!r}")
    origin = get_origin(tp)
    if origin is Annotated:
        return _converter(get_args(tp)[0])
    if origin is Literal:
        return None
    if origin is list:
        item = _converter(get_args(tp)[0])
        return None if item is None else lambda v: [item(x) for x in v]
    if origin is dict:
        key, value = (_converter(a) for a in get_args(tp))
        if key is None and value is None:
            return None
        key, value = key or _same, value or _same
        return lambda v: {key(a): value(b) for a, b in v.items()}
    if origin in (Union, UnionType):
        (only,) = [a for a in get_args(tp) if a is not type(None)]  # X | None is all the models use
        inner = _converter(only)
        return None if inner is None else lambda v: None if v is None else inner(v)
    raise TypeError(f"no construction for {tp!r}")


def _same(value: Any) -> Any:
    return value


# --------------------------------------------------------------------------- cross-references


def _check_atom(atom: Atom, questions: dict[str, Question], where: str, problems: list[str]) -> None:
    q = questions.get(atom.question)
    if q is None:
        problems.append(
            f"{where}: unknown question '{atom.question}'{did_you_mean(atom.question, questions)}"
        )
        return
    if atom.op == "has":
        if q.kind == "scale":
            problems.append(f"{where}: '{atom.text}': {q.id} is a scale; use {q.id}>=N or {q.id}<=N")
        elif atom.option not in q.option_index:
            problems.append(
                f"{where}: '{atom.text}': {q.id} has no option '{atom.option}'"
                f"{did_you_mean(atom.option or '', q.option_ids)}"
            )
    elif atom.op in (">=", "<=") and q.kind != "scale":
        problems.append(f"{where}: '{atom.text}': {q.id} is not a scale; use {q.id}:option")


def _check_triggers(rec: Triggered, questions: dict[str, Question], where: str, problems: list[str]) -> None:
    for atom in rec.atoms():
        _check_atom(atom, questions, where, problems)


def _parse_range(key: str) -> tuple[int, int] | None:
    lo, sep, hi = key.partition("-")
    if sep and lo.isdigit() and hi.isdigit() and int(lo) <= int(hi):
        return int(lo), int(hi)
    return None


def _compile_evidence(
    cond: Condition, questions: dict[str, Question], where: str, problems: list[str]
) -> dict[str, EvidenceRow]:
    rows: dict[str, EvidenceRow] = {}
    for qid, table in cond.evidence.items():
        q = questions.get(qid)
        crumb = f"{where} → evidence.{qid}"
        if q is None:
            problems.append(f"{crumb}: unknown question '{qid}'{did_you_mean(qid, questions)}")
            continue
        options: dict[str, float] = {}
        ranges: list[tuple[int, int, float]] = []
        other = None
        for key, lr in table.items():
            if key == "other":
                other = math.log(lr)
            elif q.kind == "scale":
                rng = _parse_range(key)
                if rng is None or rng[0] < q.scale_min or rng[1] > q.scale_max:
                    problems.append(
                        f"{crumb}.{key}: a scale key must be a range 'a-b' within {q.scale_min}-{q.scale_max}"
                    )
                else:
                    ranges.append((rng[0], rng[1], math.log(lr)))
            elif key == NOT_SURE:
                problems.append(f"{crumb}.{key}: 'Not sure' carries no evidence by design")
            elif key not in q.option_index:
                problems.append(
                    f"{crumb}.{key}: {qid} has no option '{key}'{did_you_mean(key, q.option_ids)}"
                )
            else:
                options[key] = math.log(lr)
        rows[qid] = EvidenceRow(options=options, other=other, ranges=tuple(ranges))
    return rows


# --------------------------------------------------------------------------- loading


Reader = Callable[[Path, Path, list[str]], "dict[str, Any] | None"]


def _load_records(
    root: Path, problems: list[str], files: list[Path], read: Reader, check: Check = _validate
) -> tuple[Meta | None, list[Question], list[Condition], list[Rule], list[Tip]]:
    meta = None
    data = read(root / "meta.toml", root, problems)
    if data is not None:
        meta = check(Meta, data, _rel(root / "meta.toml", root), problems)

    def book(name: str, model: type[BaseModel], key: str) -> list[Any]:
        path = root / name
        raw = read(path, root, problems)
        if raw is None:
            return []
        parsed = check(model, raw, _rel(path, root), problems)
        if parsed is not None:
            return list(getattr(parsed, key))
        # Keep the records that are valid on their own, so later checks still run.
        good = []
        for item in raw.get(key, []) if isinstance(raw.get(key), list) else []:
            rec_model = model.model_fields[key].annotation.__args__[0]  # type: ignore[union-attr]
            try:
                good.append(rec_model.model_validate(item))
            except ValidationError:
                pass
        return good

    questions = book("questions.toml", QuestionBank, "question")
    rules = book("rules.toml", RuleBook, "rule")
    tips = book("tips.toml", TipBook, "tip")

    conditions: list[Condition] = []
    cdir = root / "conditions"
    prefix = str(cdir) + os.sep  # content_files(): conditions/*.toml, sorted (strings: Path == is slow)
    cond_files = [p for p in files if str(p).startswith(prefix) and os.sep not in str(p)[len(prefix) :]]
    if not cond_files:
        problems.append(f"{_rel(cdir, root)}: no condition files found")
    if len(cond_files) > MAX_CONDITION_FILES:
        problems.append(f"{_rel(cdir, root)}: more than {MAX_CONDITION_FILES} condition files, the limit")
        cond_files = cond_files[:MAX_CONDITION_FILES]
    for path in cond_files:
        raw = read(path, root, problems)
        if raw is None:
            continue
        where = f"{root.name}/conditions/{path.name}"  # _rel(path, root), without pathlib's cost per file
        cond = check(Condition, raw, where, problems)
        if cond is None:
            continue
        if cond.id != path.stem:
            problems.append(f"{where} → id: '{cond.id}' must match the file name '{path.stem}'")
        conditions.append(cond)
    return meta, questions, conditions, rules, tips


def _read_plans(root: Path, problems: list[str], files: list[Path], read: Reader) -> dict[str, Any]:
    """exercises.toml and plans.toml as parsed TOML (None for a file that could not be parsed), when the
    folder has either; validated on first use by `plan_content`."""
    raw: dict[str, Any] = {}
    for name in (EXERCISES_FILE, PLANS_FILE):
        path = root / name
        if path in files:
            raw[name] = read(path, root, problems)
    return raw


def plan_content(kb: KnowledgeBase) -> PlanContent:
    """The plans and exercises of `kb`, validated on first use (they are read with the rest of the
    content, but only `plan`, `history` and `content check` need them, so triage does not pay for
    their validation); raise ContentError listing every problem."""
    done = kb.derived.get("plan_content")
    if done is not None:
        return done
    from hipcheck.knowledge.plans import ExerciseBook, PlanBook, PlanContent, cross_check

    raw = kb.plan_raw if kb.region is None else fill_data(kb.plan_raw, kb.region.values())
    root = kb.root
    problems: list[str] = []
    content = PlanContent()
    if raw:
        books: list[Any] = []
        for name, model in ((EXERCISES_FILE, ExerciseBook), (PLANS_FILE, PlanBook)):
            where = _rel(root / name, root)
            if name not in raw:
                problems.append(
                    f"{where}: file is missing (plans need both {EXERCISES_FILE} and {PLANS_FILE})"
                )
                books.append(None)
            else:
                books.append(None if raw[name] is None else _validate(model, raw[name], where, problems))
        exercises, plans = books
        if isinstance(exercises, ExerciseBook) and isinstance(plans, PlanBook):
            _unique(
                "exercise", [e.id for e in exercises.exercise], _rel(root / EXERCISES_FILE, root), problems
            )
            _unique("plan", [p.id for p in plans.plan], _rel(root / PLANS_FILE, root), problems)
            content = PlanContent(
                exercises={e.id: e for e in exercises.exercise},
                plans=tuple(plans.plan),
                no_plan=dict(plans.no_plan),
                hold=tuple(plans.hold),
                words=plans.words,
            )
            cross_check(content, kb.condition_by_id, root.name, problems)
        elif not problems:
            problems.append(f"{root.name}: the plans could not be read")
    if problems:
        raise ContentError(problems)
    kb.derived["plan_content"] = content
    return content


def _unique(kind: str, ids: list[str], where: str, problems: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            problems.append(f"{where}: duplicate {kind} id '{i}'")
        seen.add(i)


def load_content(root: Path | str | None = None, *, use_cache: bool = False) -> KnowledgeBase:
    """Load and validate a content directory; raise ContentError listing every problem.

    With `use_cache` (the CLI), parsed TOML comes from the content cache when its key matches (see
    knowledge/cache.py), and valid content is written to it. The checks run either way. Each file is
    read once, within the limits (see the module's docstring)."""
    root = Path(root) if root is not None else default_content_dir()
    problem = path_problem(root)
    if problem:
        raise ContentError([f"{echo(root)}: the content directory cannot be read: {problem}"])
    if not root.is_dir():
        raise ContentError([f"{root}: content directory not found"])
    files = content_files(root)
    blobs = read_files(files)
    if not use_cache:
        return _build(root, files, _reader(blobs))

    key = cache.fingerprint(root, files, blobs)
    data = cache.read_data(key)
    start = len(str(root / "x")) - 1  # each file is root / name (content_files): its name, quickly
    names = {p: str(p)[start:].replace(os.sep, "/") for p in files}
    if data is not None and set(data) == set(names.values()):
        try:
            return _build(root, files, lambda path, root, problems: data[names[path]], _trusted)
        except ContentError:
            pass  # cannot happen for an entry written by this code; load from TOML to report it properly
    parsed: dict[str, Any] = {}
    read = _reader(blobs)

    def read_and_keep(path: Path, root: Path, problems: list[str]) -> dict[str, Any] | None:
        raw = read(path, root, problems)
        parsed[path.relative_to(root).as_posix()] = raw
        return raw

    kb = _build(root, files, read_and_keep)
    from hipcheck.knowledge.catalog import build_views

    cache.write(key, {"data": parsed, "views": build_views(kb)})
    return kb


def _build(root: Path, files: list[Path], read: Reader, check: Check = _validate) -> KnowledgeBase:
    problems: list[str] = []
    meta, questions, conditions, rules, tips = _load_records(root, problems, files, read, check)
    plan_raw = _read_plans(root, problems, files, read)
    regions = None
    if root / REGIONS_BOOK in files:
        raw_regions = read(root / REGIONS_BOOK, root, problems)
        if raw_regions is not None:
            regions = check(RegionBook, raw_regions, _rel(root / REGIONS_BOOK, root), problems)
    if check is _trusted:  # from a cache entry: content that passed every check below when written
        if meta is None:
            raise ContentError(["meta.toml is missing"])
        return _knowledge_base(
            root,
            meta,
            questions,
            conditions,
            rules,
            tips,
            plan_raw,
            _log_evidence(conditions, questions),
            regions,
        )
    rootname = root.name
    _unique("question", [q.id for q in questions], f"{rootname}/questions.toml", problems)
    _unique("condition", [c.id for c in conditions], f"{rootname}/conditions", problems)
    _unique("rule", [r.id for r in rules], f"{rootname}/rules.toml", problems)
    _unique("tip", [t.id for t in tips], f"{rootname}/tips.toml", problems)

    qmap = {q.id: q for q in questions}
    cmap = {c.id: c for c in conditions}

    order = {q.id: i for i, q in enumerate(questions)}
    for q in questions:
        where = f"{rootname}/questions.toml → question (id={q.id})"
        if len(q.options) > MAX_OPTIONS:
            problems.append(f"{where} → options: {len(q.options)} options; the limit is {MAX_OPTIONS}")
        if q.kind == "scale" and q.scale_max - q.scale_min > MAX_SCALE:
            problems.append(f"{where} → scale_max: a scale spans at most {MAX_SCALE} points")
        _check_triggers(q, qmap, where, problems)
        for atom in q.atoms():
            if atom.question in order and order[atom.question] >= order[q.id]:
                problems.append(f"{where}: depends on '{atom.question}', which is not asked before it")
        for o in q.options:
            owhere = f"{where} → option (id={o.id})"
            _check_triggers(o, qmap, owhere, problems)
            for atom in o.atoms():
                if atom.question in order and order[atom.question] >= order[q.id]:
                    problems.append(f"{owhere}: depends on '{atom.question}', which is not asked before it")
            if o.id in (q.none_option, *q.safe) and (o.when_all or o.when_any or o.unless):
                problems.append(f"{owhere}: the safe or 'none' answer must always be offered")
    for r in rules:
        where = f"{rootname}/rules.toml → rule (id={r.id})"
        if not (r.when_all or r.when_any):
            problems.append(f"{where} → when_all: a rule needs when_all or when_any")
        _check_triggers(r, qmap, where, problems)
        for cid in r.points_to:
            if cid not in cmap:
                problems.append(f"{where} → points_to: unknown condition '{cid}'{did_you_mean(cid, cmap)}")
    for t in tips:
        where = f"{rootname}/tips.toml → tip (id={t.id})"
        _check_triggers(t, qmap, where, problems)
        for cid in (*t.for_causes, *t.not_for_causes):
            if cid not in cmap:
                problems.append(f"{where} → for_causes: unknown condition '{cid}'{did_you_mean(cid, cmap)}")

    names: dict[str, str] = {}
    log_evidence: dict[str, dict[str, EvidenceRow]] = {}
    for c in conditions:
        where = f"{rootname}/conditions/{c.id}.toml"
        log_evidence[c.id] = _compile_evidence(c, qmap, where, problems)
        for name in (c.id, c.name, *c.aliases):
            if "\n" in name:
                problems.append(f"{where} → name: '{echo(name)}' must be one line")
            key = normalise_name(name)
            if key in names and names[key] != c.id:
                problems.append(f"{where} → aliases: '{name}' is already used by '{names[key]}'")
            names[key] = c.id

    if regions is None and root / REGIONS_BOOK not in files:
        _check_placeholders(root, meta, questions, conditions, rules, tips, plan_raw, problems)

    if problems or meta is None:
        raise ContentError(problems or ["meta.toml is missing"])
    return _knowledge_base(root, meta, questions, conditions, rules, tips, plan_raw, log_evidence, regions)


def _log_evidence(
    conditions: list[Condition], questions: list[Question]
) -> dict[str, dict[str, EvidenceRow]]:
    """`_compile_evidence` for content that passed it already (a cache entry): the same rows, without
    the checks."""
    kinds = {q.id: q.kind for q in questions}
    logs: dict[float, float] = {}
    out: dict[str, dict[str, EvidenceRow]] = {}
    for c in conditions:
        rows: dict[str, EvidenceRow] = {}
        for qid, table in c.evidence.items():
            scale = kinds[qid] == "scale"
            options: dict[str, float] = {}
            ranges: list[tuple[int, int, float]] = []
            other = None
            for key, lr in table.items():
                w = logs.get(lr)
                if w is None:
                    w = logs[lr] = math.log(lr)
                if key == "other":
                    other = w
                elif scale:
                    lo, _, hi = key.partition("-")
                    ranges.append((int(lo), int(hi), w))
                else:
                    options[key] = w
            rows[qid] = EvidenceRow(options=options, other=other, ranges=tuple(ranges))
        out[c.id] = rows
    return out


def _knowledge_base(
    root: Path,
    meta: Meta,
    questions: list[Question],
    conditions: list[Condition],
    rules: list[Rule],
    tips: list[Tip],
    plan_raw: dict[str, Any],
    log_evidence: dict[str, dict[str, EvidenceRow]],
    regions: RegionBook | None,
) -> KnowledgeBase:
    qmap = {q.id: q for q in questions}
    cmap = {c.id: c for c in conditions}
    total = sum(c.prior for c in conditions)
    return KnowledgeBase(
        root=root,
        meta=meta,
        questions=tuple(questions),
        conditions=tuple(conditions),
        rules=tuple(rules),
        tips=tuple(tips),
        question_by_id=qmap,
        condition_by_id=cmap,
        log_prior={c.id: math.log(c.prior / total) for c in conditions},
        log_evidence=log_evidence,
        plan_raw=plan_raw,
        regions=regions,
    )


def _check_placeholders(
    root: Path,
    meta: Meta | None,
    questions: list[Question],
    conditions: list[Condition],
    rules: list[Rule],
    tips: list[Tip],
    plan_raw: dict[str, Any],
    problems: list[str],
) -> None:
    """A folder without regions.toml cannot fill region placeholders: each text that uses one is a
    problem (it would show `{emergency_number}` to the runner)."""
    rootname = root.name
    records: list[tuple[str, Any]] = [("meta.toml", meta)]
    records += [(f"questions.toml → question (id={q.id})", q) for q in questions]
    records += [(f"conditions/{c.id}.toml", c) for c in conditions]
    records += [(f"rules.toml → rule (id={r.id})", r) for r in rules]
    records += [(f"tips.toml → tip (id={t.id})", t) for t in tips]
    records += [(name, data) for name, data in plan_raw.items()]
    for where, record in records:
        data = record.model_dump() if isinstance(record, BaseModel) else record
        for path, text in _strings(data):
            if placeholders_in(text):
                problems.append(
                    f"{rootname}/{where} → {path}: uses {{{placeholders_in(text)[0]}}}, but the folder has "
                    f"no {REGIONS_BOOK} to fill it"
                )


def _strings(data: Any, path: str = "") -> Iterable[tuple[str, str]]:
    """(dotted path, text) of every string in parsed content."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _strings(v, f"{path}[{i}]")


# --------------------------------------------------------------------------- regions


# Fields that hold no text a runner reads (ids, answer tests, weights, citations): not walked.
_NO_TEXT = frozenset(
    {"id", "aliases", "when_all", "when_any", "unless", "evidence", "sources", "points_to", "for_causes"}
    | {"not_for_causes", "prior", "category", "level", "min_level", "max_level", "advice_max_level"}
)


def _filled(value: Any, values: dict[str, str]) -> Any:
    """A content record (or a list, tuple or dict of them, or a string) with every region placeholder
    filled; the same object where nothing changed (cached properties such as parsed tests stay)."""
    if isinstance(value, str):
        return fill_text(value, values) if "{" in value else value
    if isinstance(value, (list, tuple)):
        items = [_filled(x, values) for x in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, dict):
        pairs = {k: _filled(v, values) for k, v in value.items()}
        return value if all(pairs[k] is v for k, v in value.items()) else pairs
    if isinstance(value, BaseModel):
        update = {}
        for name in type(value).__pydantic_fields__:
            if name in _NO_TEXT:
                continue
            old = getattr(value, name)
            new = _filled(old, values)
            if new is not old:
                update[name] = new
        if not update:
            return value
        copy = value.model_copy(update=update)
        # model_copy keeps values cached_property has already worked out from the old texts (option
        # labels, say): drop them so they are worked out again from the filled ones
        for name, attr in vars(type(value)).items():
            if isinstance(attr, functools.cached_property):
                copy.__dict__.pop(name, None)
        return copy
    return value


def region_codes(kb: KnowledgeBase) -> list[str]:
    return [r.code for r in kb.regions.region] if kb.regions is not None else []


def for_region(kb: KnowledgeBase, code: str | None) -> KnowledgeBase:
    """`kb` with every region placeholder in its texts (levels, rules, tips, condition pages, questions;
    plans and exercises when `plan_content` validates them) filled for the region `code`
    (content/regions.toml), and `region` set: what the engine, the screens and the plans then show.
    Pure: `kb` is unchanged; the result is kept in `kb.derived`, so asking again costs nothing. `code`
    None, or a folder without regions.toml: `kb` as it is. Raise KeyError for a code that is not a
    region (commands check it first, with `regions.choose`), ValueError when `kb` is filled for
    another region already."""
    if code is None or kb.regions is None:
        return kb
    if kb.region is not None:  # filled already: its texts no longer hold the placeholders
        if kb.region.code != code:
            raise ValueError(f"this knowledge names the services of {kb.region.code}, not {code}")
        return kb
    key = ("region", code)
    done = kb.derived.get(key)
    if done is not None:
        return done
    region = next((r for r in kb.regions.region if r.code == code), None)
    if region is None:
        raise KeyError(code)
    values = region.values()
    conditions = tuple(_filled(c, values) for c in kb.conditions)
    questions = tuple(_filled(q, values) for q in kb.questions)
    filled = dataclasses.replace(
        kb,
        meta=_filled(kb.meta, values),
        questions=questions,
        conditions=conditions,
        rules=tuple(_filled(r, values) for r in kb.rules),
        tips=tuple(_filled(t, values) for t in kb.tips),
        question_by_id={q.id: q for q in questions},
        condition_by_id={c.id: c for c in conditions},
        region=region,  # plan_raw is filled when the plans are validated (plan_content), if ever
    )
    kb.derived[key] = filled
    return filled


# --------------------------------------------------------------------------- name lookup


def find_condition(kb: KnowledgeBase, name: str) -> tuple[Condition | None, list[str]]:
    """Resolve a condition by id, name or alias (case-insensitive, close matches).

    Returns (condition, []) on a match, or (None, suggestions)."""
    cid, suggestions = resolve_name(((c.id, (c.id, c.name, *c.aliases)) for c in kb.conditions), name)
    return (kb.condition_by_id[cid], []) if cid is not None else (None, suggestions)
