"""The settlement family: the net amounts due, built from the figures above.

Sums with a floor, and a price paid by the month up to a stop date (stage
``settlement``).

One module per model, imported only when a contract names the model
(:data:`yibao.models.STANDARD`): a contract pays at start-up for the
models it uses, not for the whole family.
"""
