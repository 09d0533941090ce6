"""The risk-sharing family: how a surplus or a deficit of the fund is split.

Profit caps, return caps, loss splits and a rolling surplus (stage ``risk``).

One module per model, imported only when a contract names the model
(:data:`yibao.models.STANDARD`): a contract pays at start-up for the
models it uses, not for the whole family.
"""
