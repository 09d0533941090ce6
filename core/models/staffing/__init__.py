"""The staffing family: the roster against the contract's duties.

Head-count minimums by site and role, and per-person qualification rules
(stage ``staffing``). Findings name a roster ``id``, never a person.

One module per model, imported only when a contract names the model
(:data:`yibao.models.STANDARD`): a contract pays at start-up for the
models it uses, not for the whole family.
"""
