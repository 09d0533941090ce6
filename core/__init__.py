"""yibao: compute and check the contracts under which medical security
bureaus outsource fund management and administration to insurers.

The public API is :mod:`yibao.api`; the hook specifications are in
:mod:`yibao.hookspecs`. Importing this package loads no plugin.
"""

__version__ = "0.1.0"
