"""A real wheel, installed outside the source tree, carries content/ and works from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    target = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("hipcheck-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "hipcheck/content/meta.toml" in names
    assert "hipcheck/content/conditions/gtps.toml" in names
    assert "hipcheck/content/plans.toml" in names and "hipcheck/content/exercises.toml" in names
    assert "hipcheck/py.typed" in names  # the API is typed for those who install it (PEP 561)
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    return target


def run_installed(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("HIPCHECK_CONTENT", None)
    return subprocess.run(
        [sys.executable, "-m", "hipcheck", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def test_wheel_works_from_another_directory(installed, tmp_path):
    r = run_installed(installed, "explain", "bursitis", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["id"] == "gtps"
    check = run_installed(installed, "content", "check", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    where = subprocess.run(
        [sys.executable, "-c", "import hipcheck.knowledge.files as f; print(f.default_content_dir())"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
    )
    assert where.stdout.strip().startswith(str(installed))
