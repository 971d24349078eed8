"""`python -m tkpkd_synth generate | stats`: the synthetic Pontianak inbox from the command line."""

from __future__ import annotations

import argparse
import sys
import time

from tkpkd_synth.generator import SCALES, InboxNotEmptyError, count_rows, generate

# The province scale is ten times the city: stats estimates it from the city instead of building it.
PROVINCE_FACTOR = SCALES["province"] / SCALES["city"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tkpkd_synth", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def window_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--periods", type=int, default=12, help="number of monthly periods (default 12)")
        command.add_argument("--end-period", default="2025-12", help="last period, YYYY-MM (default 2025-12)")
        command.add_argument("--seed", type=int, default=42)

    generate_command = commands.add_parser("generate", help="write an agency inbox and its ground truth")
    generate_command.add_argument("--scale", choices=list(SCALES), default="small")
    window_options(generate_command)
    generate_command.add_argument("--inbox", default="data/inbox", help="inbox folder (default data/inbox)")
    generate_command.add_argument("--truth", default="data/ground_truth", help="ground-truth folder (default data/ground_truth)")
    generate_command.add_argument("--defect-rate", type=float, default=1.0,
                                  help="scales every defect probability; 0 writes clean files (default 1.0)")
    generate_command.add_argument("--force", action="store_true", help="clear a non-empty inbox and truth folder first")
    generate_command.set_defaults(handler=_generate)

    stats_command = commands.add_parser("stats", help="families, persons and rows per source for every scale")
    window_options(stats_command)
    stats_command.add_argument("--scales", default="tiny,small,city",
                               help="scales to build and count (default tiny,small,city); province is always estimated")
    stats_command.set_defaults(handler=_stats)

    args = parser.parse_args(argv)
    return args.handler(args)


def _generate(args: argparse.Namespace) -> int:
    try:
        summary = generate(args.inbox, args.truth, scale=args.scale, periods=args.periods, end_period=args.end_period,
                           seed=args.seed, defect_rate=args.defect_rate, overwrite=args.force)
    except InboxNotEmptyError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Scale {summary.scale}: {summary.families:,} families, {summary.persons:,} persons, "
          f"periods {summary.periods[0]}..{summary.periods[-1]}, seed {summary.seed}, defect rate {summary.defect_rate}")
    print(summary.table())
    print(f"Inbox: {args.inbox}   Ground truth: {args.truth}   Elapsed: {summary.elapsed_seconds:.1f} s")
    return 0


def _stats(args: argparse.Namespace) -> int:
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in scales if s not in SCALES or s == "province"]
    if unknown:
        print(f"Cannot build {', '.join(unknown)} for stats; choose from tiny, small, city", file=sys.stderr)
        return 2
    summaries = {}
    for scale in scales:
        started = time.perf_counter()
        summaries[scale] = count_rows(scale, periods=args.periods, end_period=args.end_period, seed=args.seed)
        print(f"built {scale} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    base = summaries.get("city")
    columns = [*scales, "province"]
    print("Data rows per source (before injected duplicates, corrections and re-sent files).")
    if base is None:
        print("province: estimate needs the city scale; add city to --scales.")
        columns = scales
    else:
        print(f"province: estimated from the city (rows x {PROVINCE_FACTOR:g}, files as the city), not built.")

    def value(scale: str, pick, grows: bool = True) -> str:
        if scale == "province":
            # Rows grow with the population; files do not (same periods, kelurahan and agencies).
            return f"~{round(pick(base) * (PROVINCE_FACTOR if grows else 1)):,}"
        return f"{pick(summaries[scale]):,}"

    width = 14
    print(f"{'':<24}" + "".join(f"{c:>{width}}" for c in columns))
    print(f"{'families':<24}" + "".join(f"{value(c, lambda s: s.families):>{width}}" for c in columns))
    print(f"{'persons':<24}" + "".join(f"{value(c, lambda s: s.persons):>{width}}" for c in columns))
    for source in next(iter(summaries.values())).sources:
        files = "".join(f"{value(c, lambda s, src=source: s.sources[src].files, grows=False):>{width}}" for c in columns)
        rows = "".join(f"{value(c, lambda s, src=source: s.sources[src].data_rows):>{width}}" for c in columns)
        print(f"{source + ' files':<24}{files}")
        print(f"{source + ' rows':<24}{rows}")
    return 0
