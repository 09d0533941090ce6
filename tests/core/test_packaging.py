"""The install ships what it promises: the wheel holds every package of
core/ and plugins/, the data files the code reads, and the schemas the
``#:schema`` lines point at; it builds without warnings; the sdist carries
tests, docs and the licence; the version is in one place."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import pytest
import yibao

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("core", "plugins", "schemas", "tests", "docs", "benchmarks", "pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "tox.ini", "mkdocs.yml")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[zipfile.ZipFile, tarfile.TarFile, str]:
    """The wheel and sdist of a clean copy of the checkout (no build/ or
    egg-info left in the working tree), and the build's output."""
    pytest.importorskip("build")
    src = tmp_path_factory.mktemp("src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "out", "site")
    for name in SOURCES:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=ignore)
        elif p.exists():
            shutil.copy2(p, src / name)
    dist = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    res = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(src)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    wheel = zipfile.ZipFile(next(dist.glob("*.whl")))
    sdist = tarfile.open(next(dist.glob("*.tar.gz")))
    return wheel, sdist, res.stdout + res.stderr


def test_the_build_prints_no_warning(built: tuple[zipfile.ZipFile, tarfile.TarFile, str]) -> None:
    out = built[2]
    warnings = [line for line in out.splitlines() if re.search(r"warn", line, re.I) and "byte-compiling is disabled" not in line]
    assert warnings == []


def test_the_wheel_ships_every_package(built: tuple[zipfile.ZipFile, tarfile.TarFile, str]) -> None:
    names = set(built[0].namelist())
    for top, pkg in (("core", "yibao"), ("plugins", "yibao/plugins")):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.relative_to(ROOT / top).as_posix()
            assert f"{pkg}/{rel}" in names, f"{init} is not in the wheel"
    for sub in ("models/fees", "ledger", "claims", "commands"):  # named in the issue
        assert f"yibao/{sub}/__init__.py" in names


def test_the_wheel_ships_the_data_the_code_reads(built: tuple[zipfile.ZipFile, tarfile.TarFile, str]) -> None:
    names = set(built[0].namelist())
    assert "yibao/py.typed" in names
    for f in (ROOT / "plugins").rglob("*"):
        if f.suffix in (".toml", ".csv") and "__pycache__" not in f.parts:
            assert f"yibao/plugins/{f.relative_to(ROOT / 'plugins').as_posix()}" in names


def test_every_schema_line_resolves_inside_the_wheel(built: tuple[zipfile.ZipFile, tarfile.TarFile, str]) -> None:
    wheel = built[0]
    names = set(wheel.namelist())
    checked = 0
    for name in names:
        if name.endswith(".toml"):
            first = wheel.read(name).decode("utf-8").splitlines()[0]
            if first.startswith("#:schema "):
                parts: list[str] = list(PurePosixPath(name).parent.parts)
                for piece in PurePosixPath(first.split(None, 1)[1].strip()).parts:
                    parts = parts[:-1] if piece == ".." else [*parts, piece]
                assert "/".join(parts) in names, f"{name}: {first}"
                checked += 1
    assert checked >= 10  # every contract.toml and every example


def test_licence_version_and_metadata(built: tuple[zipfile.ZipFile, tarfile.TarFile, str]) -> None:
    wheel = built[0]
    meta_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    meta = wheel.read(meta_name).decode("utf-8")
    assert "License-Expression: MIT" in meta
    assert f"Version: {yibao.__version__}\n" in meta  # the one place the version is written
    assert "Classifier: Programming Language :: Python :: 3" in meta and "Keywords:" in meta
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel.namelist())


def test_the_sdist_carries_tests_docs_and_licence(built: tuple[zipfile.ZipFile, tarfile.TarFile, str]) -> None:
    names = {n.split("/", 1)[1] for n in built[1].getnames() if "/" in n}
    assert "LICENSE" in names and "tests/conftest.py" in names and "docs/index.md" in names
    assert "schemas/xinxiang.facts.schema.json" in names
    assert not any("__pycache__" in n for n in names)


def test_gitignore_covers_tox_and_venvs() -> None:
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".venv" in lines  # a .venv file (uv, poetry) as well as a folder
    assert ".tox/" in lines and "build/" in lines and "dist/" in lines and "*.egg-info/" in lines
