"""The hook specifications of yibao: the markers and the specs, nothing else.

A contract is computed in five stages, each one hook, always in this order:

1. ``yibao_compute_fees``      what the bureau pays the insurer, and when
2. ``yibao_share_risk``        how a surplus or a deficit of the fund is split
3. ``yibao_assess_payout``     scores, audit rates and incidents -> deductions
4. ``yibao_settle_payment``    the net amounts due, from the figures above
5. ``yibao_check_staffing``    the staff roster against the contract's duties

A plugin that provides contracts (through ``yibao_register_contracts``) has its
stage hooks called only for its own contracts, so no hook implementation ever
asks "is this contract mine?". A plugin that provides no contract is
cross-cutting: its stage hooks run for every contract (the core's standard
models are such a plugin).

Stage hooks add what they compute to the ``ledger`` they receive and return
nothing: a later stage reads the earlier ones' figures from the same ledger.
"""

from __future__ import annotations

from typing import Any

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("yibao")
hookimpl = HookimplMarker("yibao")


@hookspec
def yibao_register_contracts(register: Any) -> None:
    """Declare the contracts a plugin provides.

    Called once, when the registry is built, before any contract is loaded.

    :param register: call ``register(ContractSpec(...))`` once per contract; the
        registry checks the spec and rejects a name that another plugin already
        registered, naming both plugins.
    :return: nothing.
    """


@hookspec
def yibao_register_models(register: Any) -> None:
    """Declare standard models that contract TOML can choose by name.

    Called once, when the registry is built, before any contract TOML is read.
    ``model = "profit_cap"`` in a contract's ``[[steps]]`` selects the class
    registered under that name.

    :param register: call ``register(ModelClass)`` with a subclass of
        :class:`yibao.models.Model`, or ``register(ModelRef(name, module))``
        (:class:`yibao.models.ModelRef`) to have ``module`` imported only when
        a contract first names the model — the core registers its standard
        models that way; a name registered twice is rejected with a message
        naming both.
    :return: nothing.
    """


@hookspec
def yibao_compute_fees(contract: Any, facts: Any, ledger: Any) -> None:
    """Stage 1: the fees family — what the bureau pays the insurer.

    Called first for every computation: per-capita fees, fixed prices,
    installments, funding totals and the figures they are derived from.

    :param contract: the loaded :class:`yibao.contract.Contract` being computed.
    :param facts: the period's facts, an attrs instance of the contract's facts class.
    :param ledger: the :class:`yibao.results.Ledger`; add items with ``ledger.item``,
        findings with ``ledger.finding``.
    :return: nothing; results go into the ledger.
    """


@hookspec
def yibao_share_risk(contract: Any, facts: Any, ledger: Any) -> None:
    """Stage 2: the risk-sharing family — surplus and deficit of the fund.

    Called after every fee is in the ledger: profit caps, return caps, loss
    splits, rolling surpluses. A contract under which the insurer bears no fund
    risk says so here with a finding of severity ``info`` citing its clause.

    :param contract: the loaded contract being computed.
    :param facts: the period's facts.
    :param ledger: the ledger holding the fees of stage 1.
    :return: nothing; results go into the ledger.
    """


@hookspec
def yibao_assess_payout(contract: Any, facts: Any, ledger: Any) -> None:
    """Stage 3: the assessment family — scores, audit results and incidents.

    Called after risk sharing: score tiers that cut a profit return, audit-rate
    thresholds and per-incident deductions, with the findings they trigger
    (re-review, rectification ordered).

    :param contract: the loaded contract being computed.
    :param facts: the period's facts.
    :param ledger: the ledger holding stages 1 and 2.
    :return: nothing; results go into the ledger.
    """


@hookspec
def yibao_settle_payment(contract: Any, facts: Any, ledger: Any) -> None:
    """Stage 4: settlement — the net amounts due, built from the stages above.

    Called after assessment: a quarter's payable after deductions, a year-end
    true-up against the advances, a termination settlement.

    :param contract: the loaded contract being computed.
    :param facts: the period's facts.
    :param ledger: the ledger holding stages 1 to 3.
    :return: nothing; results go into the ledger.
    """


@hookspec
def yibao_check_staffing(contract: Any, facts: Any, roster: Any, ledger: Any) -> None:
    """Stage 5: staffing checks — the roster against the contract's duties.

    Called last, and only when a roster was given (facts key ``roster`` or
    ``--roster``): head-count minimums by site and role, per-person
    qualification rules. Each shortfall is a finding of severity ``violation``
    that names a roster ``id``, never a person's name.

    :param contract: the loaded contract being computed.
    :param facts: the period's facts.
    :param roster: a tuple of :class:`yibao.roster.StaffMember`.
    :param ledger: the ledger, for findings.
    :return: nothing; findings go into the ledger.
    """


@hookspec
def yibao_validate_contract(contract: Any, facts: Any, ledger: Any) -> None:
    """Check a contract's own stated arithmetic, without computing a period.

    Called by ``yibao validate`` (never by ``compute``): a stated total that its parts do not
    reproduce, a 大写 amount that differs from its figure, a stated figure that
    the facts contradict. Each problem is a finding of severity ``warning``: the
    text disagrees with itself or with the facts, and no party has breached a duty.

    :param contract: the loaded contract.
    :param facts: the period's facts, or ``None`` when none were given.
    :param ledger: the ledger, for findings.
    :return: nothing; findings go into the ledger.
    """


@hookspec
def yibao_register_commands(cli: Any) -> None:
    """Add subcommands to the ``yibao`` command line.

    Called only when the command line names a command that is not a built-in
    one, or lists the commands (``yibao --help``, shell completion): running a
    built-in command such as ``yibao compute`` never calls it. Each plugin's
    implementation is called on its own, inside its own ``try``: one that
    raises is named in one warning line and adds no command, and every other
    command keeps working. A command whose name is a built-in one, or that
    another plugin already added, is left out with a warning naming it.

    :param cli: a :class:`click.Group` of this plugin's own; add commands to
        it with ``@cli.command()`` or ``cli.add_command(cmd)``, and they become
        ``yibao <name>``. Use :mod:`yibao.api` in their bodies, as the
        built-in commands do.
    :return: nothing.
    """
