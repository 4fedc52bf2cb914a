"""The charts' statement on PostgreSQL orders each chart's arrays by the chart's own order, not by the plan's
(``db_postgres.CHART_ORDER``, R F15): ``array_agg`` over a subquery takes its rows in whatever order the plan feeds
them, which SQL does not tie to the subquery's ORDER BY (and from PostgreSQL 16 may be combined from parallel
workers' arrays)."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from datetime import date

from classroom_console.centre import charts
from classroom_console.centre.db_postgres import chart_order, chart_rows, charts_statement, orders_rows, plain_numbers
from classroom_console.usage_model import UsageFilter
from classroom_console.usage_sql import POSTGRESQL, to_numbered, used_params
from tests.test_centre_postgres import postgres_url  # noqa: F401  (a fixture)
from tests.test_centre_rollups import FILTERS, feed, fresh_postgres

BOUND_S = 120.0
# Every shape of statement a filter can give: by a room or not, a lecturer or not, a date or not, a whole or a part
# hour's offset, with the sessions' rows or not.
SHAPES = [UsageFilter(room=room, lecturer=lecturer, since=since, utc_offset_h=offset, session_rows=rows)
          for room, lecturer, since, offset, rows in itertools.product(
              (None, "r1"), (None, "L2"), (None, date(2025, 9, 3)), (0.0, 5.5), (False, True))]


def test_every_ordered_chart_orders_its_arrays() -> None:
    """Every chart whose statement orders its rows has its arrays ordered by that order, in every column."""
    ordered = set()
    for f in SHAPES:
        queries, params, _ = charts.plan(POSTGRESQL, f)
        combined, _ = charts_statement(queries, [(name, 3) for name in queries], params)
        for name, sql in queries.items():
            order = chart_order(name, sql)  # (raises where an ordered chart has none)
            if order is None:
                assert not orders_rows(sql) and f"array_agg(c0) AS {name}__c0" in combined
                continue
            ordered.add(name)
            assert f"row_number() OVER (ORDER BY {order}) AS n FROM (" in combined
            for i in range(3):
                assert f"array_agg(c{i} ORDER BY n) AS {name}__c{i}" in combined
    assert ordered == {"room_weeks", "by_lecturer", "by_course", "tablets_sessions", "session_rows"}


def test_a_window_or_a_subquery_ordering_is_not_the_statements() -> None:
    assert orders_rows("SELECT a FROM t ORDER BY a")
    assert not orders_rows("SELECT sum(a) OVER (ORDER BY b) FROM (SELECT a, b FROM t ORDER BY b LIMIT 3) AS s")
    assert chart_order("room_weeks__lo", "SELECT 1 ORDER BY 1") == chart_order("room_weeks", "SELECT 1 ORDER BY 1")


async def test_each_charts_arrays_hold_its_rows_in_its_own_order(postgres_url: str) -> None:  # noqa: F811
    """Run alone, an ordered chart's statement gives its rows in its ORDER BY's order: the combined statement's arrays
    give the same rows in the same order (a wrong column in ``CHART_ORDER`` reorders them)."""
    db = await fresh_postgres(postgres_url)
    try:
        async with asyncio.timeout(BOUND_S):
            await feed(db)
            compared = set()
            async with db.pool.acquire() as conn:
                for f in (*FILTERS, *SHAPES):
                    queries, params, _ = charts.plan(POSTGRESQL, f)
                    shapes = []
                    for name, sql in queries.items():
                        text, _args = to_numbered(sql, used_params(sql, params))
                        shapes.append((name, len((await conn.prepare(text)).get_attributes())))
                    sql, args = to_numbered(*charts_statement(queries, shapes, params))
                    row = await conn.fetchrow(sql, *args)
                    for name, width in shapes:
                        if chart_order(name, queries[name]) is None:
                            continue
                        alone = plain_numbers(queries[name])
                        text, alone_args = to_numbered(alone, used_params(alone, params))
                        expected = [tuple(r) for r in await conn.fetch(text, *alone_args)]
                        assert chart_rows(row, name, width) == expected, (f, name)
                        if len(expected) > 1:
                            compared.add(name)
            assert {"room_weeks", "by_lecturer", "by_course", "session_rows"} <= compared  # (no tablets in feed)
    finally:
        await db.close()


async def test_rows_whose_keys_tie_stay_whole_when_the_sorts_spill(postgres_url: str) -> None:  # noqa: F811
    """R11 F4: with each column's array ordered by the chart's keys, every column sorted its input apart; where the
    keys tie, a wide column's sort spilling to disk and a narrow one's not took the tied rows in other orders, and
    row i took its lecturer from one session and its duration from another. Numbered once, the columns keep their
    rows whole. 60,000 rows in 40 ties of the chart's keys, work_mem at its least (64 kB)."""
    db = await fresh_postgres(postgres_url)
    try:
        async with asyncio.timeout(BOUND_S), db.pool.acquire() as conn:
            chart = ("SELECT g % 40, (g % 40) * 0, md5(g::text) || repeat('x', 200), g "
                     "FROM generate_series(1, 60000) AS g ORDER BY 2 DESC, 1")
            combined, _ = charts_statement({"by_lecturer": chart}, [("by_lecturer", 4)], {})
            async with conn.transaction():
                await conn.execute("SET LOCAL work_mem = '64kB'")
                row = await conn.fetchrow(combined)
        rows = chart_rows(row, "by_lecturer", 4)
        assert len(rows) == 60000
        mixed = [r for r in rows if r[2] != hashlib.md5(str(r[3]).encode()).hexdigest() + "x" * 200]
        assert not mixed, f"{len(mixed)} rows mixed"
        assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    finally:
        await db.close()
