"""`tkpkd`: run the pipeline, generate sample data, print the summary."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from datetime import datetime

from orchestration.dbt_targets import DbtManifestMissingError
from orchestration.settings import ProductionSettingsError, load_settings
from orchestration.warehouse_lock import WarehouseLockedError


def _inbox_is_empty(settings) -> bool:
    """A local inbox with nothing in it. A remote inbox is the agencies' share: it is never filled with samples."""
    from orchestration.inbox import is_url

    if is_url(settings.inbox_location):
        return False
    return not settings.inbox.exists() or not any(settings.inbox.iterdir())


def _generate(settings, scale: str, seed: int, periods: int) -> None:
    from tkpkd_synth import generate

    print(f"Generating the '{scale}' synthetic Pontianak into {settings.inbox} (ground truth: {settings.ground_truth})")
    generate(settings.inbox, settings.ground_truth, scale=scale, periods=periods, seed=seed)


def run(args: argparse.Namespace) -> int:
    from orchestration.warehouse_lock import run_lock

    # One `tkpkd run` per warehouse at a time: a second one waits, then says which run holds it.
    settings = load_settings()
    with run_lock(settings.warehouse):
        return _run(args, settings)


def _run(args: argparse.Namespace, settings) -> int:
    from orchestration.console import follow_run, step_totals
    from orchestration.contract import load_contract
    from orchestration.defs.freshness import FRESHNESS_CHECK
    from orchestration.defs.operations import TRIGGER_TAG
    from orchestration.defs.partitions import known_periods
    from orchestration.defs.transformation import FULL_REFRESH_TAG
    from orchestration.ingestion import files_in_periods
    from orchestration.runs import (
        fail_abandoned_cli_runs,
        main_job_definition,
        periods_to_run,
        persistent_instance,
        run_main_job,
    )
    from orchestration.summary import build_summary

    if _inbox_is_empty(settings):
        if settings.is_production:
            # Synthetic people must never land in a real deployment's inbox, warehouse and reports.
            print(f"tkpkd run: the inbox {settings.inbox} is empty; in production the sample is not generated. "
                  "Deliver the agencies' files first.", file=sys.stderr)
            return 2
        _generate(settings, args.scale, args.seed, args.periods)
        # Files this process just wrote are complete: no need to wait for them to settle.
        os.environ.setdefault("TKPKD_INBOX_SETTLE_SECONDS", "0")
    if args.full_refresh and (args.first_period or args.last_period):
        print("tkpkd run: --full-refresh rebuilds every period; it takes no --from or --to.", file=sys.stderr)
        return 2
    try:
        # A full refresh recreates the per-period tables: from every period the warehouse serves, or it loses some.
        periods = known_periods() if args.full_refresh else periods_to_run(settings, args.first_period, args.last_period)
    except ValueError as error:
        print(f"tkpkd run: {error}", file=sys.stderr)
        return 2
    instance = persistent_instance(settings)
    for abandoned in fail_abandoned_cli_runs(instance):
        print(f"Run {abandoned[:8]} was left unfinished by a stopped `tkpkd run`: marked failed, its slot freed.")
    job, run_id = main_job_definition(), str(uuid.uuid4())  # a Dagster run id
    log_path = settings.logs / f"run-{datetime.now():%Y%m%d-%H%M%S}-{run_id[:8]}.log"
    print(f"Periods {periods[0]} to {periods[-1]}; run {run_id[:8]} in the Dagster instance {settings.dagster_home}")
    if not args.verbose:
        print(f"The full event log: {log_path}")

    tags = {TRIGGER_TAG: f"cli:{getpass.getuser()}"}
    if args.full_refresh:
        tags[FULL_REFRESH_TAG] = "true"

    def execute(run_id: str):
        return run_main_job(instance, periods, tags, job=job, run_id=run_id)

    result = execute(run_id) if args.verbose else follow_run(
        execute, instance, run_id, step_totals(job, files_in_periods(settings.inbox, load_contract(), periods)), log_path
    )
    print()
    print(build_summary(settings.warehouse))
    print()
    print(f"Warehouse: {settings.warehouse}")
    print(f"Analytics file (BI tools): {settings.analytics}")
    print(f"Exports (feedback, kelurahan, parquet, open data, dashboard): {settings.exports}")
    print(f"Quality gates' Data Docs: {settings.quality_docs / 'index.html'}")
    failed_checks = [check for check in result.get_asset_check_evaluations() if not check.passed]
    late = [check for check in failed_checks if check.check_name == FRESHNESS_CHECK]
    for check in failed_checks:
        if check not in late:
            # The gates' description names each failed expectation, its rows and a sample of bad values.
            print(f"\nCheck {check.check_name} on {check.asset_key.to_user_string()} failed "
                  f"({check.severity.value}):\n{check.description or ''}", file=sys.stderr)
    if late:
        print("\nLate or never delivered (freshness checks, a warning):", file=sys.stderr)
        for check in sorted(late, key=lambda check: check.asset_key.path[-1]):
            print(f"- {check.asset_key.path[-1]}: {check.description}", file=sys.stderr)
    not_refreshed = _not_refreshed(instance, result)
    if not_refreshed:
        # A step that failed stops what reads its tables: those tables and files keep their previous build.
        print(f"\nNot refreshed, they keep their previous build: {', '.join(not_refreshed)}", file=sys.stderr)
    held = [check for check in result.get_asset_check_evaluations()
            if not check.passed and check.metadata.get("held_batches") and check.metadata["held_batches"].value]
    if held:
        print("Held batches are listed in the summary above; `tkpkd hold list` shows every hold.", file=sys.stderr)
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        print(f"The run failed in: {', '.join(failed) or 'see the log above'}", file=sys.stderr)
        return 1
    return 1 if held else 0


