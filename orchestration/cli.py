"""`tkpkd`: run the pipeline, generate sample data, print the summary."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from datetime import datetime

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
    from orchestration.defs.operations import TRIGGER_TAG
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
    try:
        periods = periods_to_run(settings, args.first_period, args.last_period)
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

    def execute(run_id: str):
        return run_main_job(instance, periods, {TRIGGER_TAG: f"cli:{getpass.getuser()}"}, job=job, run_id=run_id)

    result = execute(run_id) if args.verbose else follow_run(execute, instance, run_id, step_totals(job), log_path)
    print()
    print(build_summary(settings.warehouse))
    print()
    print(f"Warehouse: {settings.warehouse}")
    print(f"Analytics file (BI tools): {settings.analytics}")
    print(f"Exports (feedback, kelurahan, parquet, open data, dashboard): {settings.exports}")
    print(f"Quality gates' Data Docs: {settings.quality_docs / 'index.html'}")
    for check in result.get_asset_check_evaluations():
        if not check.passed:
            # The gates' description names each failed expectation, its rows and a sample of bad values.
            print(f"\nCheck {check.check_name} on {check.asset_key.to_user_string()} failed "
                  f"({check.severity.value}):\n{check.description or ''}", file=sys.stderr)
    skipped = [event.step_key for event in result.all_events if event.is_step_skipped]
    if skipped:
        # A blocking gate that failed stops what reads its table: those steps' tables keep their previous build.
        print(f"\nNot refreshed (a blocking check above failed upstream, so they keep their previous build): "
              f"{', '.join(skipped)}", file=sys.stderr)
    if not result.success:
        failed = [event.step_key for event in result.all_events if event.is_step_failure]
        print(f"The run failed in: {', '.join(failed) or 'see the log above'}", file=sys.stderr)
        return 1
    return 0


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
    run_command.set_defaults(handler=run)

    generate_command = commands.add_parser("generate", help="write the synthetic sample inbox and its ground truth")
    sample_options(generate_command)
    generate_command.add_argument("--force", action="store_true", help="replace an existing generated inbox")
    generate_command.set_defaults(handler=generate)

    summary_command = commands.add_parser("summary", help="print what the warehouse made of the inbox")
    summary_command.set_defaults(handler=summary)

    score_command = commands.add_parser(
        "score-identity",
        help="generate data in a temporary folder, run the pipeline, score identity resolution against the truth",
    )
    sample_options(score_command)
    score_command.set_defaults(handler=score_identity)

    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (ProductionSettingsError, WarehouseLockedError) as error:
        print(f"tkpkd {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
