"""The end-of-run summary: per source, files loaded and rejected (and why), rows accepted and quarantined, and the
batches held by a failed quality gate with the facts and reports built without them."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.quality import holds
from orchestration.warehouse_lock import connect_warehouse


def _table_exists(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def build_summary(warehouse: Path) -> str:
    """A plain-text report of what the last runs made of the inbox, read back from the warehouse."""
    if not warehouse.exists():
        return f"No warehouse at {warehouse}: nothing has been loaded yet."
    lines: list[str] = []
    with connect_warehouse(str(warehouse), read_only=True) as connection:
        if not _table_exists(connection, "raw", "ingested_files"):
            return f"The warehouse at {warehouse} holds no ingested files yet."
        files = connection.execute(
            """
            select source,
                   count(*) filter (where status = 'loaded') as loaded,
                   count(*) filter (where status = 'rejected') as rejected,
                   count(*) filter (where status = 'duplicate_file') as duplicates
            from raw.ingested_files group by source order by source
            """
        ).fetchall()
        rejections = connection.execute(
            "select source, source_file, reason_message from raw.ingested_files "
            "where status = 'rejected' order by source, source_file"
        ).fetchall()
        held = [entry for entry in holds.list_holds(connection) if entry.is_active]
        outcomes: dict[str, dict[str, int]] = {}
        if _table_exists(connection, "staging", "stg_row_outcomes"):
            for source, label, rows in connection.execute(
                """
                select source,
                       case outcome when 'quarantined' then 'quarantined:' || reason else outcome end,
                       count(*)
                from staging.stg_row_outcomes group by all order by all
                """
            ).fetchall():
                outcomes.setdefault(source, {})[label] = rows

    lines.append(f"{'source':<22} {'files':>6} {'rejected':>8} {'dup.':>5} {'accepted':>9} {'quarant.':>9} {'non-data':>9}")
    for source, loaded, rejected, duplicates in files:
        counts = outcomes.get(source, {})
        quarantined = sum(rows for label, rows in counts.items() if label.startswith("quarantined:"))
        lines.append(
            f"{source:<22} {loaded:>6} {rejected:>8} {duplicates:>5} {counts.get('accepted', 0):>9} "
            f"{quarantined:>9} {counts.get('non_data', 0):>9}"
        )
        reasons = ", ".join(
            f"{label.removeprefix('quarantined:')} {rows}"
            for label, rows in counts.items()
            if label.startswith("quarantined:")
        )
        if reasons:
            lines.append(f"{'':<22}   quarantined by reason: {reasons}")
    if rejections:
        lines.append("")
        lines.append("Rejected files:")
        lines.extend(f"- [{source}] {path}: {message}" for source, path, message in rejections)
    if held:
        from orchestration.defs.transformation import published_models_reading
        from orchestration.quality.suites import STAGED_SOURCES

        lines.append("")
        lines.append("Held by a failed quality gate (the rest of the warehouse was built without them):")
        for entry in held:
            reports = published_models_reading(STAGED_SOURCES[entry.source].model)
            lines.append(f"- {entry.label()}: {entry.check_name} failed {', '.join(entry.failed_expectations)}")
            lines.append(f"  built without it: {', '.join(reports) or 'no report'}")
            lines.append(f"  deliver a corrected file, or accept it: tkpkd hold release {entry.source} {entry.period}")
    return "\n".join(lines)
