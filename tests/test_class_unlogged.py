"""`class` never runs a class unlogged: a read-only data folder refuses before the tablets are served, and a disk
that fills before the session's end is one line and a non-zero exit, the session's row kept (E3's #9 and #5).

Real parts: the real command on a tmpfs in a private mount namespace (``tests/test_store_disk.py``), as root.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from tests.test_store_disk import in_namespace, mount_ns, outcomes, step

CLI = f"{shlex.quote(sys.executable)} -m classroom_console"
CLASS = "class --course C --title T --host 127.0.0.1 --duration 1"
__all__ = ["mount_ns"]  # the fixture, used by name below


def test_a_read_only_data_folder_refuses_the_class_in_one_line_in_each_language(mount_ns: Path) -> None:
    script = ("mkdir \"$D/data\"; mount -o remount,ro \"$D\"\n"
              + step("en", f"{CLI} --data-dir \"$D/data\" {CLASS}")
              + step("ru", f"LANG=ru_RU.UTF-8 {CLI} --data-dir \"$D/data\" {CLASS}")
              + f"{CLI} --data-dir \"$D/data\" {CLASS} 2>/dev/null | grep -c code || true\n")
    ran = in_namespace(mount_ns, "4m", script)
    found = outcomes(ran.stdout)
    assert set(found) == {"en", "ru"}, (ran.stdout, ran.stderr)
    for name, words in (("en", "the class was not started: the data folder"), ("ru", "занятие не начато: папка")):
        rc, err = int(str(found[name]["rc"])), str(found[name]["stderr"])
        assert rc == 4, found[name]  # it exited 0 after serving the tablets for the whole class
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and words in lines[0] and "/data" in lines[0], err
    assert ran.stdout.splitlines()[-1] == "0", "the tablets' join line was printed: the class ran"


def test_a_disk_full_at_the_sessions_end_is_one_line_and_the_session_is_kept(mount_ns: Path) -> None:
    read_back = ("import json, sqlite3, sys; c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True); "
                 "print('ROWS', json.dumps(c.execute('SELECT status, ended_at FROM sessions').fetchall()))")
    script = (f"LANG=ru_RU.UTF-8 {CLI} --data-dir \"$D/data\" class --course C --title T --host 127.0.0.1 "
              "--duration 4 >\"$D.out\" 2>\"$D.err\" &\n"
              "cls=$!; n=0\n"
              # the condition, not a fixed sleep: the join line is out, so the session is open (bounded at 120 s)
              "while ! grep -q http \"$D.out\" && [ $n -lt 1200 ]; do sleep 0.1; n=$((n+1)); done\n"
              "rm -f \"$D/data/console.db-reserve\"; dd if=/dev/zero of=\"$D/fill\" bs=64k 2>/dev/null\n"
              "wait $cls; rc=$?\n"
              "printf '@@class %s %s\\n' \"$rc\" \"$(sed -e ':a;N;$!ba;s/\\n/\\\\n/g' \"$D.err\")\"\n"
              "rm -f \"$D/fill\"\n"
              f"{shlex.quote(sys.executable)} -c {shlex.quote(read_back)} \"$D/data/console.db\"\n")
    ran = in_namespace(mount_ns, "4m", script)
    found = outcomes(ran.stdout)
    assert "class" in found, (ran.stdout, ran.stderr)
    rc, err = int(str(found["class"]["rc"])), str(found["class"]["stderr"])
    assert "Traceback" not in err, err
    assert rc == 4, err
    ours = [line for line in err.splitlines() if line.startswith("classroom-console class:")]
    assert len(ours) == 1 and "конец занятия не записан: диск с папкой" in ours[0], err
    row = next(line for line in ran.stdout.splitlines() if line.startswith("ROWS "))
    [(status, ended_at)] = json.loads(row[len("ROWS "):])
    assert (status, ended_at) == ("running", None)  # kept for the next start to close as interrupted
