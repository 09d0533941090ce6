"""The ``headcount`` model (staffing): A minimum number of staff, optionally of one role, at some sites."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from ..base import FindingSpec, Model, StepContext


class Headcount(Model):
    """A minimum number of staff, optionally of one role, at some sites
    (新乡 第七条 ≥ 20 派驻人员, 附件 ≥ 2 稽核人员; 洛阳 第四条(一) by site
    and role). ``sites`` limits the count to those sites, ``exclude_sites``
    counts every other site together (洛阳: 各县区共配备); neither counts all.
    ``group`` names the group counted in findings (派驻人员, 市本级…). A
    shortfall is a violation naming the group, the role, the count and the
    minimum. ``waive_interpretation`` (optional) names the interpretation
    whose choice ``waived`` leaves this minimum unchecked (洛阳 第四条(一):
    "其余 20 名其他人员" may be the remainder of the total rather than a
    minimum of its own); any other choice checks it.

    ``sites`` and ``exclude_sites`` together name the sites a contract knows
    (洛阳: the 县区 counted, and 市本级): ``sites`` are counted, and a roster
    site in neither list is *unlisted* — not counted, unless
    ``unlisted_interpretation`` names an interpretation whose choice is
    ``any_other``, which counts every site not in ``exclude_sites`` (the
    reading that any branch below the city is a 县区). The interpretation
    is recorded only when the roster has an unlisted site. Saying so in a
    finding is the plugin's part (once per row, not once per step).

    ``exclude_role`` leaves one role out of the count (新乡: the 稽核人员 of
    附件 二 counted on top of the 派驻人员 of 第七条);
    ``exclude_role_interpretation`` (optional) names the interpretation whose
    choice ``among`` counts that role too. ``elsewhere`` (optional) is the
    finding raised, with the count and the roster ids, when staff at other
    sites than ``sites`` are left out of the count (and are not of the
    excluded role): they may have been meant to count."""

    name = "headcount"
    stage = "staffing"
    outputs: ClassVar[Mapping[str, str]] = {}

    @attrs.frozen(eq=False, repr=False, slots=False)
    class Params:
        minimum: int
        role: str | None = None
        sites: tuple[str, ...] | None = None
        exclude_sites: tuple[str, ...] | None = None
        group: str | None = None
        finding_key: str = "staffing.headcount"
        waive_interpretation: str | None = None
        unlisted_interpretation: str | None = None
        exclude_role: str | None = None
        exclude_role_interpretation: str | None = None
        elsewhere: FindingSpec | None = None

    def compute(self, p: Any, ctx: StepContext) -> dict[str, tuple[Decimal, str]]:
        if p.waive_interpretation and ctx.choice(p.waive_interpretation) == "waived":
            return {}
        staff: list[Any] = list(ctx.roster or ())
        excluded = p.exclude_role
        if excluded is not None and p.exclude_role_interpretation and ctx.choice(p.exclude_role_interpretation) == "among":
            excluded = None
        if excluded is not None:
            staff = [m for m in staff if m.role != excluded]
        if p.sites is not None and p.exclude_sites is not None and p.unlisted_interpretation:
            known = (*p.sites, *p.exclude_sites)
            if any(m.site not in known for m in staff) and ctx.choice(p.unlisted_interpretation) == "any_other":
                staff = [m for m in staff if m.site not in p.exclude_sites]
            else:
                staff = [m for m in staff if m.site in p.sites]
        elif p.sites is not None:
            away = [m.id for m in staff if m.site not in p.sites and (p.role is None or m.role == p.role)]
            if away and p.elsewhere is not None:
                ctx.raise_finding(p.elsewhere, f"{len(away)}: {', '.join(away)}")
            staff = [m for m in staff if m.site in p.sites]
        if p.exclude_sites is not None:
            staff = [m for m in staff if m.site not in p.exclude_sites]
        if p.role is not None:
            staff = [m for m in staff if m.role == p.role]
        n = len(staff)
        if n < p.minimum:
            where = p.group or (
                "、".join(p.sites) if p.sites else ("除" + "、".join(p.exclude_sites) + "外各站点" if p.exclude_sites else "全部")
            )
            who = f"role {p.role!r}" if p.role else f"all roles but {excluded!r}" if excluded else "all roles"
            ctx.finding(
                p.finding_key,
                "violation",
                f"{where}: {who}: {n} on the roster, the contract requires at least {p.minimum}",
                scope=where,
            )
        return {}


MODELS: tuple[type[Model], ...] = (Headcount,)
