"""Reports asked of the session store process at one moment are made together (store_child.make_reports): from one
snapshot, each the very bytes a report made alone is, a filter asked twice made once, and sent as they are made."""

from __future__ import annotations

import pickle
import random
import sqlite3
from pathlib import Path

import pytest

from classroom_console.centre import db_sqlite, store_child
from classroom_console.centre.db_sqlite import _connect, query_charts
from classroom_console.centre.payloads import session_rows
from classroom_console.centre.reports import report_json
from classroom_console.centre.sqlite_sessions import store_many
from classroom_console.centre.store_process import Answer
from classroom_console.usage_model import UsageFilter
from tests.test_centre_rollups import FILTERS, NOW, body


def stored(path: Path, first: int, count: int) -> None:
    conn = _connect(path)
    rng = random.Random(first)
    conn.execute("BEGIN IMMEDIATE")
    store_many(conn, [session_rows(f"r{i % 3}", f"s{i}", body(rng, f"s{i}", i % 3, 6), NOW)
                      for i in range(first, first + count)])
    conn.execute("COMMIT")
    conn.close()


def test_reports_asked_together_are_made_from_one_snapshot_each_as_made_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "centre.db"
    stored(path, 0, 30)
    reader = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    alone = {f: report_json(query_charts(reader, f)) for f in FILTERS}
    asked = [*FILTERS, FILTERS[3], FILTERS[0]]  # two asked twice
    batch = [(n, "r", "", "", "", pickle.dumps(f)) for n, f in enumerate(asked)]
    made: list[UsageFilter] = []

    def counted(c: sqlite3.Connection, f: UsageFilter) -> object:
        made.append(f)
        if len(made) == 2:
            stored(path, 100, 5)  # committed while the batch is made: none of its reports sees it
        return query_charts(c, f)

    monkeypatch.setattr(db_sqlite, "query_charts", counted)
    posted: list[list[Answer]] = []
    store_child.make_reports(reader, batch, posted.append)
    answers = [answer for part in posted for answer in part]
    assert [a[0] for a in answers] == list(range(len(asked)))
    assert all(a[2] is None for a in answers)
    assert [a[4] for a in answers] == [alone[f] for f in asked]
    assert made == list(FILTERS)  # each filter once
    assert not reader.in_transaction
    assert b'"sessions": 35' in report_json(query_charts(reader, UsageFilter()))  # the next batch sees it


def test_each_answer_goes_as_soon_as_the_interval_passes_and_a_bad_ask_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "centre.db"
    stored(path, 0, 4)
    reader = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    monkeypatch.setattr(store_child.sp, "POST_EVERY_S", -1.0)
    batch = [(1, "r", "", "", "", pickle.dumps(UsageFilter())), (2, "r", "", "", "", b"not a filter"),
             (3, "r", "", "", "", pickle.dumps(UsageFilter(room="r1")))]
    posted: list[list[Answer]] = []
    store_child.make_reports(reader, batch, posted.append)
    assert [[a[0] for a in part] for part in posted] == [[1], [2], [3]]
    assert posted[1][0][2] == "failed" and posted[0][0][4] and posted[2][0][4]
