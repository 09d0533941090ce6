"""Standard models: the arithmetic that more than one contract uses.

A contract's TOML lists ``[[steps]]``; each step names a model
(``model = "profit_cap"``), the clause it implements, the items it produces
(``key``/``label``, ``[steps.outputs.<role>]`` for further ones) and the
model's own parameters. Parameters that take a figure are *operands*
(:mod:`yibao.operands`).

The models live in one package per hook family — :mod:`~yibao.models.fees`,
:mod:`~yibao.models.risk`, :mod:`~yibao.models.assessment`,
:mod:`~yibao.models.settlement`, :mod:`~yibao.models.staffing` — one module
per model, over a small :mod:`~yibao.models.base`. They are registered by
name (through the ``yibao_register_models`` hook, by the core's own plugin,
the way a third-party plugin registers its own) as :class:`ModelRef`
values, and a model's module is imported only when a contract first names
it, the way hatchling registers builders by name: computing a contract
builds the classes of the models it uses and no others (measured: a whole
family imported for one model cost Xinxiang's start-up ≈ 20M instructions).

Every model's ``Params`` is a frozen attrs class without generated
``__eq__``/``__repr__``: parameters are never compared or printed, and
generating those methods is start-up time on every command.
"""

from __future__ import annotations

import importlib

import attrs

from ..values import Value
from .base import FindingSpec, Model, StepContext

__all__ = ["STANDARD", "FindingSpec", "Model", "ModelRef", "StepContext", "resolve", "standard_refs"]

#: standard model name -> its module, under the package of its hook family
STANDARD: dict[str, str] = {
    "per_capita": "fees.per_capita",
    "percent_of": "fees.percent_of",
    "fixed": "fees.fixed",
    "installments": "fees.installments",
    "profit_cap": "risk.profit_cap",
    "return_cap": "risk.return_cap",
    "loss_split": "risk.loss_split",
    "rolling_surplus": "risk.rolling_surplus",
    "score_tiers": "assessment.score_tiers",
    "threshold_deduction": "assessment.threshold_deduction",
    "per_incident": "assessment.per_incident",
    "condition": "assessment.condition",
    "itemized": "assessment.itemized",
    "sum": "settlement.sum",
    "monthly_prorata": "settlement.monthly_prorata",
    "paid": "settlement.paid",
    "headcount": "staffing.headcount",
    "person_rules": "staffing.person_rules",
}


@attrs.frozen(eq=False, repr=False, slots=False)
class ModelRef(Value):
    """A model registered by name, its module not imported yet.

    ``load()`` imports ``module`` and returns the model of that name from the
    module's ``MODELS`` tuple.
    """

    name: str
    module: str

    def load(self) -> type[Model]:
        mod = importlib.import_module(self.module)
        for model in getattr(mod, "MODELS", ()):
            if model.name == self.name:
                return model  # type: ignore[no-any-return]
        raise LookupError(f"module {self.module} defines no model named {self.name!r} in MODELS")


def standard_refs() -> tuple[ModelRef, ...]:
    """The core's standard models, as references (nothing imported)."""
    return tuple(ModelRef(name, f"{__name__}.{family}") for name, family in STANDARD.items())


def resolve(model: type[Model] | ModelRef) -> type[Model]:
    """The model class a registration stands for."""
    return model.load() if isinstance(model, ModelRef) else model
