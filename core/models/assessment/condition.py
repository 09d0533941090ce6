"""The ``condition`` model (assessment): A condition the contract attaches a consequence to, with no amount."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ...money import fmt_amount
from ...operands import Operand, to_operands
from ..base import FindingSpec, Model, StepContext


class Condition(Model):
    """A condition the contract attaches a consequence to, with no amount
    (淮阳 第四十二条: 年度考核不合格的，应在30个工作日内申请复核；复核仍不
    合格的，甲方有权终止合同). The step's ``when`` names the fact or item
    that must hold and ``otherwise`` the finding raised when it does not; the
    step produces no item."""

    name = "condition"
    stage = "assessment"
    outputs: ClassVar[Mapping[str, str]] = {}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        equal: tuple[Operand, ...] = attrs.field(default=(), converter=to_operands)
        differs: FindingSpec | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        if not p.equal or p.differs is None:
            return {}
        if any(o.ref is not None and ctx.lookup(o.ref) is None for o in p.equal):
            return {}
        values = [ctx.value(o) for o in p.equal]
        if any(v != values[0] for v in values[1:]):
            ctx.raise_finding(p.differs, " ≠ ".join(f"{o} = {fmt_amount(v)}" for o, v in zip(p.equal, values, strict=True)))
        return {}


MODELS: tuple[type[Model], ...] = (Condition,)
