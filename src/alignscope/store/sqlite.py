"""RunStore: one SQLite file per workspace, in WAL mode, holding runs, the call cache and records.

Several processes may write at once: every write is a short transaction, and SQLite's busy timeout makes
writers wait for each other instead of failing. Records are stored as JSON bodies beside the columns that
queries filter on. Records are upserted on their natural key, so a resumed run never duplicates them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

from alignscope.errors import UserError
from alignscope.records import Generation, Item, Judgment, Score

WORKSPACE_ENV = "ALIGNSCOPE_WORKSPACE"
DB_NAME = "alignscope.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, command TEXT NOT NULL, config TEXT NOT NULL, created REAL NOT NULL,
  updated REAL NOT NULL, status TEXT NOT NULL, summary TEXT
);
CREATE TABLE IF NOT EXISTS calls (
  key TEXT PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL, response TEXT NOT NULL, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
  run_id TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL, model TEXT NOT NULL, error TEXT NOT NULL,
  attempts INTEGER NOT NULL, created REAL NOT NULL, PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS items (
  dataset TEXT NOT NULL, item_id TEXT NOT NULL, data_version TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (dataset, item_id, data_version)
);
CREATE TABLE IF NOT EXISTS generations (
  run_id TEXT NOT NULL, model TEXT NOT NULL, dataset TEXT NOT NULL, item_id TEXT NOT NULL,
  variant TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (run_id, model, dataset, item_id, variant)
);
CREATE TABLE IF NOT EXISTS judgments (
  run_id TEXT NOT NULL, judge TEXT NOT NULL, mode TEXT NOT NULL, dataset TEXT NOT NULL, item_id TEXT NOT NULL,
  model_a TEXT NOT NULL, model_b TEXT NOT NULL, variant TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (run_id, judge, mode, dataset, item_id, model_a, model_b, variant)
);
CREATE TABLE IF NOT EXISTS scores (
  run_id TEXT NOT NULL, task TEXT NOT NULL, model TEXT NOT NULL, item_id TEXT NOT NULL, variant TEXT NOT NULL,
  value REAL NOT NULL, body TEXT NOT NULL, PRIMARY KEY (run_id, task, model, item_id, variant)
);
CREATE TABLE IF NOT EXISTS artifacts (
  run_id TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (run_id, name)
);
"""

R = TypeVar("R", bound=BaseModel)
TABLES: dict[str, type[BaseModel]] = {"generations": Generation, "judgments": Judgment, "scores": Score}
_LIST_ADAPTERS = {name: TypeAdapter(list[cls]) for name, cls in TABLES.items()}  # type: ignore[valid-type]


def default_workspace() -> Path:
    """``$ALIGNSCOPE_WORKSPACE`` or ``./alignscope-runs``."""
    return Path(os.environ.get(WORKSPACE_ENV, "alignscope-runs"))


