"""The fees family: what the bureau pays the insurer, and when.

Per-capita fees, shares of another figure, stated amounts and totals paid in
installments (stage ``fees``).

One module per model, imported only when a contract names the model
(:data:`yibao.models.STANDARD`): a contract pays at start-up for the
models it uses, not for the whole family.
"""
