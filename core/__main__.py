"""``python -m yibao``: the same as the ``yibao`` command."""

from yibao.cli import main

main()
