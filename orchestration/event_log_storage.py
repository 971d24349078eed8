"""Dagster's SQLite event log, with its connections kept open between events.

Dagster's `SqliteEventLogStorage` creates an SQLAlchemy engine and opens a new SQLite connection for every event it
writes or reads, once for the run's database and once more for the index: about 7 ms per asset event and 3 ms per
log line here, and a `small` run writes some 3,000 events, a thousand of them before its first step (one planned
materialization per asset and partition, one planned check per dbt test and gate). This storage keeps one engine per
database with a pool of one connection, so an event costs the write, not the connect, and syncs the write-ahead log
to disk at checkpoints, not at every event's commit (docs/benchmarks.md, "Dagster's event log"). The files, their
schema and their paths are Dagster's own: an instance that goes back to the default storage reads the same history.

Only the last few databases keep an engine: a run writes to its own database and the index, and the UI reads many
runs' databases in turn, so the engines of databases not touched lately are closed rather than held open.

A process that forks (the workbooks' worker, fault injection) must not use, or close, the parent's SQLite
connections: in the child the pools are dropped without closing what the parent still uses, and new connections
are opened on first use.
"""

import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster._config import StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

ENGINES_KEPT = 4

_live_storages: "weakref.WeakSet[PooledSqliteEventLogStorage]" = weakref.WeakSet()


def _forget_pools_in_child() -> None:
    for storage in list(_live_storages):
        storage._forget_engines()


os.register_at_fork(after_in_child=_forget_pools_in_child)


def _sync_at_checkpoints(dbapi_connection, _connection_record) -> None:
    # Dagster's databases are in WAL mode, where SQLite's default (FULL) syncs the log to disk at every commit, and a
    # run commits every event. NORMAL syncs at checkpoints only: as safe from corruption, and a process killed
    # mid-run loses nothing; only a power cut or an OS crash may lose the last events before it.
    dbapi_connection.execute("pragma synchronous = normal")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with one pooled engine per database, for the last `ENGINES_KEPT` databases used.

    `base_dir` defaults to `$DAGSTER_HOME/history/runs`, where Dagster's default storage keeps the same files. The
    storage is not told the folder of the dagster.yaml it was read from: `DagsterInstance.from_config(folder)` needs
    DAGSTER_HOME set to that folder too (as `tkpkd run`, `dagster dev` and the daemon have it), or its events go to
    DAGSTER_HOME's instance.
    """

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._tables_present: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)
        _live_storages.add(self)

    @classmethod
    def config_type(cls) -> dict[str, dg.Field]:
        return {"base_dir": dg.Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> "PooledSqliteEventLogStorage":
        base_dir = config_value.get("base_dir")
        if base_dir is None:
            home = os.environ.get("DAGSTER_HOME")
            if not home:
                raise dg.DagsterInvariantViolationError(
                    "PooledSqliteEventLogStorage keeps its files in $DAGSTER_HOME/history/runs unless dagster.yaml "
                    "gives it a base_dir: set DAGSTER_HOME to the instance's folder"
                )
            base_dir = os.path.join(home, "history", "runs")
        return cls(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=QueuePool,
                    # Creating a database's schema inspects it on a second connection while the first is open.
                    pool_size=1,
                    max_overflow=1,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                )
                event.listen(engine, "connect", _sync_at_checkpoints)
                self._engines[shard] = engine
                while len(self._engines) > ENGINES_KEPT:
                    _, oldest = self._engines.popitem(last=False)
                    oldest.dispose()
            else:
                self._engines.move_to_end(shard)
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # The parent's lock keeps one connection in use at a time, as Dagster's own storage does.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as connection, connection.begin():
                yield connection

    def has_table(self, table_name: str) -> bool:
        # Asked for every asset event (whether the index has the tags and checks tables yet): a new engine each time
        # otherwise. A table that exists stays: only its presence is remembered.
        if table_name in self._tables_present:
            return True
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as connection:
            present = bool(engine.dialect.has_table(connection, table_name))
        if present:
            self._tables_present.add(table_name)
        return present

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            engines, self._engines = list(self._engines.values()), OrderedDict()
        for engine in engines:
            engine.dispose()

    def _forget_engines(self) -> None:
        # In a forked child: the parent's connections are not ours to close, and a lock a parent's thread held at
        # the fork would never be released.
        for engine in self._engines.values():
            engine.dispose(close=False)
        self._engines = OrderedDict()
        self._engines_lock = threading.Lock()
        self._db_lock = threading.Lock()

    def wipe(self) -> None:
        # The run databases are deleted under the open connections otherwise.
        self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
