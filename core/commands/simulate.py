"""``yibao simulate``: risk simulation of a contract over drawn scenarios."""

from __future__ import annotations

from pathlib import Path

import click

from .. import api
from ..errors import InputError
from ._common import contract_option, emit, facts_source, format_option, load_contract, load_facts


def _check_out(path: Path | None, option: str, suffixes: tuple[str, ...], inputs: list[str]) -> None:
    if path is None:
        return
    if path.suffix.lower() not in suffixes:
        raise InputError.one("command line", option, f"expected a file ending in {' or '.join(suffixes)}, got {str(path)!r}")
    if any(i != "-" and Path(i).exists() and path.exists() and path.resolve() == Path(i).resolve() for i in inputs):
        raise InputError.one("command line", option, f"{path} is an input; choose another file")
    if not path.parent.exists():
        raise InputError.one("command line", option, f"no such directory {str(path.parent)!r}")


@click.command("simulate")
@click.argument("city")
@click.option("--facts", "facts", help="Facts TOML: the centre of the scenarios ('-' reads stdin). Default: the bundled example.")
@contract_option
@click.option("--scenarios", "-n", type=click.IntRange(1), default=10000, show_default=True, help="Number of scenarios.")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True, help="Random seed: the same seed gives the same scenarios.")
@click.option("--vary", "vary", multiple=True, metavar="KEY=DIST", help="Draw a fact per scenario, e.g. regions[0].payouts=lognormal(cv=0.1), score=triangular(70,88,100), payouts=bootstrap:claims.parquet (repeatable; docs/simulate.md).")
@click.option("--years", type=click.IntRange(1), default=1, show_default=True, help="Consecutive periods per scenario, carrying state as the contract's [[carry]] says (淮阳: 滚存结余).")
@click.option("--reading", "readings", multiple=True, metavar="ID=CHOICE", help="Switch an interpretation for this run.")
@click.option("--readings", "all_readings", type=click.Choice(["all"]), help="'all': also every alternative reading on the same scenarios — the change of each item's expected value.")
@click.option("--dump", type=click.Path(dir_okay=False, path_type=Path), help="Write one row per scenario to FILE.parquet: drawn facts by key path, items as <key> or <key>@<scope>, amounts to the 分.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Histogram of the insurer's result to FILE.png or FILE.svg: cap, break-even and P(loss) marked.")
@click.option("--scalar", is_flag=True, help="Compute every scenario through compute (the Decimal path), not the vectorised models.")
@format_option
@click.pass_context
def cmd(
    ctx: click.Context,
    city: str,
    facts: str | None,
    contract_file: Path | None,
    scenarios: int,
    seed: int,
    vary: tuple[str, ...],
    years: int,
    readings: tuple[str, ...],
    all_readings: str | None,
    dump: Path | None,
    plot: Path | None,
    scalar: bool,
    fmt: str | None,
) -> None:
    """Simulate a contract over many drawn periods: the distribution of
    every money item, the insurer's result and its risk.

    Each --vary draws a fact per scenario (numpy's random Generator; the
    same --seed gives the same scenarios). Every scenario is computed
    exactly, to the 分, as compute would compute it. Per item: mean,
    standard deviation, percentiles 1/5/50/95/99, P(amount > 0); for the
    insurer's result ([simulate] in the contract TOML): P(loss), VaR99,
    TVaR99; 95% confidence intervals. Needs the [simulate] extra
    (pip install 'yibao[simulate]').

    \b
    Examples:
      yibao simulate xinxiang --scenarios 100000 --seed 1 --vary 'regions[0].payouts=lognormal(cv=0.1)'
      yibao simulate xinxiang -n 100000 --vary 'regions[0].payouts=lognormal(cv=0.1)' --vary 'score=triangular(70,88,100)' --plot xinxiang.png
      yibao simulate huaiyang --years 3 -n 50000 --vary 'payouts=lognormal(cv=0.12)'
      yibao simulate huaian --reading assessment_method=score_proportional --vary 'score=triangular(60,90,100)'
      yibao simulate xinxiang --vary 'score=uniform(60,100)' --readings all --format json
      yibao simulate xinxiang --vary 'regions[0].payouts=bootstrap:claims.parquet' --dump scenarios.parquet
    """
    c = load_contract(ctx, city, contract_file, readings)
    file = facts or str(api.example_facts(c))
    inputs = [file]
    _check_out(dump, "--dump", (".parquet",), inputs)
    _check_out(plot, "--plot", (".png", ".svg"), inputs)
    loaded = load_facts(c, file)
    try:
        sim = api.simulate(
            c,
            loaded,
            scenarios=scenarios,
            seed=seed,
            vary=vary,
            years=years,
            readings=all_readings == "all",
            facts_file=None if file == "-" else file,
            dump=dump,
            force_scalar=scalar,
        )
    except ModuleNotFoundError as exc:
        raise InputError.one("command line", "simulate", f"needs {exc.name}: pip install 'yibao[simulate]'") from None
    from ..simulate.report import plot as draw  # noqa: PLC0415
    from ..simulate.report import render

    if plot is not None:
        draw(sim, plot)
    from ..i18n import tr_message  # noqa: PLC0415 - the messages of a reading not computed

    doc = sim.to_dict(tr_message)
    doc["inputs"] = {"facts": facts_source(file, bundled=facts is None)}
    emit(doc, fmt, lambda: render(sim, tr_message))
