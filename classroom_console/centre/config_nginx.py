"""nginx in front of several centre processes: the configuration the tests and the benchmark run, and the README shows.

What matters for the centre: request bodies are streamed to a process as they arrive (``proxy_request_buffering
off``), so a recording's bytes land and are noted every few MiB instead of waiting in nginx's temp file; no
body size cap of nginx's own (the centre has its per-endpoint caps); and a request that could not reach a
process (refused, or a process that went away) is tried on the next one.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

UPSTREAM = """\
limit_conn_zone $binary_remote_addr zone=classroom_centre_clients:10m;
upstream classroom_centre {{
{servers}
    keepalive 64;
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
}}
"""


def site(upstreams: list[str], listen: str, per_client: int = 64) -> str:
    """The ``upstream`` and ``server`` blocks, for /etc/nginx/sites-enabled/ (``upstreams``: HOST:PORT each).

    Every connection a process sees comes from nginx's address, so the cap of connections per client is
    nginx's here (``limit_conn``), and the processes run with ``--max-connections-per-client 0``.
    """
    servers = "\n".join(f"    server {u} max_fails=1 fail_timeout=10s;" for u in upstreams)
    limit = (f"    limit_conn classroom_centre_clients {per_client};\n    limit_conn_status 429;\n"
             if per_client > 0 else "")  # 0: no cap (a benchmark's many rooms on one address)
    return UPSTREAM.format(servers=servers) + SERVER.format(listen=listen, limit=limit)


def standalone(upstreams: list[str], listen: str, prefix: Path, workers: int = 1, per_client: int = 64) -> str:
    """A whole nginx.conf that runs from ``prefix`` (``nginx -p PREFIX -c nginx.conf -e error.log``) without root."""
    temp = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    return (f"{user}worker_processes {workers};\ndaemon off;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'error.log'} warn;\n"
            "events {\n    worker_connections 4096;\n}\n"
            f"http {{\n    access_log off;\n{temp}\n" + site(upstreams, listen, per_client) + "}\n")
