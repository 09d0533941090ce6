"""The ``condition`` model (assessment): A condition the contract attaches a consequence to, with no amount."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ..base import Model, StepContext


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
        pass

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        return {}


MODELS: tuple[type[Model], ...] = (Condition,)
