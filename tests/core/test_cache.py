"""The contract cache (yibao.cache): a sound key, a documented place, an
opt-out, and never stale data after a change — of the contract, of the code
(an editable install), of the models offered."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from yibao import api, cache
from yibao import contract as contract_module
from yibao.errors import InputError
from yibao.registry import make_registry

XINXIANG_TOML = Path(api.load_contract("xinxiang", reg=make_registry(load_entrypoints=False, env={})).path)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("YIBAO_CACHE_DIR", str(d))
    monkeypatch.delenv("YIBAO_NO_CACHE", raising=False)
    return d


@pytest.fixture
def structured(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every time a contract TOML is structured (a cache miss)."""
    calls: list[str] = []
    real = contract_module.structure

    def spy(data: Any, cls: Any, file: Any = None, path: str = "") -> Any:
        if cls is contract_module.ContractDoc:
            calls.append(str(file))
        return real(data, cls, file, path)

    monkeypatch.setattr(contract_module, "structure", spy)
    return calls


def load(path: Path) -> Any:
    return api.load_contract("xinxiang", path, reg=make_registry(load_entrypoints=False, env={}))


def amounts(c: Any) -> dict[tuple[str, str | None], str]:
    r = api.compute(c, api.load_facts(c, api.example_facts(c)))
    return {(i.key, i.scope): f"{i.amount:.2f}" for i in r.items}


def test_second_load_is_served_from_the_cache(cache_dir: Path, structured: list[str], tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_bytes(XINXIANG_TOML.read_bytes())
    first = load(toml)
    assert len(structured) == 1 and len(list(cache_dir.glob("contract-*.pickle"))) == 1
    second = load(toml)
    assert len(structured) == 1  # not structured again
    assert amounts(first) == amounts(second)
    # 第二十一条(1): the cap is 3.85% of 19,000,000.00 = 731,500.00 either way
    assert amounts(second)[("approved_profit", "市本级")] == "731500.00"


def test_a_changed_contract_is_loaded_anew(cache_dir: Path, structured: list[str], tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_bytes(XINXIANG_TOML.read_bytes())
    assert amounts(load(toml))[("approved_profit", "市本级")] == "731500.00"
    text = XINXIANG_TOML.read_text(encoding="utf-8")
    assert 'rate = "3.85%"' in text
    toml.write_text(text.replace('rate = "3.85%"', 'rate = "4%"', 1), encoding="utf-8")
    # 4% × 19,000,000.00 = 760,000.00 > the balance 19,000,000 − payouts: whatever it is, not the old cap
    changed = load(toml)
    assert len(structured) == 2
    assert amounts(changed)[("approved_profit", "市本级")] != "731500.00"


def test_a_code_change_changes_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An edit to any source file of the package (an editable install) gives
    another key: the size or modification time of every file is in it."""
    reg = make_registry(load_entrypoints=False, env={})
    facts_class = reg.spec("xinxiang").facts_class  # type: ignore[union-attr]
    data = XINXIANG_TOML.read_bytes()
    before = cache.key(data, facts_class, reg.models)
    assert cache.key(data, facts_class, reg.models) == before  # stable
    module_file = Path(sys.modules[facts_class.__module__].__file__)  # type: ignore[arg-type]
    st = module_file.stat()
    try:
        os.utime(module_file, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
        assert cache.key(data, facts_class, reg.models) != before
    finally:
        os.utime(module_file, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert cache.key(data, facts_class, reg.models) == before
    # … so does an edit to a model's module, imported or not, and to a load-time check
    for module in ("yibao.models.risk.profit_cap", "yibao.claims.spec"):
        file = Path(sys.modules["yibao"].__file__).parent.joinpath(*module.split(".")[1:]).with_suffix(".py")  # type: ignore[arg-type]
        st = file.stat()
        try:
            os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
            assert cache.key(data, facts_class, reg.models) != before, module
        finally:
            os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns))
    # … and another model offered under a name changes it too
    other = dict(reg.models)
    other["sum"] = type(reg.model("fixed"))
    assert cache.key(data, facts_class, other) != before


def test_opt_out_reads_and_writes_nothing(cache_dir: Path, structured: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YIBAO_NO_CACHE", "1")
    load(XINXIANG_TOML)
    load(XINXIANG_TOML)
    assert len(structured) == 2 and not cache_dir.exists()


def test_an_unreadable_cache_file_is_rebuilt(cache_dir: Path, structured: list[str]) -> None:
    load(XINXIANG_TOML)
    (path,) = cache_dir.glob("contract-*.pickle")
    path.write_bytes(path.read_bytes()[:20])  # truncated
    c = load(XINXIANG_TOML)
    assert len(structured) == 2
    assert amounts(c)[("funding_total", "市本级")] == "19000000.00"  # 第十九条: 100,000 × 190
    assert len(path.read_bytes()) > 20  # rewritten whole


def test_a_bad_contract_is_never_cached(cache_dir: Path, tmp_path: Path) -> None:
    toml = tmp_path / "bad.toml"
    toml.write_text(XINXIANG_TOML.read_text(encoding="utf-8").replace('model = "profit_cap"', 'model = "profit_capp"', 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputError) as e:
            load(toml)
        assert "did you mean 'profit_cap'" in str(e.value)
    assert not list(cache_dir.glob("contract-*.pickle"))


def test_default_location_is_the_user_cache_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("YIBAO_CACHE_DIR", raising=False)
    monkeypatch.delenv("YIBAO_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert cache.cache_dir() == tmp_path / "xdg" / "yibao"
    monkeypatch.setenv("YIBAO_CACHE_DIR", "")
    assert cache.cache_dir() is None  # set but empty: off


def test_the_cli_uses_and_survives_the_cache(cache_dir: Path) -> None:
    """Two real processes: the second reads what the first wrote, same JSON."""
    env = {**os.environ, "YIBAO_CACHE_DIR": str(cache_dir)}
    cmd = [sys.executable, "-m", "yibao", "compute", "xinxiang", "--format", "json"]
    one = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert one.returncode == 0 and len(list(cache_dir.glob("contract-*.pickle"))) == 1
    two = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    assert two.returncode == 0 and two.stdout == one.stdout


def test_the_directory_keeps_only_the_newest_files(cache_dir: Path) -> None:
    for i in range(cache.KEEP + 5):
        cache.put(cache.digest("test", str(i)), i)
    assert len(list(cache_dir.glob("*.pickle"))) == cache.KEEP
    assert cache.get(cache.digest("test", str(cache.KEEP + 4))) == cache.KEEP + 4  # the newest stays
