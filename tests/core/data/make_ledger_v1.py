"""Writes tests/core/data/ledger-v1.sqlite: a ledger of schema version 1 as
this version of yibao writes it (two settlements, a correction, a payment).
Committed; run again only to inspect how it was made — later versions must
open the committed file, not a regenerated one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from yibao import api
from yibao.ledger import Store
from yibao.ledger.book import Run, pay, record

OUT = Path(__file__).with_name("ledger-v1.sqlite")

if __name__ == "__main__":
    OUT.unlink(missing_ok=True)
    x = api.load_contract("xinxiang")
    lu = api.load_contract("luoyang")
    xf = api.load_facts(x, api.example_facts(x))
    lf = api.load_facts(lu, api.example_facts(lu))
    with Store(OUT) as s:
        record(s, [Run(x, xf, api.compute(x, xf))], by="fixture", at="2025-06-30T08:00:00+00:00")
        record(s, [Run(lu, lf, api.compute(lu, lf))], by="fixture", at="2025-06-30T08:01:00+00:00")
        x2 = x.with_choices({"tier_rate_scope": "marginal"})
        record(s, [Run(x2, xf, api.compute(x2, xf))], by="fixture", reason="累进", at="2025-06-30T08:02:00+00:00")
        pay(s, lu, "2026Q1", api.compute(lu, lf).amount("quarter_payable"), dt.date(2026, 4, 15), "付-0415-02", by="fixture", at="2025-06-30T08:03:00+00:00")
        s.conn.execute("PRAGMA journal_mode=DELETE")
