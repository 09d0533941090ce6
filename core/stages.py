"""The five stages of a computation, defined once.

A contract is computed in five stages, always in this order, each one hook of
:mod:`yibao.hookspecs` and one hook family of the standard models
(:mod:`yibao.models`):

1. ``fees``        what the bureau pays the insurer, and when
2. ``risk``        how a surplus or a deficit of the fund is split
3. ``assessment``  scores, audit rates and incidents -> deductions
4. ``settlement``  the net amounts due, from the figures above
5. ``staffing``    the staff roster against the contract's duties

Everything that walks the stages (loading a contract's steps in order, the
engine, the API, ``yibao compare``) reads them from here.
"""

from __future__ import annotations

from typing import Literal

import attrs

from .values import Value

StageName = Literal["fees", "risk", "assessment", "settlement", "staffing"]


@attrs.frozen(eq=False, repr=False, slots=False)
class Stage(Value):
    """One stage: its name in TOML (``stage = "risk"``), its hook, its title."""

    name: StageName
    hook: str
    title: str


STAGES: tuple[Stage, ...] = (
    Stage("fees", "yibao_compute_fees", "费用（fees）"),
    Stage("risk", "yibao_share_risk", "风险分担（risk）"),
    Stage("assessment", "yibao_assess_payout", "考核（assessment）"),
    Stage("settlement", "yibao_settle_payment", "结算（settlement）"),
    Stage("staffing", "yibao_check_staffing", "人员（staffing）"),
)

#: stage names in order
STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in STAGES)

#: the stages that need no roster (the staffing stage runs only with one)
MONEY_STAGES: tuple[Stage, ...] = STAGES[:4]


def order(name: str) -> int:
    """The position of a stage, for sorting steps."""
    return STAGE_NAMES.index(name)