# The layers (first part of an asset key, docs/design.md "Dagster assets") that readers see: the dimensions, facts and
# reports, the analytics file and the exports.
READER_FACING_LAYERS = ("marts", "analytics", "exports")


def _not_refreshed(instance, result) -> list[str]:
    """What readers see that the run planned and did not build: facts, reports, dimensions, files."""
    import dagster as dg

    planned = {entry.dagster_event.event_specific_data.asset_key for entry in instance.all_logs(
        result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)}
    built = {event.asset_key for event in result.get_asset_materialization_events()}
    return sorted(
        key.to_user_string() for key in planned - built
        if key.path[0] in READER_FACING_LAYERS
    )


def generate(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.is_production:
        print("tkpkd generate: refused in production (TKPKD_ENV=production): synthetic data must not enter a real "
              "deployment's inbox.", file=sys.stderr)
        return 2
    if not _inbox_is_empty(settings) and not args.force:
        print(f"{settings.inbox} is not empty; pass --force to replace the generated sample.", file=sys.stderr)
        return 2
    from tkpkd_synth import generate as generate_city

    generate_city(
        settings.inbox, settings.ground_truth, scale=args.scale, periods=args.periods, seed=args.seed, overwrite=args.force
    )
    return 0


def summary(args: argparse.Namespace) -> int:
    from orchestration.summary import build_summary

    print(build_summary(load_settings().warehouse))
    return 0


def hold(args: argparse.Namespace) -> int:
    from orchestration.quality import holds
    from orchestration.warehouse_lock import connect_warehouse

    warehouse = load_settings().warehouse
    if not warehouse.exists():
        print(f"tkpkd hold: no warehouse at {warehouse}.", file=sys.stderr)
        return 2
    if args.action == "release":
        with connect_warehouse(str(warehouse)) as connection:
            released = holds.release(connection, args.source, args.period)
        if not released:
            print(f"tkpkd hold: no batch of {args.source} {args.period} is held.", file=sys.stderr)
            return 2
        print(f"Released {args.source} {args.period}: the next run builds it into the warehouse "
              "(its gate's failures stay visible as warnings).")
        return 0
    with connect_warehouse(str(warehouse), read_only=True) as connection:
        recorded = holds.list_holds(connection, args.source)
    for entry in recorded:
        state = ("held" if entry.is_active else f"released by {entry.released_by}" if entry.released_at
                 else "lapsed: other files delivered since")
        print(f"{entry.label():<32} {state:<36} {entry.check_name}: {', '.join(entry.failed_expectations)}")
    if not recorded:
        print("No batch has been held.")
    return 0


def score_identity(args: argparse.Namespace) -> int:
    from orchestration.identity.scoring import score_identity as score

    return score(args.scale, seed=args.seed, periods=args.periods)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tkpkd", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def sample_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--scale", default="small", choices=["tiny", "small", "city", "province"])
        command.add_argument("--seed", type=int, default=42)
        command.add_argument("--periods", type=int, default=12)

    run_command = commands.add_parser(
        "run", help="materialise every asset for the inbox's periods (generates the sample if the inbox is empty)"
    )
    sample_options(run_command)
    run_command.add_argument(
        "--verbose", action="store_true", help="print Dagster's event stream instead of the progress display"
    )
    run_command.add_argument("--from", dest="first_period", help="first period YYYY-MM (default: the inbox's first)")
    run_command.add_argument("--to", dest="last_period", help="last period YYYY-MM (default: the inbox's last)")
    run_command.add_argument(
        "--full-refresh", action="store_true",
        help="rebuild every dbt model from nothing over every period (after a per-period model changed)",
    )
    run_command.set_defaults(handler=run)

    generate_command = commands.add_parser("generate", help="write the synthetic sample inbox and its ground truth")
    sample_options(generate_command)
    generate_command.add_argument("--force", action="store_true", help="replace an existing generated inbox")
    generate_command.set_defaults(handler=generate)

    summary_command = commands.add_parser("summary", help="print what the warehouse made of the inbox")
    summary_command.set_defaults(handler=summary)

    hold_command = commands.add_parser(
        "hold", help="list the batches held by a failed quality gate, or release one into the warehouse"
    )
    hold_actions = hold_command.add_subparsers(dest="action", required=True)
    hold_list = hold_actions.add_parser("list", help="every held batch, and those released or lapsed")
    hold_list.add_argument("source", nargs="?", help="only this source")
    hold_release = hold_actions.add_parser("release", help="accept a held batch as delivered (the next run loads it)")
    hold_release.add_argument("source")
    hold_release.add_argument("period", help="YYYY-MM")
    hold_command.set_defaults(handler=hold)

    score_command = commands.add_parser(
        "score-identity",
        help="generate data in a temporary folder, run the pipeline, score identity resolution against the truth",
    )
    sample_options(score_command)
    score_command.set_defaults(handler=score_identity)

    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (ProductionSettingsError, WarehouseLockedError, DbtManifestMissingError) as error:
        print(f"tkpkd {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
