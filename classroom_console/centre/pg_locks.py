"""Every advisory lock key the PostgreSQL centre takes, in one place, so that no two of them are one lock.

Why: the lock every group of uploaded sessions takes and the index build's were both 72100502; a living centre
building an index (``online_indexes``, the lock held for the whole ``CREATE INDEX CONCURRENTLY``) held every upload,
and the build, waiting for those uploads' transactions to end, met them in a deadlock the server broke by failing
one (``tests/test_centre_pg_locks.py``).

A lock of one key (``pg_advisory_lock(bigint)``) and one of two (``pg_advisory_lock(int, int)``) never meet: the
server keeps them apart (``pg_locks.objsubid`` 1 and 2). Of one key: the fixed ones below, and each upload's
(``files.py``: the first 8 bytes of a SHA-256, so never one of these but by a 1 in 2**62 chance). Of two: a
session's (``hashtext(room)``, ``hashtext(session)``: ``pg_store``) and a report filter's (``REPORT_CLASS``,
``hashtext(filter)``).
"""

from __future__ import annotations

SCHEMA_LOCK = 72100501  # the schema's transaction at open (db_postgres)
BUILD_LOCK = 72100502  # online_indexes' build: held for a whole CREATE INDEX CONCURRENTLY
GATE_LOCK = 72100503  # pg_store: a group re-storing a session passes alone
GROUP_LOCK = 72100504  # pg_store: a group's shared sums
FIXED = (SCHEMA_LOCK, BUILD_LOCK, GATE_LOCK, GROUP_LOCK)
REPORT_CLASS = 72100505  # pg_reports: with hashtext(filter), one report per filter in the whole centre
