"""The charts' statement on PostgreSQL orders each chart's arrays by the chart's own order, not by the plan's
(``db_postgres.CHART_ORDER``, R F15): ``array_agg`` over a subquery takes its rows in whatever order the plan feeds
them, which SQL does not tie to the subquery's ORDER BY (and from PostgreSQL 16 may be combined from parallel
workers' arrays)."""

from __future__ import annotations

import asyncio
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
            for i in range(3):
                assert f"array_agg(c{i} ORDER BY {order}) AS {name}__c{i}" in combined
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
