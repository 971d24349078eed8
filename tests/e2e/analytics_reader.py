"""A BI-tool stand-in, run as its own process by test_analytics_file.py: open the analytics file read-only again and
again, and check each time that two reports of the one version agree with each other.

    python analytics_reader.py <analytics.duckdb> <stop file> <max seconds> <max reads>

Prints one JSON object: reads per version (the newest period of the file), errors and inconsistencies.
"""

import json
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb

# rpt_basic_needs_coverage counts, on its kota row of every period and need, the extreme-poor families that
# rpt_extreme_poverty_cases lists one by one: two tables of one version must agree.
CHECK = """
with cases as (select period, count(*) as families from rpt_extreme_poverty_cases group by period),
coverage as (
    select period, need, ekstrem_families from rpt_basic_needs_coverage where region_level = 'kota'
)
select
    (select max(period) from rpt_extreme_poverty_cases) as version,
    count(*) filter (where coverage.ekstrem_families is distinct from cases.families) as disagreements
from coverage full join cases using (period)
"""


def main() -> None:
    path, stop_file, max_seconds, max_reads = (
        sys.argv[1],
        Path(sys.argv[2]),
        float(sys.argv[3]),
        int(sys.argv[4]),
    )
    versions: Counter[str] = Counter()
    errors: list[str] = []
    inconsistencies: list[str] = []
    started = time.monotonic()
    reads = 0
    while reads < max_reads and time.monotonic() - started < max_seconds and not stop_file.exists():
        reads += 1
        try:
            with duckdb.connect(path, read_only=True) as connection:
                version, disagreements = connection.execute(CHECK).fetchone()
        except Exception as error:  # noqa: BLE001 - everything a BI tool would see counts
            errors.append(f"{type(error).__name__}: {error}")
            continue
        versions[version] += 1
        if disagreements:
            inconsistencies.append(f"version {version}: {disagreements} period/need rows disagree")
    print(
        json.dumps(
            {
                "reads": reads,
                "versions": versions,
                "errors": errors,
                "inconsistencies": inconsistencies,
            }
        )
    )


if __name__ == "__main__":
    main()
