"""The content cache: same output with and without it, never stale, never corrupt."""

from __future__ import annotations

import shutil

import pytest
from conftest import CONTENT

from hipcheck import cache
from hipcheck.content import ContentError, load_content


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
        lambda b: b.replace(b"hipcheck-cache 1", b"hipcheck-cache 9", 1),  # another format
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
    assert entry.read_bytes() == blob  # rewritten whole


def test_an_entry_with_the_right_hash_but_the_wrong_shape_is_a_miss(cache_dir, content):
    import hashlib
    import marshal

    load_content(content, use_cache=True)
    key = cache.fingerprint(content)
    (entry,) = _entries(cache_dir)
    body = marshal.dumps({"data": {}, "views": {"list": 1}})
    entry.write_bytes(
        b"hipcheck-cache 1 " + key.encode() + b" " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
    )
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
