"""The bundled city plugins: one package per contract.

``BUILTIN`` lists them, contract name -> module. The registry reads this
mapping without importing the cities, and imports a city's module only when
one of its contracts is needed (or all of them, to list them): computing one
city never pays for the others. A bundled city is an ordinary hookimpl
module, registered the same way as a ``yibao-<city>`` distribution; adding one
is a folder here, a line below and a line in ``pyproject.toml``'s packages.
"""

BUILTIN: dict[str, str] = {
    "xinxiang": "yibao.plugins.xinxiang",
    "luoyang": "yibao.plugins.luoyang",
    "huaiyang": "yibao.plugins.huaiyang",
    "xianyang": "yibao.plugins.xianyang",
    "huaian": "yibao.plugins.huaian",
}
