"""`device X status` opens the store without the parts of sqlite_utils it never uses (issue 17 item 4).

Opening the store used to scan every installed package's metadata for sqlite_utils plugins (importlib.metadata)
and to load dateutil's parser and time-zone tables for recipes the store never calls. The run happens in a fresh
interpreter against a real simulated projector and a real store; what it left in ``sys.modules`` is the check.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

NOT_WANTED = ("importlib.metadata", "dateutil.tz", "dateutil.parser._parser")
RUN_AND_REPORT = """
import contextlib, io, json, sys
from classroom_console import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = cli.main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": [n for n in NOT_WANTED if n in sys.modules], "out": out.getvalue()}))
""".replace("NOT_WANTED", repr(NOT_WANTED))


async def test_device_status_opens_the_store_without_plugin_scan_or_date_parser(tmp_path: Path) -> None:
    async with SimulatedProjector(SimProjectorConfig(host="127.0.0.1", port=0, udp_port=None)) as projector:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", RUN_AND_REPORT, "--data-dir", str(tmp_path),
            "device", f"127.0.0.1:{projector.tcp_port}", "status",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        async with asyncio.timeout(120):
            stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr
    report = json.loads(stdout.decode().splitlines()[-1])
    assert report["code"] == 0 and "power: " in report["out"], (report, stderr)
    assert report["loaded"] == [], f"device status loaded {report['loaded']}"


PARSER_AFTER_THE_STORE = """
import importlib.util, sys
import classroom_console.store
assert type(sys.modules["dateutil.parser"]).__name__ == "_Deferred", "the store did not defer the parser"
assert importlib.util.find_spec("dateutil.parser") is not None  # optional-module checks still find it
from dateutil.parser import isoparse, parse
assert parse("2026-11-29 18:00").hour == 18
assert isoparse("2026-11-29T18:00:00").minute == 0
import dateutil.parser
assert dateutil.parser.parse("2026-11-29").day == 29
from sqlite_utils.utils import rows_from_file  # sqlite_utils itself still imports whole
print("ok")
"""


def test_the_date_parser_still_works_when_something_asks_for_it() -> None:
    """The placeholder hands over to the real module on first use, whichever way it is imported (a fresh
    interpreter: in this one, numpy may already be loaded, and then the store installs no placeholder)."""
    ran = subprocess.run([sys.executable, "-c", PARSER_AFTER_THE_STORE], capture_output=True, text=True,
                         timeout=120, cwd=Path(__file__).resolve().parent.parent, check=False)
    assert ran.returncode == 0 and ran.stdout.strip() == "ok", ran.stderr
