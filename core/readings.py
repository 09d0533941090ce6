"""What each ambiguity is worth: every alternative reading of every
interpretation computed on the same facts, and the change of every money
item against the contract's chosen readings.

``yibao readings CITY --facts F`` prints it; the parties see which readings
move money — those are worth settling in a supplementary agreement — and
which change nothing on these facts. With ``yibao simulate --readings all``
the same comparison is made over the simulated scenarios, as changes of
expected values (:mod:`yibao.simulate`).

Pure Decimal: nothing here needs numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from .errors import InputError, Problem
from .money import fmt_amount


def why_not_computed(problems: Iterable[tuple[str, str] | Problem], translate: Callable[[str], str] | None = None) -> str:
    """Why an alternative reading was not computed, as one text: each
    problem ``where: message``, joined by ``"; "`` — a ``(key, message)``
    pair of a facts class's ``validate_against`` or an input
    :class:`~yibao.errors.Problem`. ``translate`` turns each *message* into
    the user's language before the join (:func:`yibao.i18n.tr_message`);
    the keys and file names stay as they are. Without it, English."""
    say = translate or str
    parts = []
    for p in problems:
        if isinstance(p, Problem):
            parts.append(str(Problem(p.file, p.path, say(p.message), p.cell)))
        else:
            parts.append(f"{p[0]}: {say(p[1])}")
    return "; ".join(parts)


def readings_worth(
    contract: Any,
    facts: Any,
    compute: Callable[..., Any],
    facts_file: str | None = None,
    translate: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Per interpretation, per alternative reading: the items whose amount
    changes against the default (the contract's choices), with both amounts
    and the difference; an alternative the facts cannot be computed under
    (a fact it requires is missing) says why (``not_computed``, one text:
    :func:`why_not_computed`, each message put through ``translate``).

    :param compute: ``api.compute`` (passed in: this module sits below the API).
    """
    base = compute(contract, facts, None, facts_file)
    base_items = {(li.key, li.scope): li for li in base.items}
    used = {i.id for i in base.interpretations}
    out = []
    for interp in contract.doc.interpretations:
        alts = []
        for choice, text in interp.readings.items():
            if choice == interp.choice:
                continue
            entry: dict[str, Any] = {"reading": choice, "text": text}
            alt_contract = contract.with_choices({interp.id: choice})
            check = getattr(facts, "validate_against", None)
            wrong = check(alt_contract) if check is not None else []
            if wrong:
                entry["not_computed"] = why_not_computed(wrong, translate)
                alts.append(entry)
                continue
            try:
                result = compute(alt_contract, facts, None, facts_file)
            except InputError as exc:
                entry["not_computed"] = why_not_computed(exc.problems, translate)
                alts.append(entry)
                continue
            changes = []
            alt_items = {(li.key, li.scope): li for li in result.items}
            for key in [*base_items, *(k for k in alt_items if k not in base_items)]:
                a = base_items.get(key)
                b = alt_items.get(key)
                before = a.amount if a is not None else Decimal(0)
                after = b.amount if b is not None else Decimal(0)
                if before != after:
                    li = a or b
                    assert li is not None
                    row = {
                        "key": key[0],
                        "scope": key[1],
                        "label": li.label,
                        "default": fmt_amount(before),
                        "alternative": fmt_amount(after),
                        "change": fmt_amount(after - before),
                    }
                    if li.kind != "payment":
                        row["kind"] = li.kind
                    changes.append(row)
            entry["changes"] = changes
            alts.append(entry)
        out.append(
            {
                "id": interp.id,
                "clause": interp.clause,
                "question": interp.question,
                "default": interp.choice,
                "affects_default_result": interp.id in used,
                "alternatives": alts,
            }
        )
    return {"contract": contract.doc.id, "city": contract.doc.city, "period": base.period, "interpretations": out}


def render_readings(doc: dict[str, Any]) -> str:
    """The readings document as a table (Chinese labels)."""
    lines = [f"{doc['contract']}  {doc['period']}  各解释的替代读法对金额的影响（相对默认读法）", ""]
    for i in doc["interpretations"]:
        lines.append(f"【{i['id']}】{i['clause']}  默认：{i['default']}")
        for a in i["alternatives"]:
            if "not_computed" in a:
                lines.append(f"  → {a['reading']}: 无法计算（{a['not_computed']}）")
                continue
            if not a["changes"]:
                lines.append(f"  → {a['reading']}: 金额无变化")
                continue
            lines.append(f"  → {a['reading']}:")
            for c in a["changes"]:
                scope = f"@{c['scope']}" if c["scope"] else ""
                lines.append(f"      {c['label']}（{c['key']}{scope}）  {c['default']} → {c['alternative']}  变动 {c['change']}")
        lines.append("")
    return "\n".join(lines).rstrip()
