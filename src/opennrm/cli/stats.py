"""``opennrm stats release``, ``opennrm stats budget`` and ``opennrm report`` (GR38 §§109–111)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from opennrm.cli.common import EXIT_INVALID, fail, progress_enabled

EXIT_REFUSED = 3

stats_app = typer.Typer(
    help="Disaggregated statistics published with differential privacy (GR38 §§109–111).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(stats_app, name="stats")
    app.command("report")(report)


def _home(home: Path | None) -> Path:
    if home is not None:
        return home.expanduser()
    from opennrm.config import Settings

    return Settings.from_env().home


@contextlib.contextmanager
def _status(message: str) -> Iterator[Callable[[str], None]]:
    """A spinner with the current step on stderr (only on a terminal)."""
    if not progress_enabled():
        yield lambda _msg: None
        return
    console = Console(stderr=True)
    with console.status(message) as status:
        yield lambda msg: status.update(msg)


def _check_out_dir(out: Path, name: str, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a folder")
    if (out / name).exists() and not overwrite:
        fail(f"{out / name} exists; choose another --out folder or pass --overwrite")


def _read_ctdc(path: Path):  # type: ignore[no-untyped-def]
    from opennrm.stats.ctdc import CtdcFormatError, read_ctdc

    if not path.is_file():
        fail(f"no such file: {path}")
    try:
        data = read_ctdc(path)
    except CtdcFormatError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}", 1)
    if data.problems:
        first = "; ".join(str(p) for p in data.problems[:3])
        typer.echo(f"opennrm: {data.rows_left_out} row(s) did not fit and were left out: {first}", err=True)
    if data.frame.size == 0:
        fail(f"{path}: no usable rows")
    return data


@dataclass(frozen=True)
class _Source:
    """What a release is made from: counted persons categorised on public dimensions."""

    label: str
    frame: Any
    tables: Any
    release_dimensions: tuple[str, ...]
    years: tuple[int, ...] = ()


def _ctdc_source(ctdc: Path) -> _Source:
    from opennrm.stats import ctdc as ctdc_format

    data = _read_ctdc(ctdc)
    return _Source(
        f"CTDC synthetic file {ctdc.name}",
        data.frame,
        ctdc_format.DEFAULT_TABLES,
        tuple(ctdc_format.RELEASE_DIMENSIONS),
    )


def _database_source(home_country: str | None, home: Path | None) -> _Source:
    from opennrm.cli.common import database
    from opennrm.services.statistics import classification_in_home, database_statistics

    try:
        classification = classification_in_home(_home(home))
    except ValueError as exc:
        fail(str(exc))
    with database() as db:
        made = database_statistics(db, home_country, classification)
    if made.counted.counted == 0:
        fail(
            "no person in the database can be counted (none recorded as a victim with consent to statistics)"
        )
    return _Source(
        "case records of this installation",
        made.frame,
        made.tables,
        tuple(made.frame.dimensions),
        tuple(made.years),
    )


def _make_release(
    given: Path | _Source,
    epsilon: float,
    out: Path,
    controller: str,
    home: Path | None,
    year: int | None,
    strategy: str,
    estimator: str = "bayes",
) -> tuple[object, object]:
    """Charge the ledger, make the release, write release.csv/json. Returns (release, frame)."""
    from opennrm.stats.ledger import BudgetExceeded, JsonLinesLedger, LedgerError, as_epsilon, new_release_id
    from opennrm.stats.published import dimensions_to_json
    from opennrm.stats.release import MAX_EPSILON, MIN_EPSILON, ReleaseError, plan_release, release_tables
    from opennrm.stats.release import write_release as write

    if not MIN_EPSILON <= epsilon <= MAX_EPSILON:
        fail(f"--epsilon must be between {MIN_EPSILON} and {MAX_EPSILON}")
    if not controller.strip():
        fail("--controller is empty")
    source = given if isinstance(given, _Source) else _ctdc_source(given)
    charge_years = list(source.years) or [year or dt.datetime.now(dt.UTC).year]
    charge_year = charge_years[-1]
    frame = source.frame
    tables = source.tables
    try:
        plan_release(frame.dimensions, tables, epsilon)  # refuse a bad plan before spending anything
    except ReleaseError as exc:
        fail(str(exc))
    try:
        out.mkdir(parents=True, exist_ok=True)  # fail on an unwritable folder before spending budget
    except OSError as exc:
        fail(f"cannot create --out {out}: {exc.strerror or exc}")
    ledger = JsonLinesLedger.in_home(_home(home))
    release_id = new_release_id()
    try:
        ledger.charge(
            controller, charge_years, as_epsilon(epsilon), release_id, f"stats release of {source.label}"
        )
    except BudgetExceeded as exc:
        fail(str(exc), EXIT_REFUSED)
    except (LedgerError, OSError) as exc:
        fail(f"privacy ledger: {exc}", 1)
    with _status("Releasing with differential privacy") as step:
        release = release_tables(
            frame, tables, epsilon, strategy=strategy, estimator=estimator, progress=step
        )
    write(
        release,
        out,
        source=source.label,
        controller=controller,
        ledger={"release_id": release_id, "years": charge_years, "file": str(ledger.path)},
        # nothing exact about the data goes in release.json (no row or person counts): the categories
        # are the configured ones, the same whatever the data
        dimensions=dimensions_to_json({n: frame.dimensions[n] for n in source.release_dimensions}),
    )
    spent, cap = ledger.spent(controller, charge_year), ledger.cap(controller, charge_year)
    typer.echo(
        f"Released {len(release.plan.tables)} tables ({len(release.cells)} cells) at ε = {epsilon:g} to"
        f" {out / 'release.csv'}. Budget of {controller!r} for {charge_year}: {spent} of {cap} spent."
    )
    return release, frame


@stats_app.command("release")
def release(
    epsilon: float = typer.Option(..., "--epsilon", help="Privacy loss of this release (0.01–20; see docs)."),
    out: Path = typer.Option(..., "--out", help="Folder for release.csv and release.json."),
    ctdc: Path | None = typer.Option(None, "--ctdc", help="A CTDC synthetic CSV file (shared/data/ctdc)."),
    controller: str = typer.Option("default", "--controller", help="Data controller charged in the ledger."),
    home: Path | None = typer.Option(None, "--home", help="Data directory (default: OPENNRM_HOME)."),
    year: int | None = typer.Option(
        None, "--year", help="Ledger year for a source without years (default: now)."
    ),
    strategy: str = typer.Option("auto", "--strategy", help="auto, per_table or full (see docs)."),
    estimator: str = typer.Option("bayes", "--estimator", help="bayes (more accurate) or linear (see docs)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier release in --out."),
    country: str = typer.Option("", "--country", help="ISO 3166 code of the NRM's country (for 'national')."),
) -> None:
    """Publish tables with differential privacy as release.csv (table, cell, count, ci_low, ci_high).

    From --ctdc FILE: every 1-, 2- and 3-way table of sex, age group, form of exploitation and citizenship.
    Without --ctdc: the installation's own cases, persons counted once with consent to statistics, in the
    GR38 §110 tables by year (charged to the ledger for every year released). Years, regions, ethnic groups
    and nationalities are those of <home>/stats/domains.toml (default: the last ten years, no lists).

    The privacy-budget ledger is charged first; a release that would overspend the controller's budget for
    the year is refused (exit 3) and nothing is written."""
    if strategy not in ("auto", "per_table", "full"):
        fail("--strategy must be auto, per_table or full")
    if estimator not in ("bayes", "linear"):
        fail("--estimator must be bayes or linear")
    _check_out_dir(out, "release.csv", overwrite)
    source = ctdc if ctdc is not None else _database_source(country.strip().upper() or None, home)
    _make_release(source, epsilon, out, controller, home, year, strategy, estimator)


@stats_app.command("budget")
def budget(
    controller: str = typer.Option("default", "--controller", help="Data controller."),
    year: int | None = typer.Option(None, "--year", help="Year (default: this year)."),
    set_cap: float | None = typer.Option(None, "--set", help="Set the controller's ε cap for the year."),
    home: Path | None = typer.Option(None, "--home", help="Data directory (default: OPENNRM_HOME)."),
) -> None:
    """Show (or set) a data controller's privacy budget for a year, and the releases charged to it."""
    from opennrm.stats.ledger import JsonLinesLedger, LedgerError, as_epsilon

    the_year = year or dt.datetime.now(dt.UTC).year
    ledger = JsonLinesLedger.in_home(_home(home))
    try:
        if set_cap is not None:
            try:
                amount = as_epsilon(set_cap)
            except ValueError as exc:
                fail(str(exc))
            ledger.set_cap(controller, the_year, amount, "set with opennrm stats budget")
        entries = [e for e in ledger.entries() if e.controller == controller and e.year == the_year]
        cap, spent = ledger.cap(controller, the_year), ledger.spent(controller, the_year)
    except ValueError as exc:
        fail(str(exc))
    except LedgerError as exc:
        fail(f"privacy ledger: {exc}", 1)
    left = max(cap - spent, Decimal(0))
    typer.echo(f"{controller} {the_year}: cap ε = {cap}, spent {spent}, left {left}")
    for e in entries:
        what = "cap set to" if e.kind == "cap" else "release"
        typer.echo(f"  {e.recorded_at}  {what} {e.epsilon}  {e.release_id}  {e.purpose}")


