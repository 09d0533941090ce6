"""The ``yibao`` commands, one module per verb.

Each module defines ``cmd``, a :class:`click.Command`; :mod:`yibao.cli` maps
the command names to ``"yibao.commands.<module>:cmd"`` and imports a module
only when its command runs (or its ``--help`` is asked for), so ``yibao
compute`` pays for nothing the other verbs need. Helpers the commands share
are in :mod:`yibao.commands._common`.
"""
