"""The content cache: same output with and without it, never stale, never corrupt."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTENT, MINI
from pydantic import BaseModel

from hipcheck.knowledge import cache
from hipcheck.knowledge.loader import ContentError, load_content


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("HIPCHECK_CACHE", str(folder))
    return folder


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def _entries(folder):
    return sorted(folder.glob("content-*.bin"))


def test_cli_json_views_are_identical_with_a_cold_and_a_warm_cache(cli, cache_dir, monkeypatch):
    monkeypatch.setenv("HIPCHECK_CACHE", "off")
    uncached = {args: cli(*args).stdout for args in _VIEW_ARGS}
    monkeypatch.setenv("HIPCHECK_CACHE", str(cache_dir))
    cold = {args: cli(*args).stdout for args in _VIEW_ARGS}
    assert len(_entries(cache_dir)) == 1
    warm = {args: cli(*args).stdout for args in _VIEW_ARGS}
    assert uncached == cold == warm


_VIEW_ARGS = (
    ("list", "--json"),
    ("questions", "--json"),
    ("explain", "bursitis", "--json"),
    ("explain", "IT band", "--json"),
    ("explain", "trochanteric", "--json"),
)


def test_unknown_names_fail_the_same_way_from_the_cache(cli, cache_dir):
    first = cli("explain", "tronchanteric", "--json")
    second = cli("explain", "tronchanteric", "--json")  # served from the cache
    assert first.exit_code == second.exit_code == 2
    assert first.stderr == second.stderr and "Did you mean" in first.stderr


def test_a_cached_load_equals_a_fresh_one(content, cache_dir):
    fresh = load_content(content)
    cold = load_content(content, use_cache=True)
    warm = load_content(content, use_cache=True)
    for kb in (cold, warm):
        assert kb.meta == fresh.meta and kb.questions == fresh.questions and kb.conditions == fresh.conditions
        assert kb.rules == fresh.rules and kb.tips == fresh.tips and kb.log_evidence == fresh.log_evidence
        for attr in ("meta", "questions", "conditions", "rules", "tips"):
            _same_values(getattr(kb, attr), getattr(fresh, attr), attr)


def _same_values(got, want, where: str) -> None:
    """Equal and of the same types all the way down (a warm load builds records without validating them:
    1 must still be 1.0 where validation makes it a float, an id a Level where it makes it one)."""
    assert type(got) is type(want), f"{where}: {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, BaseModel):
        assert got.model_fields_set == want.model_fields_set, where
        for name in type(want).model_fields:
            _same_values(getattr(got, name), getattr(want, name), f"{where}.{name}")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same_values(g, w, f"{where}[{i}]")
    elif isinstance(want, dict):
        assert list(got) == list(want), where
        for (gk, gv), (wk, wv) in zip(got.items(), want.items(), strict=True):
            _same_values(gk, wk, f"{where} key")
            _same_values(gv, wv, f"{where}[{wk!r}]")
    else:
        assert got == want, where


def test_a_warm_load_builds_no_validators(content, cache_dir):
    """A cache hit neither validates the records again nor builds their validators (most of the cost
    of importing the models, on the way to the interview's first question): run in a fresh process."""
    load_content(content, use_cache=True)  # writes the entry
    probe = (
        "import sys\n"
        "from hipcheck.knowledge import models\n"
        "from hipcheck.knowledge.loader import load_content\n"
        f"kb = load_content({str(content)!r}, use_cache=True)\n"
        "built = [m.__name__ for m in (models.Question, models.Condition, models.Rule, models.Tip,"
        " models.Meta, models.Atom) if m.__pydantic_complete__]\n"
        "assert kb.conditions and kb.rules[0].tests, 'loaded'\n"
        "print(built, 'hipcheck.knowledge.plans' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[] False"


def test_a_damaged_entry_that_cannot_be_built_falls_back_to_toml(content, cache_dir, monkeypatch):
    from hipcheck.knowledge import loader

    fresh = load_content(content, use_cache=True)

    def broken(model, data, where, problems):
        raise ContentError([f"{where}: cache entry unusable"])

    monkeypatch.setattr(loader, "_trusted", broken)
    again = load_content(content, use_cache=True)
    assert again.conditions == fresh.conditions and again.rules == fresh.rules


def test_changed_content_is_never_served_stale(cli, content, cache_dir):
    cli("--content", str(content), "list", "--json")
    page = content / "conditions" / "gtps.toml"
    text = page.read_text(encoding="utf-8")
    name_line = next(line for line in text.splitlines() if line.startswith("name = "))
    page.write_text(text.replace(name_line, 'name = "Renamed for the test"'), encoding="utf-8")
    assert "Renamed for the test" in cli("--content", str(content), "list", "--json").stdout
    assert "Renamed for the test" in load_content(content, use_cache=True).condition_by_id["gtps"].name


def test_a_new_condition_file_changes_the_key(content, cache_dir):
    before = cache.fingerprint(content)
    shutil.copy(content / "conditions" / "gtps.toml", content / "conditions" / "zz_copy.toml")
    assert cache.fingerprint(content) != before
    with pytest.raises(ContentError):  # id must match the file name: invalid content is never cached
        load_content(content, use_cache=True)


def test_invalid_content_is_not_cached_and_still_reported(cli, content, cache_dir):
    (content / "rules.toml").write_text("this is not toml = = =", encoding="utf-8")
    for _ in range(2):
        r = cli("--content", str(content), "list", "--json")
        assert r.exit_code == 1 and "content is invalid" in r.stderr
    assert _entries(cache_dir) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b[:-10] + b"0123456789",  # body changed
        lambda b: b"garbage\n" + b,  # header broken
        lambda b: b"",  # empty
        lambda b: b.replace(b"hipcheck-cache 2", b"hipcheck-cache 9", 1),  # another format
    ],
    ids=["truncated", "body", "header", "empty", "format"],
)
def test_a_corrupt_entry_is_never_served_and_is_rewritten(cli, cache_dir, damage):
    good = cli("explain", "bursitis", "--json").stdout
    (entry,) = _entries(cache_dir)
    blob = entry.read_bytes()
    entry.write_bytes(damage(blob))
    assert cache.read(entry.name[len("content-") : -len(".bin")]) is None
    r = cli("explain", "bursitis", "--json")
    assert r.exit_code == 0 and r.stdout == good
    # Each section is checked on its own: the views may still be served from an entry whose parsed
    # TOML is damaged; the first full load finds the damage and rewrites the entry.
    assert cli("explain", "bursitis").exit_code == 0
    assert entry.read_bytes() == blob  # rewritten whole


