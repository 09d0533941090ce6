"""The ``installments`` model (fees): A total paid in parts: every part but the last is ``total × share``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ...errors import FieldError
from ...money import ZERO, fmt_amount, fmt_rate, to_fen
from ...operands import Operand, to_operand
from ..base import ONE, Model, StepContext


@attrs.frozen(eq=False, repr=False, slots=False)
class Installment:
    key: str
    label: str
    share: Decimal | None = None



class Installments(Model):
    """A total paid in parts: every part but the last is ``total × share``
    rounded to 分; the last is what remains, so the parts always add up to the
    total exactly (淮阳 第二十八条: 3 月、9 月两批)."""

    name = "installments"
    outputs: ClassVar[Mapping[str, str]] = {}
    outputs_from_params = True

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        total: Operand = attrs.field(converter=to_operand)
        parts: tuple[Installment, ...] = attrs.field()

        @parts.validator
        def _check(self, attribute: Any, value: tuple[Installment, ...]) -> None:
            if len(value) < 2:
                raise FieldError("parts", "expected at least two installments")
            if any(p.share is None for p in value[:-1]):
                raise FieldError("parts", "every installment but the last needs a share")
            if value[-1].share is not None and sum((p.share or ZERO) for p in value) != ONE:
                raise FieldError("parts", "the shares must add up to 100%")

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        total = ctx.value(p.total)
        out: dict[str, tuple[Decimal, str]] = {}
        paid = ZERO
        for part in p.parts[:-1]:
            amount = to_fen(total * part.share)
            paid += amount
            out[part.key] = (amount, f"{fmt_amount(total)} × {fmt_rate(part.share)}")
        last = p.parts[-1]
        out[last.key] = (total - paid, f"{fmt_amount(total)} − {fmt_amount(paid)}")
        return out

    @classmethod
    def output_roles(cls, params: Any) -> dict[str, str]:
        return {part.key: part.label for part in params.parts}


#: the models of this family, registered by name (:mod:`yibao.models`)


MODELS: tuple[type[Model], ...] = (Installments,)
