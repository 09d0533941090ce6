"""The registry: one factory that builds a fresh plugin manager.

Nothing is loaded at import time. :func:`make_registry` registers, in order,
the core's own plugins (``DEFAULT_PLUGINS``: the engine, which runs the
standard models), the bundled cities (``yibao.plugins.BUILTIN``: contract
name -> module, each an ordinary hookimpl module), the
distributions of the ``yibao`` entry-point group (``yibao-<city>``), and the
modules of local plugin directories (``--plugins-dir`` / ``YIBAO_PLUGINS_DIR``);
then it calls ``check_pending()``. Each plugin is loaded inside its own
``try``: one that fails to import, registers a misspelled hook or registers
an invalid contract is recorded with its entry point, distribution, version
and cause, and every other city keeps working.

Bundled cities are imported lazily: their contract names are known without
importing them, so computing one city imports that city's module only, while
listing (``contracts``, ``describe``) imports them all. Entry-point and
directory plugins are always imported, so a name they register twice is
still caught, against each other and against the bundled names.

Environment: ``YIBAO_LOAD_PLUGINS`` — comma-separated allowlist of
entry-point plugins (set but empty: none; built-ins and explicitly named
plugin directories are not affected); ``YIBAO_DISABLED_PLUGINS`` — comma-separated
plugin names to block (built-ins included), applied with ``set_blocked``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pluggy

from . import cache, hookspecs
from .errors import PluginError, PluginFailure, YibaoError
from .models import Model, ModelRef, resolve
from .spec import ContractSpec
from .values import Value

#: the core's own plugins, always registered
DEFAULT_PLUGINS: tuple[str, ...] = ("yibao.engine",)
#: the package whose ``BUILTIN`` mapping lists the bundled cities
BUILTIN_PACKAGE = "yibao.plugins"


def builtin_cities() -> dict[str, str]:
    """Bundled contract name -> the module that provides it (not imported)."""
    return dict(getattr(importlib.import_module(BUILTIN_PACKAGE), "BUILTIN", {}))


@attrs.frozen(eq=False, repr=False, slots=False)
class LoadFailure(Value):
    """A plugin that could not be loaded, and why."""

    name: str
    source: str
    distribution: str | None
    version: str | None
    cause: str

    def __str__(self) -> str:
        dist = f" from {self.distribution} {self.version or ''}".rstrip() if self.distribution else ""
        return f"plugin {self.name!r} ({self.source}{dist}) not loaded: {self.cause}"


class Registry:
    """A plugin manager with the contracts and models its plugins registered."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self._contracts: dict[str, ContractSpec] = {}
        #: model name -> its class, or a reference whose module is imported on first use
        self.models: dict[str, type[Model] | ModelRef] = {}
        self.failures: list[LoadFailure] = []
        self.owners: dict[str, object] = {}
        self.origins: dict[str, tuple[str, str | None, str | None]] = {}
        self._callers: dict[tuple[int, str], Any] = {}
        #: bundled contract name -> module, for the cities not imported yet
        self.pending: dict[str, str] = {}
        #: plugins owning no contract whose hook raised: left out from then on
        self.left_out: dict[str, object] = {}
        #: plugin names blocked by YIBAO_DISABLED_PLUGINS, and the bundled
        #: contracts they would have provided
        self.disabled: set[str] = set()
        self.disabled_contracts: dict[str, str] = {}

    @property
    def contracts(self) -> dict[str, ContractSpec]:
        """Every contract, by name (imports every bundled city not imported yet)."""
        for name in list(self.pending):
            self._load_pending(name)
        return self._contracts

    def names(self) -> list[str]:
        """Every contract name, without importing a bundled city."""
        return sorted({*self._contracts, *self.pending})

    def spec(self, name: str) -> ContractSpec | None:
        """The contract registered under ``name``, importing only the bundled
        city that provides it; ``None`` when no plugin provides it."""
        if name in self.pending:
            self._load_pending(name)
        return self._contracts.get(name)

    def _load_pending(self, name: str) -> None:
        module = self.pending.pop(name)
        for other in [n for n, m in self.pending.items() if m == module]:
            del self.pending[other]
        short = module.rsplit(".", 1)[-1]
        before = set(self.pm.get_plugins())
        _try_register(self, short, functools.partial(importlib.import_module, module), ("builtin", "yibao", None))
        new = [p for p in self.pm.get_plugins() if p not in before]
        if new:
            _check_pending(self)
            _collect_models(self, new)
            _collect_contracts(self, new)
        self._callers.clear()  # a new plugin changes which others a caller leaves out

    def model(self, name: str) -> type[Model]:
        """The model class registered under ``name`` (its module imported now).

        :raises KeyError: no model of that name.
        :raises PluginError: the reference does not lead to a model of that name.
        """
        registered = self.models[name]
        if isinstance(registered, type):
            return registered
        try:
            cls = resolve(registered)
        except Exception as exc:
            raise PluginError(f"model {name!r} ({registered.module}) cannot be loaded: {type(exc).__name__}: {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, Model)) or cls.name != name:
            raise PluginError(f"model {name!r} ({registered.module}) is not a Model named {name!r}")
        self.models[name] = cls
        return cls

    def hook(self, contract_name: str, hook_name: str) -> Any:
        """The hook caller that runs ``hook_name`` for one contract: the
        plugin that owns it plus every plugin that owns no contract."""
        owner = self.owners[contract_name]
        key = (id(owner), hook_name)
        caller = self._callers.get(key)
        if caller is None:
            owners = {id(p): p for p in [*self.owners.values(), *self.left_out.values()]}
            others = [p for i, p in owners.items() if i != id(owner)]
            caller = self.pm.subset_hook_caller(hook_name, remove_plugins=others)
            self._callers[key] = caller
        return caller

    def call(self, contract_name: str, hook_name: str, **kwargs: Any) -> Any:
        """Run ``hook_name`` for one contract (:meth:`hook`), a failure
        contained and named: a hook raising anything but a
        :class:`~yibao.errors.YibaoError` is a :class:`PluginFailure` naming
        the plugin whose hook raised — unless that plugin owns no contract
        and is not yibao's own (a cross-cutting third-party plugin): it is
        then left out of every later call, recorded in :attr:`failures`,
        and :class:`PluginLeftOut` tells the caller to start the
        computation again without it, so one such plugin cannot break
        every city. An error of yibao's own code propagates as it is.
        """
        caller = self.hook(contract_name, hook_name)
        try:
            return caller(**kwargs)
        except YibaoError:
            raise
        except Exception as exc:
            plugin = _raiser(caller, exc)
            if plugin is None:
                raise
            name = self.plugin_name(plugin)
            source, dist, version = self.origins.get(name, ("builtin", "yibao", None))
            if source == "builtin" and not any(p is plugin for p in self.owners.values()):
                raise  # the engine: yibao's own code, named by the command as an internal error
            if not any(p is plugin for p in self.owners.values()) and source != "builtin":
                self.left_out[name] = plugin
                self._callers.clear()
                cause = f"left out after its {hook_name} raised {type(exc).__name__}: {exc}"
                self.failures.append(LoadFailure(name, source, dist, version, cause[:300]))
                raise PluginLeftOut(name) from exc
            raise PluginFailure(name, hook_name, exc) from exc

    def plugin_name(self, plugin: object) -> str:
        return self.pm.get_name(plugin) or repr(plugin)

    def describe(self) -> list[dict[str, Any]]:
        """Each plugin: name, version, hooks, contracts (``yibao plugins``)."""
        self.contracts  # noqa: B018 - every bundled city, imported to be listed
        out = []
        for name, plugin in sorted(self.pm.list_name_plugin(), key=lambda x: x[0]):
            if plugin is None:
                continue
            hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
            source, dist, version = self.origins.get(name, ("builtin", "yibao", None))
            if source == "builtin":
                version = _version("yibao")
            out.append(
                {
                    "name": name,
                    "source": source,
                    "distribution": dist,
                    "version": version,
                    "hooks": hooks,
                    "contracts": sorted(c for c, p in self.owners.items() if p is plugin),
                }
            )
        return out


class PluginLeftOut(Exception):
    """Raised by :meth:`Registry.call` when a plugin owning no contract failed
    and was left out: the computation is to be started again."""


def _raiser(caller: Any, exc: BaseException) -> object | None:
    """The plugin whose hook implementation ``exc`` came out of: the
    outermost traceback frame that runs one of ``caller``'s implementations."""
    impls: dict[Any, object] = {}
    for impl in caller.get_hookimpls():
        fn = getattr(impl.function, "__func__", impl.function)
        code = getattr(fn, "__code__", None)
        if code is not None:
            impls[code] = impl.plugin
    tb = exc.__traceback__
    while tb is not None:
        found = impls.get(tb.tb_frame.f_code)
        if found is not None:
            return found
        tb = tb.tb_next
    return None


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _names(env_value: str | None) -> set[str] | None:
    if env_value is None:
        return None
    return {n.strip() for n in env_value.split(",") if n.strip()}


def make_registry(
    *,
    load_entrypoints: bool = True,
    plugins_dirs: Sequence[str | Path] = (),
    extra_plugins: Iterable[tuple[str, object]] = (),
    env: Mapping[str, str] | None = None,
    default_plugins: Sequence[str] = DEFAULT_PLUGINS,
    builtins: bool = True,
) -> Registry:
    """Build a fresh registry: defaults, entry points, plugin dirs, extras.

    :param extra_plugins: ``(name, module_or_object)`` registered last (tests
        use it for throwaway plugins).
    :param builtins: list the bundled cities (imported when first needed).
    """
    env = os.environ if env is None else env
    pm = pluggy.PluginManager("yibao")
    pm.add_hookspecs(hookspecs)
    reg = Registry(pm)
    disabled = _names(env.get("YIBAO_DISABLED_PLUGINS")) or set()
    allowed = _names(env.get("YIBAO_LOAD_PLUGINS"))
    for name in disabled:
        pm.set_blocked(name)

    for modname in default_plugins:
        short = modname.rsplit(".", 1)[-1]
        if short in disabled:
            continue
        _try_register(reg, short, functools.partial(importlib.import_module, modname), ("builtin", "yibao", None))
    reg.disabled = set(disabled)
    if builtins:
        for contract_name, modname in builtin_cities().items():
            if modname.rsplit(".", 1)[-1] not in disabled:
                reg.pending[contract_name] = modname
            else:
                reg.disabled_contracts[contract_name] = modname.rsplit(".", 1)[-1]

    if load_entrypoints and _entry_points_declared():
        from importlib.metadata import entry_points  # noqa: PLC0415

        for ep in entry_points(group="yibao"):
            if ep.name in disabled or (allowed is not None and ep.name not in allowed):
                continue
            dist = getattr(ep, "dist", None)
            origin = (f"entry point {ep.name} = {ep.value}", dist.name if dist else None, dist.version if dist else None)
            _try_register(reg, ep.name, ep.load, origin)

    dirs = list(plugins_dirs)
    if env.get("YIBAO_PLUGINS_DIR"):
        dirs += env["YIBAO_PLUGINS_DIR"].split(os.pathsep)
    for d in dirs:
        for name, loader, where in _dir_plugins(Path(d)):
            if name in disabled:  # an explicit directory needs no allowlist
                continue
            _try_register(reg, name, loader, (f"plugins dir {where}", None, None))

    for name, obj in extra_plugins:
        _try_register(reg, name, functools.partial(_identity, obj), ("extra", None, None))

    _check_pending(reg)
    plugins = [p for _, p in reg.pm.list_name_plugin() if p is not None]
    _collect_models(reg, plugins)
    _collect_contracts(reg, plugins)
    return reg


def _identity(obj: object) -> object:
    return obj


def _entry_points_declared() -> bool:
    """Does any installed distribution on ``sys.path`` declare a ``[yibao]``
    entry-point group? Answered by reading the ``entry_points.txt`` files of
    the installed distributions (not ``importlib.metadata``, ≈ 15 ms), and
    remembered in the cache directory (:mod:`yibao.cache`) under the
    modification times of the ``sys.path`` folders: installing or removing a
    distribution changes its folder, so the answer is never stale."""
    stamps = []
    for entry in sys.path:
        try:
            stamps.append(f"{entry}:{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            stamps.append(f"{entry}:-")
    key = cache.digest("entry-points", *stamps)
    known = cache.get(key)
    if isinstance(known, bool):
        return known
    found = _scan_entry_points()
    cache.put(key, found)
    return found


def _scan_entry_points() -> bool:
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                dists = [e.path for e in it if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
        for d in dists:
            try:
                with open(os.path.join(d, "entry_points.txt"), encoding="utf-8") as fh:
                    if any(line.strip() == "[yibao]" for line in fh):
                        return True
            except OSError:
                continue
    return False


def _try_register(reg: Registry, name: str, load: Callable[[], Any], origin: tuple[str, str | None, str | None]) -> None:
    source, dist, version = origin
    try:
        plugin = load()
        if reg.pm.is_registered(plugin):
            return
        reg.pm.register(plugin, name=name)
    except (Exception, SystemExit) as exc:  # any failure of a plugin must not stop the others, not even sys.exit()
        reg.failures.append(LoadFailure(name, source, dist, version, f"{type(exc).__name__}: {exc}"))
        return
    reg.origins[name] = origin


def _dir_plugins(d: Path) -> list[tuple[str, Callable[[], ModuleType], str]]:
    """Modules in a local plugins directory: ``*.py`` files and packages."""
    out: list[tuple[str, Callable[[], ModuleType], str]] = []
    if not d.is_dir():
        return out
    for entry in sorted(d.iterdir()):
        if entry.name.startswith(("_", ".")):
            continue
        if entry.suffix == ".py":
            out.append((entry.stem, functools.partial(_load_file, entry.stem, entry, None), str(entry)))
        elif (entry / "__init__.py").is_file():
            out.append((entry.name, functools.partial(_load_file, entry.name, entry / "__init__.py", [str(entry)]), str(entry)))
    return out


def _load_file(name: str, path: Path, search: list[str] | None) -> ModuleType:
    modname = f"yibao_local_plugins.{name}"
    spec = importlib.util.spec_from_file_location(modname, path, submodule_search_locations=search)
    if spec is None or spec.loader is None:
        raise PluginError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(modname, None)
        raise
    return module


def _check_pending(reg: Registry) -> None:
    """pluggy's check_pending, one plugin at a time: a plugin implementing a
    hook that does not exist (a typo) is unregistered and recorded."""
    while True:
        try:
            reg.pm.check_pending()
            return
        except pluggy.PluginValidationError as exc:
            plugin = exc.plugin
            name = reg.plugin_name(plugin)
            source, dist, version = reg.origins.get(name, ("builtin", "yibao", None))
            reg.pm.unregister(plugin)
            reg.origins.pop(name, None)
            reg.failures.append(LoadFailure(name, source, dist, version, str(exc)))


def _per_plugin(
    reg: Registry, plugins: Sequence[object], hook_name: str, make_register: Callable[[object], Callable[[Any], None]]
) -> None:
    """Call a registration hook plugin by plugin, each inside its own try."""
    for plugin in plugins:
        name = reg.plugin_name(plugin)
        if not reg.pm.is_registered(plugin) or not hasattr(plugin, hook_name):
            continue
        others = [p for _, p in reg.pm.list_name_plugin() if p is not None and p is not plugin]
        caller = reg.pm.subset_hook_caller(hook_name, remove_plugins=others)
        try:
            caller(register=make_register(plugin))
        except (Exception, SystemExit) as exc:
            source, dist, version = reg.origins.get(name, ("builtin", "yibao", None))
            reg.failures.append(LoadFailure(name, source, dist, version, f"{type(exc).__name__}: {exc}"))
            for c in [c for c, p in reg.owners.items() if p is plugin]:
                del reg.owners[c]
                reg._contracts.pop(c, None)


def _where(model: type[Model] | ModelRef) -> str:
    if isinstance(model, ModelRef):
        return model.module
    return f"{model.__module__}.{model.__qualname__}"


def _collect_models(reg: Registry, plugins: Sequence[object]) -> None:
    def make_register(plugin: object) -> Callable[[Any], None]:
        def register(model: Any) -> None:
            name: str | None
            if isinstance(model, ModelRef):
                name = model.name
            elif isinstance(model, type) and issubclass(model, Model):
                name = getattr(model, "name", None)
                if not name:
                    raise PluginError(f"model {model.__qualname__} has no name")
            else:
                raise PluginError(f"register() expects a Model subclass or a ModelRef, got {model!r}")
            if name in reg.models and reg.models[name] != model:
                raise PluginError(f"model name {name!r} registered twice: {_where(reg.models[name])} and {_where(model)}")
            reg.models[name] = model

        return register

    _per_plugin(reg, plugins, "yibao_register_models", make_register)


def _collect_contracts(reg: Registry, plugins: Sequence[object]) -> None:
    def make_register(plugin: object) -> Callable[[Any], None]:
        def register(spec: Any) -> None:
            if not isinstance(spec, ContractSpec):
                raise PluginError(f"register() expects a ContractSpec, got {spec!r}")
            if spec.name in reg._contracts or spec.name in reg.pending:
                other = reg.plugin_name(reg.owners[spec.name]) if spec.name in reg.owners else reg.pending[spec.name].rsplit(".", 1)[-1]
                raise PluginError(
                    f"contract {spec.name!r} registered twice: by plugin {other!r} and by {reg.plugin_name(plugin)!r}"
                )
            reg._contracts[spec.name] = spec
            reg.owners[spec.name] = plugin

        return register

    _per_plugin(reg, plugins, "yibao_register_contracts", make_register)
