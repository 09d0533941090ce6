"""Risk simulation of a contract: what it does over many possible periods.

``yibao simulate CITY --facts F --scenarios N --seed S --vary KEY=DIST``
draws the varied facts per scenario (:mod:`.dist`), computes every scenario
exactly — through the vectorised form of each standard model
(:mod:`.vector`, integers in 分 with the Decimal path's half-up rounding,
:mod:`.fixedpoint`), or through ``compute`` when a model has none — and
summarises each money item, the insurer's result (the contract's
``[simulate]`` table), the findings and, over ``--years``, the carried
state (:mod:`.run`, :mod:`.stats`).

numpy (and pyarrow for ``--dump`` and ``bootstrap:``, matplotlib for
``--plot``) are the ``[simulate]`` extra; nothing here is imported by
``compute``.
"""

from __future__ import annotations

from .run import BLOCK, SimSpec, Simulation, simulate, with_values

__all__ = ["BLOCK", "SimSpec", "Simulation", "simulate", "with_values"]