class RunStore:
    """Persistent store of one workspace. Thread-safe; one connection per thread."""

    def __init__(self, workspace: Path | str | None = None) -> None:
        self.workspace = Path(workspace) if workspace is not None else default_workspace()
        try:
            self.workspace.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create workspace ({exc.strerror})", where=str(self.workspace)) from None
        self.path = self.workspace / DB_NAME
        self._local = threading.local()
        self._con().executescript(SCHEMA)

    # -- connection -------------------------------------------------------------------------------------
    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            try:
                con = sqlite3.connect(self.path, timeout=60.0, isolation_level=None, check_same_thread=False)
            except sqlite3.Error as exc:
                raise UserError(f"cannot open run store ({exc})", where=str(self.path)) from None
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA busy_timeout=60000")
            self._local.con = con
        return con

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection."""
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    # -- runs -------------------------------------------------------------------------------------------
    def start_run(self, run_id: str, command: str, config: dict[str, Any]) -> bool:
        """Register ``run_id`` (or reopen it); True if it already existed (a resume)."""
        now = time.time()
        with self._tx() as con:
            existed = con.execute("SELECT 1 FROM runs WHERE run_id=?", (run_id,)).fetchone() is not None
            if existed:
                con.execute("UPDATE runs SET status='running', updated=? WHERE run_id=?", (now, run_id))
            else:
                con.execute(
                    "INSERT INTO runs VALUES (?,?,?,?,?,?,NULL)",
                    (run_id, command, json.dumps(config, sort_keys=True, default=str), now, now, "running"),
                )
        return existed

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        """Mark a run finished (or failed) with its summary."""
        with self._tx() as con:
            con.execute(
                "UPDATE runs SET status=?, summary=?, updated=? WHERE run_id=?",
                (status, json.dumps(summary, default=str), time.time(), run_id),
            )

    def list_runs(self) -> list[dict[str, Any]]:
        """Runs, newest first, with record counts."""
        rows = (
            self._con()
            .execute("SELECT run_id, command, created, updated, status FROM runs ORDER BY created DESC")
            .fetchall()
        )
        out = []
        for run_id, command, created, updated, status in rows:
            counts = {t: self.count(t, run_id) for t in TABLES}
            out.append(
                {
                    "run_id": run_id,
                    "command": command,
                    "created": created,
                    "updated": updated,
                    "status": status,
                }
                | counts
            )
        return out

    def get_run(self, run_id: str) -> dict[str, Any]:
        """One run's row with config and summary; UserError naming known runs otherwise."""
        row = (
            self._con()
            .execute(
                "SELECT run_id, command, config, created, updated, status, summary FROM runs WHERE run_id=?",
                (run_id,),
            )
            .fetchone()
        )
        if row is None:
            known = [
                r[0] for r in self._con().execute("SELECT run_id FROM runs ORDER BY created DESC LIMIT 5")
            ]
            hint = f" (recent: {', '.join(known)})" if known else " (the store has no runs yet)"
            raise UserError(f"no run '{run_id}' in {self.path}{hint}")
        keys = ("run_id", "command", "config", "created", "updated", "status", "summary")
        out = dict(zip(keys, row, strict=True))
        out["config"] = json.loads(out["config"])
        out["summary"] = json.loads(out["summary"]) if out["summary"] else None
        return out

    # -- call cache -------------------------------------------------------------------------------------
    def get_calls(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Cached responses for those of ``keys`` that have one."""
        out: dict[str, dict[str, Any]] = {}
        con = self._con()
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            q = f"SELECT key, response FROM calls WHERE key IN ({','.join('?' * len(chunk))})"
            out.update((k, json.loads(v)) for k, v in con.execute(q, chunk))
        return out

    def put_calls(self, rows: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
        """Store finished calls as (key, kind, model, response) in one committed transaction."""
        now = time.time()
        data = [(k, kind, model, json.dumps(resp), now) for k, kind, model, resp in rows]
        with self._tx() as con:
            con.executemany("INSERT OR REPLACE INTO calls VALUES (?,?,?,?,?)", data)
            con.executemany("DELETE FROM failures WHERE key=?", [(d[0],) for d in data])

    def put_failure(self, run_id: str, key: str, kind: str, model: str, error: str, attempts: int) -> None:
        """Record a call that exhausted its attempts (kept until the call later succeeds)."""
        with self._tx() as con:
            con.execute(
                "INSERT OR REPLACE INTO failures VALUES (?,?,?,?,?,?,?)",
                (run_id, key, kind, model, error, attempts, time.time()),
            )

    def failures(self, run_id: str) -> list[dict[str, Any]]:
        """Failed calls of a run."""
        rows = (
            self._con()
            .execute("SELECT key, kind, model, error, attempts FROM failures WHERE run_id=?", (run_id,))
            .fetchall()
        )
        return [dict(zip(("key", "kind", "model", "error", "attempts"), r, strict=True)) for r in rows]

    # -- records ----------------------------------------------------------------------------------------
    def put_items(self, items: Sequence[Item]) -> None:
        """Store Items (upsert)."""
        with self._tx() as con:
            con.executemany(
                "INSERT OR REPLACE INTO items VALUES (?,?,?,?)",
                [(i.dataset, i.id, i.data_version, i.model_dump_json()) for i in items],
            )

    def items(self, dataset: str) -> list[Item]:
        """Stored Items of ``dataset``, every data version, the most recently stored first."""
        rows = self._con().execute("SELECT body FROM items WHERE dataset=? ORDER BY rowid DESC", (dataset,))
        return [Item.model_validate_json(body) for (body,) in rows]

    def put_generations(self, gens: Sequence[Generation], variant: str = "") -> None:
        """Store Generations (upsert on run, model, dataset, item, variant)."""
        with self._tx() as con:
            con.executemany(
                "INSERT OR REPLACE INTO generations VALUES (?,?,?,?,?,?)",
                [(g.run_id or "", g.model, g.dataset, g.item_id, variant, g.model_dump_json()) for g in gens],
            )

    def put_judgments(self, judgments: Sequence[Judgment], variant: str = "") -> None:
        """Store Judgments (upsert on run, judge, mode, dataset, item, models, variant)."""
        rows = [
            (
                j.run_id or "",
                j.judge,
                j.mode,
                j.dataset,
                j.item_id,
                j.model_a,
                j.model_b or "",
                variant or ("swapped" if j.swapped else ""),
                j.model_dump_json(),
            )
            for j in judgments
        ]
        with self._tx() as con:
            con.executemany("INSERT OR REPLACE INTO judgments VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def put_scores(self, scores: Sequence[Score], variant: str = "") -> None:
        """Store Scores (upsert on run, task, model, item, variant)."""
        with self._tx() as con:
            con.executemany(
                "INSERT OR REPLACE INTO scores VALUES (?,?,?,?,?,?,?)",
                [
                    (s.run_id or "", s.task, s.model, s.item_id, variant, s.value, s.model_dump_json())
                    for s in scores
                ],
            )

    def put_artifact(self, run_id: str, name: str, body: Any) -> None:
        """Store a JSON artifact of a run (a fitted table, a stage marker)."""
        with self._tx() as con:
            con.execute("INSERT OR REPLACE INTO artifacts VALUES (?,?,?)", (run_id, name, json.dumps(body)))

    def get_artifact(self, run_id: str, name: str) -> Any | None:
        """A stored artifact, or None."""
        row = (
            self._con()
            .execute("SELECT body FROM artifacts WHERE run_id=? AND name=?", (run_id, name))
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    def records(self, table: str, run_id: str | None = None, **where: str) -> list[BaseModel]:
        """Records of ``table`` ('generations', 'judgments', 'scores'), filtered by run and column values."""
        bodies = list(self._bodies(table, run_id, where))
        return _LIST_ADAPTERS[table].validate_json(
            "[" + ",".join(bodies) + "]"
        )  # one parse, in pydantic-core

    def bodies(self, table: str, run_id: str | None = None, **where: str) -> list[str]:
        """Raw JSON bodies of ``table`` (fast path for export and analysis)."""
        return list(self._bodies(table, run_id, where))

    def _bodies(self, table: str, run_id: str | None, where: dict[str, str]) -> Iterator[str]:
        if table not in TABLES:
            raise UserError(f"unknown record table '{table}' (choose {', '.join(TABLES)})")
        clauses, params = [], []
        if run_id is not None:
            clauses.append("run_id=?")
            params.append(run_id)
        for col, val in where.items():
            clauses.append(f"{col}=?")
            params.append(val)
        q = f"SELECT body FROM {table}" + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
        for (body,) in self._con().execute(q, params):
            yield body

    def count(self, table: str, run_id: str | None = None) -> int:
        """Number of records of ``table`` (in one run)."""
        if run_id is None:
            return self._con().execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        return self._con().execute(f"SELECT COUNT(*) FROM {table} WHERE run_id=?", (run_id,)).fetchone()[0]
