"""`device X status` opens the store on the standard library's sqlite3 alone (issue 17 item 4).

Opening the store used to import sqlite_utils, which brought click, pluggy's plugin scan (importlib.metadata),
dateutil's parser and time-zone tables, and tried numpy: more than half of the command's start. The run happens in
a fresh interpreter against a real simulated projector and a real store; what it left in ``sys.modules`` is the check.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

NOT_WANTED = ("sqlite_utils", "click", "importlib.metadata", "dateutil", "numpy")
RUN_AND_REPORT = """
import contextlib, io, json, sys
from classroom_console import cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = cli.main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": [n for n in NOT_WANTED if n in sys.modules], "out": out.getvalue()}))
""".replace("NOT_WANTED", repr(NOT_WANTED))


async def test_device_status_opens_the_store_without_sqlite_utils_or_what_it_imports(tmp_path: Path) -> None:
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
