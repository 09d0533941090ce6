"""The assessment family: scores, audit rates and incidents -> deductions.

Score tiers, threshold deductions, per-incident and itemized deductions, and
a condition that only raises a finding (stage ``assessment``).

One module per model, imported only when a contract names the model
(:data:`yibao.models.STANDARD`): a contract pays at start-up for the
models it uses, not for the whole family.
"""