def test_an_entry_with_the_right_hash_but_the_wrong_shape_is_a_miss(cache_dir, content):
    load_content(content, use_cache=True)
    key = cache.fingerprint(content)
    assert cache.write(key, {"data": {}, "views": {"list": 1}})  # well formed, wrong shape
    assert cache.read(key) is None
    assert load_content(content, use_cache=True).conditions  # falls back to TOML, rewrites
    assert cache.read(key) is not None


def test_an_unwritable_cache_folder_is_harmless(cli, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("HIPCHECK_CACHE", str(blocker / "cache"))
    r = cli("list", "--json")
    assert r.exit_code == 0 and r.json()["conditions"]


def test_old_entries_are_pruned(cache_dir, content):
    for i in range(cache.KEEP + 3):
        (content / "meta.toml").write_text(
            (CONTENT / "meta.toml").read_text(encoding="utf-8") + f"\n# edit {i}\n", encoding="utf-8"
        )
        load_content(content, use_cache=True)
    assert len(_entries(cache_dir)) == cache.KEEP


def test_the_cache_can_be_turned_off(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HIPCHECK_CACHE", "off")
    assert cache.cache_dir() is None
    assert cli("list", "--json").exit_code == 0


def test_default_cache_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("HIPCHECK_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = cache.cache_dir()
    assert folder is not None and folder.name == "hipcheck"


# --------------------------------------------------------------------------- a cache nobody else can forge


def _forge(key: str) -> None:
    """Rewrite the entry for `key` as anyone who can write the folder could: a valid entry, hashes and
    all, whose `explain` page for gtps says something else."""
    entry = cache.read(key)
    assert entry is not None
    entry["views"]["explain"]["gtps"] = entry["views"]["explain"]["gtps"].replace("Gluteal", "FORGED")
    assert cache.write(key, entry)


def test_entries_are_json_and_the_cache_never_loads_code(cli, cache_dir):
    import ast
    import json

    cli("explain", "bursitis", "--json")
    (entry,) = _entries(cache_dir)
    head, _, body = entry.read_bytes().partition(b"\n")
    assert head.startswith(b"hipcheck-cache 2 ")
    sizes = [int(part.split(b":")[0]) for part in head.split(b" ")[3:]]
    views, data = json.loads(body[: sizes[0]]), json.loads(body[sizes[0] :])
    assert "gtps" in views["explain"] and "meta.toml" in data
    tree = ast.parse(Path(cache.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"marshal", "pickle", "shelve", "dill"}


def test_a_forged_entry_in_a_folder_others_can_write_is_never_used(cli, cache_dir):
    genuine = cli("explain", "bursitis", "--json").stdout
    key = cache.fingerprint(CONTENT)
    _forge(key)
    assert "FORGED" in cli("explain", "bursitis", "--json").stdout  # the user's own folder: trusted
    cache_dir.chmod(0o777)
    assert cache.read(key) is None
    r = cli("explain", "bursitis", "--json")
    assert r.exit_code == 0 and r.stdout == genuine
    for mode in (0o770, 0o722):
        cache_dir.chmod(mode)
        assert cli("explain", "bursitis", "--json").stdout == genuine


def test_an_entry_others_can_write_is_never_used(cli, cache_dir):
    genuine = cli("explain", "bursitis", "--json").stdout
    _forge(cache.fingerprint(CONTENT))
    (entry,) = _entries(cache_dir)
    entry.chmod(0o666)
    assert cli("explain", "bursitis", "--json").stdout == genuine
    entry.unlink()
    other = cache_dir.parent / "elsewhere.bin"
    other.write_bytes(b"x")
    entry.symlink_to(other)  # a link is refused too, wherever it points
    assert cli("explain", "bursitis", "--json").stdout == genuine


def test_a_folder_owned_by_another_user_is_neither_read_nor_written(cli, cache_dir, monkeypatch):
    import os

    genuine = cli("explain", "bursitis", "--json").stdout
    _forge(cache.fingerprint(CONTENT))
    before = {p: p.read_bytes() for p in _entries(cache_dir)}
    monkeypatch.setattr(os, "getuid", lambda: os.stat(cache_dir).st_uid + 1)
    assert cli("explain", "bursitis", "--json").stdout == genuine
    assert cli("--content", str(MINI), "list", "--json").exit_code == 0
    assert {p: p.read_bytes() for p in _entries(cache_dir)} == before  # nothing written there


def test_the_cache_folder_is_created_private(cli, cache_dir):
    import stat

    cli("list", "--json")
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    (entry,) = _entries(cache_dir)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


def test_pruning_removes_only_hipchecks_own_entries(cache_dir, content):
    import os

    cache_dir.mkdir(mode=0o700)
    theirs = [cache_dir / "content-notes.bin", cache_dir / "content-0000.bin"]
    theirs[0].write_bytes(b"someone else's file")
    theirs[1].write_bytes(b"")
    for path in theirs:
        os.utime(path, ns=(0, 0))  # the oldest in the folder
    for i in range(cache.KEEP + 3):
        (content / "meta.toml").write_text(
            (CONTENT / "meta.toml").read_text(encoding="utf-8") + f"\n# edit {i}\n", encoding="utf-8"
        )
        load_content(content, use_cache=True)
    assert all(p.exists() for p in theirs)
    assert len(_entries(cache_dir)) == cache.KEEP + len(theirs)
