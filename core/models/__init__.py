"""Standard models: the arithmetic that more than one contract uses.

A contract's TOML lists ``[[steps]]``; each step names a model
(``model = "profit_cap"``), the clause it implements, the items it produces
(``key``/``label``, ``[steps.outputs.<role>]`` for further ones) and the
model's own parameters. Parameters that take a figure are *operands*
(:mod:`yibao.operands`).

The models live in one module per hook family — :mod:`~yibao.models.fees`,
:mod:`~yibao.models.risk`, :mod:`~yibao.models.assessment`,
:mod:`~yibao.models.settlement`, :mod:`~yibao.models.staffing` — over a small
:mod:`~yibao.models.base`. They are registered by name (through the
``yibao_register_models`` hook, by the core's own plugin, the way a
third-party plugin registers its own) as :class:`ModelRef` values, and a
family's module is imported only when a contract first names one of its
models, the way hatchling registers builders by name: computing a contract
that uses three families never builds the classes of the other two.

Every model's ``Params`` is a frozen attrs class without generated
``__eq__``/``__repr__``: parameters are never compared or printed, and
generating those methods is start-up time on every command.
"""

from __future__ import annotations

import importlib

import attrs

from .base import FindingSpec, Model, StepContext

__all__ = ["STANDARD", "FindingSpec", "Model", "ModelRef", "StepContext", "resolve", "standard_refs"]

#: standard model name -> the family module that defines it
STANDARD: dict[str, str] = {
    "per_capita": "fees",
    "percent_of": "fees",
    "fixed": "fees",
    "installments": "fees",
    "profit_cap": "risk",
    "return_cap": "risk",
    "loss_split": "risk",
    "rolling_surplus": "risk",
    "score_tiers": "assessment",
    "threshold_deduction": "assessment",
    "per_incident": "assessment",
    "condition": "assessment",
    "itemized": "assessment",
    "sum": "settlement",
    "monthly_prorata": "settlement",
    "headcount": "staffing",
    "person_rules": "staffing",
}


@attrs.frozen
class ModelRef:
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