def report(
    out: Path = typer.Option(..., "--out", help="Folder for report.html and report.pdf."),
    ctdc: Path | None = typer.Option(None, "--ctdc", help="A CTDC synthetic CSV file."),
    release_dir: Path | None = typer.Option(None, "--release", help="A folder written by `stats release`."),
    epsilon: float | None = typer.Option(
        None, "--epsilon", help="With --ctdc: make a DP release first (charged to the ledger)."
    ),
    controller: str = typer.Option("default", "--controller", help="Data controller charged in the ledger."),
    home: Path | None = typer.Option(None, "--home", help="Data directory (default: OPENNRM_HOME)."),
    year: int | None = typer.Option(None, "--year", help="Ledger year for a source without years."),
    population: Path | None = typer.Option(
        None, "--population", help="CSV with year, sex, age_group, population (for SDG 16.2.2 rates)."
    ),
    title: str = typer.Option("Statistics on trafficking in persons", "--title", help="Report title."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace earlier files in --out."),
    nrm: bool | None = typer.Option(
        None,
        "--nrm/--no-nrm",
        help="Include this installation's identification decisions, non-punishment, remedies and justice"
        " aggregates (default: when the installation is set up).",
    ),
) -> None:
    """Write report.html and report.pdf: SDG 16.2.2, charts, disaggregated tables, trends by year and a
    draft CEDAW periodic-report section.

    The periodic-report section also gives the installation's own figures — identification decisions,
    non-punishment, remedies and the justice aggregates — with counts below 11 suppressed (--no-nrm leaves
    them out).

    For publication use --release DIR (figures of an earlier `opennrm stats release`, no new budget) or
    --ctdc FILE --epsilon E (makes the release first). --ctdc FILE alone gives an INTERNAL report of exact
    counts, marked as not for publication."""
    from opennrm.stats import ctdc as ctdc_format
    from opennrm.stats.published import from_exact, from_release, read_release_dir
    from opennrm.stats.report import build_report
    from opennrm.stats.sdg import PopulationFileError, read_population

    if (ctdc is None) == (release_dir is None):
        fail("give one source: --ctdc FILE or --release DIR")
    if epsilon is not None and ctdc is None:
        fail("--epsilon goes with --ctdc (a --release folder is already differentially private)")
    _check_out_dir(out, "report.html", overwrite)
    pop = None
    if population is not None:
        if not population.is_file():
            fail(f"no such file: {population}")
        try:
            pop = read_population(population)
        except (PopulationFileError, UnicodeDecodeError) as exc:
            fail(str(exc))
    if release_dir is not None:
        try:
            stats = read_release_dir(release_dir)
        except (FileNotFoundError, ValueError, KeyError) as exc:
            fail(f"cannot read release {release_dir}: {exc}")
    elif epsilon is not None:
        assert ctdc is not None  # noqa: S101 - checked above
        _check_out_dir(out, "release.csv", overwrite)
        made, frame = _make_release(ctdc, epsilon, out, controller, home, year, "auto")
        dims = {n: frame.dimensions[n] for n in ctdc_format.RELEASE_DIMENSIONS}  # type: ignore[attr-defined]
        stats = from_release(made, dims, f"CTDC synthetic file {ctdc.name}")  # type: ignore[arg-type]
    else:
        assert ctdc is not None  # noqa: S101 - checked above
        data = _read_ctdc(ctdc)
        exact = {n: data.frame.dimensions[n] for n in ctdc_format.RELEASE_DIMENSIONS}
        frame = type(data.frame)(exact, {n: data.frame.codes[n] for n in exact}, data.frame.size)
        created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        stats = from_exact(frame, ctdc_format.DEFAULT_TABLES, f"CTDC synthetic file {ctdc.name}", created)
    figures = _nrm_figures(nrm)
    with _status("Drawing the report"):
        made_report = build_report(stats, out, pop, title, nrm=figures)
    note = "" if stats.differentially_private else " (INTERNAL: exact counts, not for publication)"
    typer.echo(f"Wrote {made_report.html} and {made_report.pdf}{note}.")


def _nrm_figures(wanted: bool | None) -> Any:
    """The NRM's own figures from the database: always with --nrm, never with --no-nrm, and by default when
    the installation has its key (it was set up with `opennrm init`)."""
    if wanted is False:
        return None
    if wanted is None:
        from opennrm.config import ConfigurationError, Settings

        try:
            settings = Settings.from_env()
        except ConfigurationError:
            return None
        if not settings.key_file.exists() and not settings.key_env:
            return None
    from opennrm.cli import common
    from opennrm.services.periodic_report import nrm_figures
    from opennrm.services.statistics import classification_in_home

    classification = classification_in_home(common.settings().home)
    with common.database() as db:
        return nrm_figures(db, classification=classification)


__all__ = ["EXIT_INVALID", "EXIT_REFUSED", "register"]
