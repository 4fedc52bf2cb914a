"""nginx in front of several centre processes: the configuration the tests and the benchmark run, and the README shows.

What matters for the centre: request bodies are streamed to a process as they arrive (``proxy_request_buffering
off``), so a recording's bytes land and are noted every few MiB instead of waiting in nginx's temp file; no
body size cap of nginx's own (the centre has its per-endpoint caps); and a request that could not reach a
process (refused, or a process that went away) is tried on the next one.

Staff's usage requests go to the first process's usage socket (``usage_site``: answered on its reports' own loop),
else to the first process's port while it answers, to the others only when it does not
(``backup``): a report is made once per filter at a time in the whole centre (``pg_reports``), so a process asked
for a report another process is making waits at that filter's lock for the other's report, and then often makes its
own when the data moved meanwhile; balanced over two processes a request waited behind two processes' reports in
turn. bench/sync_rooms.py --rooms 300 --processes 2, three pairs alternated under the lock (load 5.8-11.9): usage
p99 401/555/404 ms against 699/986/1,633 balanced (19-30 reports made against 29-32; 1-16 ms a run waiting at a
report's lock against 1.9-5.7 s), ingest 283/182/245 against 285/166/108 sessions/s.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from classroom_console.centre.auth import USAGE

UPSTREAM = """\
limit_conn_zone $binary_remote_addr zone=classroom_centre_clients:10m;
upstream classroom_centre {{
{servers}
    keepalive 64;
}}
upstream classroom_centre_usage {{
{usage}
    keepalive 16;
}}
"""

SERVER = """\
server {{
    listen {listen};
    client_max_body_size 0;
{limit}    proxy_request_buffering off;
    proxy_buffering off;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_read_timeout 120s;
    proxy_send_timeout 120s;
    proxy_next_upstream error timeout http_502;
    location / {{
        proxy_pass http://classroom_centre;
    }}
    location = {usage_path} {{
        proxy_pass http://{usage_upstream};
    }}
}}
"""


def site(upstreams: list[str], listen: str, per_client: int = 64, usage_on_one: bool = True,
         usage_socket: str | None = None) -> str:
    """The ``upstream`` and ``server`` blocks, for /etc/nginx/sites-enabled/ (``upstreams``: HOST:PORT each).

    Every connection a process sees comes from nginx's address, so the cap of connections per client is
    nginx's here (``limit_conn``), and the processes run with ``--max-connections-per-client 0``.
    ``usage_on_one``: usage requests to the first process, the others its backups (False: balanced, as any other
    request; bench/sync_rooms.py --usage-anywhere compares the two).
    ``usage_socket``: the first process's usage socket (``usage_site.socket_path``: in ``config.run_dir``, beside the
    data folder, which stays 0700), asked before its port (the ports then all backups); nginx's workers must be able
    to open it (that folder's group, README).
    """
    servers = "\n".join(f"    server {u} max_fails=1 fail_timeout=10s;" for u in upstreams)
    first = [f"unix:{usage_socket}"] if usage_socket else []
    usage = "\n".join(f"    server {u} " + ("max_fails=1 fail_timeout=10s;" if k == 0 else "backup;")
                      for k, u in enumerate(first + upstreams))
    limit = (f"    limit_conn classroom_centre_clients {per_client};\n    limit_conn_status 429;\n"
             if per_client > 0 else "")  # 0: no cap (a benchmark's many rooms on one address)
    return UPSTREAM.format(servers=servers, usage=usage) + SERVER.format(
        listen=listen, limit=limit, usage_path=USAGE,
        usage_upstream="classroom_centre_usage" if usage_on_one else "classroom_centre")


def standalone(upstreams: list[str], listen: str, prefix: Path, workers: int | str = 1, per_client: int = 64,
               usage_on_one: bool = True, usage_socket: str | None = None) -> str:
    """A whole nginx.conf that runs from ``prefix`` (``nginx -p PREFIX -c nginx.conf -e error.log``) without root."""
    temp = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    return (f"{user}worker_processes {workers};\ndaemon off;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'error.log'} warn;\n"
            "events {\n    worker_connections 4096;\n}\n"
            f"http {{\n    access_log off;\n{temp}\n"
            + site(upstreams, listen, per_client, usage_on_one, usage_socket) + "}\n")
