"""淮安 五、八 over a contract's life: "甲方有权解除合同，并根据乙方实际工作情况按月支付
相应劳务费用" — in the quarter of a termination the bureau pays the pro-rata total
less what the earlier quarters paid, and only against an invoice (五).

Worked by hand: 699,000 ÷ 12 = 58,250.00 a month; a quarter's fee 699,000 × 25% =
174,750.00. Terminated 2025-06-15 (Q2 = 2025-05-01..07-31): Feb–May are 4 whole
contract months, June 1–15 is 15 of 30 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from yibao import api
from yibao.errors import InputError

CITY = "huaian"


def quarter(n: int, **kw: Any) -> dict[str, Any]:
    return {"quarter": n, "score": 100, "invoice": True, **kw}


def series(contract: Any, *quarters: dict[str, Any], reading: dict[str, str] | None = None) -> list[Any]:
    c = contract(CITY)
    if reading:
        c = c.with_choices(reading)
    facts = [api.load_facts(c, q) for q in quarters]
    return api.compute_series(c, facts, files=[f"Q{q['quarter']}.toml" for q in quarters])


TERMINATED = dt.date(2025, 6, 15)


@pytest.mark.parametrize(
    ("part_month", "pro_rata", "net"),
    [
        ("by_days", "262125.00", "87375.00"),  # 4 × 58,250 + 58,250 × 15/30 − 174,750
        ("completed_months", "233000.00", "58250.00"),  # 4 × 58,250 − 174,750
        ("started_month", "291250.00", "116500.00"),  # 5 × 58,250 − 174,750
    ],
)
def test_two_quarters_terminated_in_the_second(contract: Any, part_month: str, pro_rata: str, net: str) -> None:
    q1, q2 = series(contract, quarter(1), quarter(2, terminated_on=TERMINATED), reading={"part_month": part_month})
    assert q1.amount("quarter_payable") == D("174750.00")
    assert q2.amount("termination_settlement") == D(pro_rata)
    assert q2.amount("paid_earlier_quarters") == D("174750.00")
    assert q2.amount("termination_net") == D(net)
    assert q2.amount("quarter_fee_due") == D("0.00")  # not the full 25% as well
    assert q2.amount("quarter_payable") == D(net)
    assert "part_month" in [i.id for i in q2.interpretations]
    [note] = [f for f in q2.findings if f.key == "series.taken_as_paid"]
    assert "quarter_payable of Q1 (Q1.toml)" in note.message and note.clause == "八"


def test_the_default_part_month_reading_is_by_days(contract: Any) -> None:
    assert contract(CITY).interpretations["part_month"].choice == "by_days"


def test_no_invoice_suspends_the_termination_payment(contract: Any) -> None:
    _, q2 = series(contract, quarter(1), quarter(2, terminated_on=TERMINATED, invoice=False))
    assert q2.amount("termination_net") == D("87375.00")
    assert q2.amount("quarter_payable") == D("0.00")
    assert "payment.invoice_missing" in [f.key for f in q2.findings]


def test_a_suspended_first_quarter_is_not_taken_as_paid(contract: Any) -> None:
    # Q1 without an invoice paid nothing: the termination pays the whole pro-rata total
    q1, q2 = series(contract, quarter(1, invoice=False), quarter(2, terminated_on=TERMINATED))
    assert q1.amount("quarter_payable") == D("0.00")
    assert q2.amount("paid_earlier_quarters") == D("0.00")
    assert q2.amount("quarter_payable") == D("262125.00")


def test_stated_payments_win(contract: Any) -> None:
    _, q2 = series(contract, quarter(1), quarter(2, terminated_on=TERMINATED, paid_before=100000))
    assert q2.amount("paid_earlier_quarters") == D("100000.00")
    assert q2.amount("quarter_payable") == D("162125.00")  # 262,125 − 100,000
    assert "series.paid_as_stated" in [f.key for f in q2.findings]


def test_paid_more_than_the_pro_rata_total_is_refunded(contract: Any) -> None:
    _, q2 = series(contract, quarter(1), quarter(2, terminated_on=TERMINATED, paid_before=300000))
    assert q2.amount("termination_net") == D("-37875.00")  # 262,125 − 300,000: the insurer refunds


# Three quarters, terminated 2025-09-10 (Q3 = 08-01..10-31): Feb–Aug are 7 whole
# months, Sep 1–10 is 10 of 30 days: 7 × 58,250 + 58,250 × 10/30 = 407,750 + 19,416.67 = 427,166.67.
def test_three_quarters(contract: Any) -> None:
    rs = series(contract, quarter(1), quarter(2), quarter(3, terminated_on=dt.date(2025, 9, 10)))
    assert rs[2].amount("termination_settlement") == D("427166.67")
    assert rs[2].amount("paid_earlier_quarters") == D("349500.00")  # 2 × 174,750
    assert rs[2].amount("quarter_payable") == D("77666.67")


def test_three_quarters_paid_by_score(contract: Any) -> None:
    # score_proportional: Q1 at 90 pays 157,275.00, Q2 at 80 pays 139,800.00
    rs = series(
        contract,
        quarter(1, score=90),
        quarter(2, score=80),
        quarter(3, terminated_on=dt.date(2025, 9, 10)),
        reading={"assessment_method": "score_proportional"},
    )
    assert [r.amount("quarter_payable") for r in rs[:2]] == [D("157275.00"), D("139800.00")]
    assert rs[2].amount("paid_earlier_quarters") == D("297075.00")
    assert rs[2].amount("quarter_payable") == D("130091.67")  # 427,166.67 − 297,075.00


def test_termination_quarter_alone_takes_earlier_quarters_as_paid_in_full(contract: Any) -> None:
    c = contract(CITY)
    r = api.compute(c, api.load_facts(c, quarter(2, terminated_on=TERMINATED)))
    assert r.amount("paid_earlier_quarters") == D("174750.00")  # one quarter × 25%
    assert r.amount("quarter_payable") == D("87375.00")
    assert "payment.paid_before_assumed" in [f.key for f in r.findings]


@pytest.mark.parametrize(
    ("terminated", "by_days", "completed", "started"),
    [
        # the last day of Q1: three whole months under every reading
        (dt.date(2025, 4, 30), "174750.00", "174750.00", "174750.00"),
        # a day earlier: 2 × 58,250 + 58,250 × 29/30 = 116,500 + 56,308.33
        (dt.date(2025, 4, 29), "172808.33", "116500.00", "174750.00"),
        # the first day of the fourth month: 3 × 58,250 + 58,250 × 1/31 (May has 31 days)
        (dt.date(2025, 5, 1), "176629.03", "174750.00", "233000.00"),
    ],
)
def test_part_month_thresholds(contract: Any, terminated: dt.date, by_days: str, completed: str, started: str) -> None:
    quarter_no = 1 if terminated.month < 5 else 2
    for reading, expected in (("by_days", by_days), ("completed_months", completed), ("started_month", started)):
        c = contract(CITY).with_choices({"part_month": reading})
        r = api.compute(c, api.load_facts(c, quarter(quarter_no, terminated_on=terminated)))
        assert r.amount("termination_settlement") == D(expected), reading


def test_paid_before_only_in_a_termination_quarter(contract: Any) -> None:
    c = contract(CITY)
    with pytest.raises(InputError) as e:
        api.load_facts(c, quarter(2, paid_before=1))
    assert e.value.problems[0].path == "paid_before"


def test_a_gap_in_the_quarters(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        series(contract, quarter(1), quarter(3, terminated_on=dt.date(2025, 9, 10)))
    [p] = e.value.problems
    assert p.file == "Q3.toml" and "Q1 (Q1.toml) is followed by Q3 (Q3.toml): Q2 is missing" in p.message


# ------------------------------------------------------------- 八: the contract ended
def test_a_quarter_after_the_termination_quarter(contract: Any) -> None:
    # terminated 2025-06-15 in Q2: the contract ended, Q3 cannot follow (八)
    with pytest.raises(InputError) as e:
        series(contract, quarter(3), quarter(1), quarter(2, terminated_on=TERMINATED))
    [p] = e.value.problems
    assert p.file == "Q3.toml" and p.path == "quarter"
    assert "Q3 follows Q2 (Q2.toml)" in p.message and "terminated_on = 2025-06-15" in p.message and "(八)" in p.message


def test_termination_on_the_quarters_last_day_still_ends_the_series(contract: Any) -> None:
    # Q2 = 2025-05-01..07-31: terminated on its last day, Q3 still cannot follow
    with pytest.raises(InputError) as e:
        series(contract, quarter(2, terminated_on=dt.date(2025, 7, 31)), quarter(3))
    assert [p.file for p in e.value.problems] == ["Q3.toml"]


def test_every_later_quarter_is_named(contract: Any) -> None:
    with pytest.raises(InputError) as e:
        series(contract, quarter(1), quarter(2, terminated_on=TERMINATED), quarter(3), quarter(4))
    assert [p.file for p in e.value.problems] == ["Q3.toml", "Q4.toml"]
    assert all("Q2.toml" in p.message for p in e.value.problems)


def test_the_termination_quarter_last_is_accepted(contract: Any) -> None:
    q = series(contract, quarter(1), quarter(2), quarter(3, terminated_on=dt.date(2025, 9, 10)))
    assert len(q) == 3


def test_a_quarter_after_the_termination_exits_2_naming_both_files(run: Any, tmp_path: Any) -> None:
    q2 = tmp_path / "q2.toml"
    q3 = tmp_path / "q3.toml"
    q2.write_text('quarter = 2\nscore = 100\ninvoice = true\nterminated_on = 2025-06-15\n', encoding="utf-8")
    q3.write_text("quarter = 3\nscore = 100\ninvoice = true\n", encoding="utf-8")
    res = run("compute", CITY, "--facts", str(q2), "--facts", str(q3), "--format", "json")
    assert res.code == 2, res.err
    assert str(q3) in res.err and str(q2) in res.err and "Traceback" not in res.err
