"""A one-off contract built from a TOML snippet, for unit tests of the
standard models and engine features through the real loader and engine.

The helpers are :mod:`yibao.testing`'s (also the ``toy_contract`` fixture);
``toy_contract(tmp_path, body, facts_class)`` keeps the tests' spelling.
"""

from __future__ import annotations

from yibao.testing import load_toy_contract as toy_contract
from yibao.testing import toy_registry

__all__ = ["toy_contract", "toy_registry"]
