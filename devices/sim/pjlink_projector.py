"""A PJLink class 1/2 projector on loopback that keeps real state, so the console runs without hardware."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import re
import secrets
from dataclasses import dataclass, field
from typing import Literal

from devices.pjlink.protocol import MAX_MESSAGE, auth_digest
from devices.pjlink.values import ERST_COMPONENTS, PowerState

log = logging.getLogger(__name__)

Fault = Literal["slow", "garbage", "drop", "silent", "wrong_password", "one_per_packet"]
Role = Literal["projector", "board", "display"]

_CLASS1 = frozenset({"POWR", "INPT", "AVMT", "ERST", "LAMP", "INST", "NAME", "INF1", "INF2", "INFO", "CLSS"})
_CLASS2 = frozenset({"INPT", "INST", "SNUM", "SVER", "INNM", "IRES", "RRES", "FILT", "RLMP", "RFIL",
                     "SVOL", "MVOL", "FREZ"})
_LINE = re.compile(r"%([0-9A-Z])([A-Z0-9]{4}) (.+)", re.DOTALL)
_INPUT = {1: re.compile(r"[1-5][1-9]"), 2: re.compile(r"[1-6][1-9A-Z]")}
_INPUT_LABEL = {"1": "Computer", "2": "Video", "3": "HDMI", "4": "USB", "5": "Network", "6": "Internal"}
_PRODUCTS = {"projector": "SimBeam 4000 Projector", "board": "SimBoard 86 Interactive Board",
             "display": "SimPanel 75 Display"}
_READ_CHUNK = 4096
_NEEDS_ON = frozenset({"AVMT", "IRES", "FREZ", "SVOL", "MVOL"})
_BLOCKS_POWER = ("fan", "lamp", "temperature", "cover")


@dataclass
class SimProjectorConfig:
    """Everything that makes one simulated device differ from another."""

    name: str = "Sim Projector"
    host: str = "127.0.0.1"
    port: int = 4352
    udp_port: int | None = 4352
    password: str | None = None
    pjlink_class: int = 2
    role: Role = "projector"
    manufacturer: str = "Classroom Sim"
    product: str = ""
    info: str = "Classroom Console simulator"
    software_version: str = "1.0.0"
    mac: str | None = None
    serial: str | None = None
    inputs: list[str] = field(default_factory=lambda: ["11", "12", "31", "32", "33", "51"])
    input_names: dict[str, str] = field(default_factory=dict)  # INNM's answer by code, else "HDMI 1" and such
    initial_input: str | None = None
    warmup_s: float = 20.0
    cooling_s: float = 15.0
    lamp_count: int = 1
    lamp_hours: int = 0
    filter_hours: int = 0
    lamp_hours_per_second: float = 1 / 3600
    idle_timeout_s: float = 30.0
    fault: Fault | None = None
    slow_delay_s: float = 5.0
    notify_targets: list[tuple[str, int]] = field(default_factory=list)
    notify_controllers: bool = True  # also notify, on UDP 4352, each controller that has sent a command


PJLINK_NOTIFY_PORT = 4352


def _derived(config: SimProjectorConfig) -> bytes:
    return hashlib.sha256(f"{config.host}:{config.port}:{config.name}".encode()).digest()


class _Udp(asyncio.DatagramProtocol):
    """Answers %2SRCH with %2ACKN=<mac> to the sender."""

    def __init__(self, sim: SimulatedProjector) -> None:
        self.sim = sim

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        if data.rstrip(b"\r\n") == b"%2SRCH" and self.sim.answers_search:
            self.sim.send_udp(f"%2ACKN={self.sim.mac}\r".encode(), (str(addr[0]), int(addr[1])))


class SimulatedProjector:
    """One simulated device: TCP control, UDP search answers and class 2 notifications."""

    def __init__(self, config: SimProjectorConfig) -> None:
        self.config = config
        digest = _derived(config)
        local = bytes([digest[0] & 0xFC | 0x02]) + digest[1:6]  # locally administered, unicast
        self._mac = (config.mac or ":".join(f"{b:02x}" for b in local)).lower()
        self._serial = config.serial or f"SIM{digest[6:11].hex().upper()}"
        product = config.product or _PRODUCTS[config.role]
        if config.role == "board" and "interactive board" not in product.lower():
            product = f"{product} Interactive Board"
        self._product = product
        self._power = PowerState.OFF
        self._input = config.initial_input or (config.inputs[0] if config.inputs else "")
        self._mute = {"video": False, "audio": False}
        self._freeze = False
        self._volume = {"SVOL": 10, "MVOL": 10}
        self._errors = dict.fromkeys(ERST_COMPONENTS, 0)
        self._lit_seconds = 0.0
        self._lit_since: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._server: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._sessions: set[_Session] = set()
        self.connections_accepted = 0  # TCP connections so far: tests count what a read cost
        self._targets: list[tuple[str, int]] = list(config.notify_targets)

    # Public surface
    @property
    def host(self) -> str:
        return self.config.host

    @property
    def tcp_port(self) -> int:
        assert self._server is not None, "start() first"
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def udp_port(self) -> int | None:
        return None if self._udp is None else int(self._udp.get_extra_info("sockname")[1])

    @property
    def mac(self) -> str:
        return self._mac

    @property
    def serial(self) -> str:
        return self._serial

    @property
    def power_state(self) -> PowerState:
        return self._power

    @property
    def current_input(self) -> str:
        return self._input

    @property
    def answers_search(self) -> bool:
        return self.config.pjlink_class >= 2 and self.config.fault != "silent"

    @property
    def lamp_hours(self) -> int:
        return self.config.lamp_hours + int(self._lit_total() * self.config.lamp_hours_per_second)

    async def start(self) -> None:
        """Listen on TCP (and UDP unless udp_port is None), then announce LKUP."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Session(self), self.config.host, self.config.port,
                                                backlog=512)
        if self.config.udp_port is not None:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Udp(self), local_addr=(self.config.host, self.config.udp_port))
            self._udp = transport
        self._notify("LKUP", self._mac)

    async def stop(self) -> None:
        """Close every socket and task this simulator opened."""
        if self._timer is not None:
            self._timer.cancel()
        if self._server is not None:
            self._server.close()
        for session in list(self._sessions):
            session.close()  # no task per connection: nothing to cancel, so nothing to print on the way out
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        if self._udp is not None:
            self._udp.close()
            self._udp = None

    async def __aenter__(self) -> SimulatedProjector:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def add_notify_target(self, host: str, port: int) -> None:
        """Send class 2 notifications (LKUP, POWR, ERST, INPT) to this UDP address."""
        if (host, port) not in self._targets:
            self._targets.append((host, port))

    def inject_error(self, component: str, level: int) -> None:
        """Set one ERST component (0 ok, 1 warning, 2 error) and notify."""
        if component not in self._errors or level not in (0, 1, 2):
            raise ValueError(f"component must be one of {ERST_COMPONENTS}, level 0..2")
        self._errors[component] = level
        self._notify("ERST", self._erst())

    def send_udp(self, data: bytes, addr: tuple[str, int]) -> None:
        if self._udp is not None:
            self._udp.sendto(data, addr)

    # Internals
    def _remember_controller(self, transport: asyncio.BaseTransport) -> None:
        """Class 2 status notifications go to the controllers that talk to the device (UDP 4352)."""
        if not self.config.notify_controllers:
            return
        peer = transport.get_extra_info("peername")
        if peer:
            target = (str(peer[0]), PJLINK_NOTIFY_PORT)
            if target not in self._targets:
                self._targets.append(target)

    def _notify(self, cmd: str, value: str) -> None:
        if self.config.pjlink_class >= 2:
            for target in self._targets:
                self.send_udp(f"%2{cmd}={value}\r".encode(), target)

    def _erst(self) -> str:
        return "".join(str(self._errors[c]) for c in ERST_COMPONENTS)

    def _lit_total(self) -> float:
        extra = 0.0 if self._lit_since is None else asyncio.get_running_loop().time() - self._lit_since
        return self._lit_seconds + extra

    def _set_power(self, state: PowerState) -> None:
        loop = asyncio.get_running_loop()
        lit = state in (PowerState.WARMING, PowerState.ON)
        if lit and self._lit_since is None:
            self._lit_since = loop.time()
        elif not lit and self._lit_since is not None:
            self._lit_seconds += loop.time() - self._lit_since
            self._lit_since = None
        self._power = state
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if state is PowerState.WARMING:
            self._timer = loop.call_later(self.config.warmup_s, self._set_power, PowerState.ON)
        elif state is PowerState.COOLING:
            self._timer = loop.call_later(self.config.cooling_s, self._set_power, PowerState.OFF)
        if state is not PowerState.ON:
            self._freeze = False
        self._notify("POWR", str(int(state)))

    def _respond(self, text: str) -> str | None:
        """One command line (digest removed) to its reply line without CR; None to ignore it."""
        match = _LINE.fullmatch(text)
        if match is None:
            return None
        cls_s, cmd, param = match.groups()
        head = f"%{cls_s}{cmd}="
        cls = int(cls_s) if cls_s.isdigit() else 0
        allowed = _CLASS1 if cls == 1 else _CLASS2 if cls == 2 and self.config.pjlink_class >= 2 else None
        if allowed is None or cmd not in allowed:
            return head + "ERR1"
        if len(text) + 1 > MAX_MESSAGE:
            return head + "ERR2"
        return head + self._execute(cls, cmd, param)

    def _execute(self, cls: int, cmd: str, param: str) -> str:
        cfg = self.config
        on = self._power is PowerState.ON
        if cmd in _NEEDS_ON and not on:
            return "ERR2" if cmd in ("SVOL", "MVOL") and param not in ("0", "1") else "ERR3"
        if cmd == "POWR":
            return self._powr(param)
        if cmd == "INPT":
            return self._inpt(cls, param)
        if cmd == "AVMT":
            return self._avmt(param)
        if cmd in ("SVOL", "MVOL"):
            if param not in ("0", "1"):
                return "ERR2"
            self._volume[cmd] = max(0, min(30, self._volume[cmd] + (1 if param == "1" else -1)))
            return "OK"
        if cmd == "FREZ":
            if param == "?":
                return str(int(self._freeze))
            if param not in ("0", "1"):
                return "ERR2"
            self._freeze = param == "1"
            return "OK"
        if cmd == "INNM":
            code = param[1:]
            return self._input_name(code) if param[:1] == "?" and code in self._inputs(2) else "ERR2"
        if param != "?":
            return "ERR2"
        if cmd == "LAMP" and cfg.lamp_count < 1:
            return "ERR1"
        if cmd == "IRES":
            return self._resolution()
        # Only the asked field is worked out: building every field for every query was most of the simulator's
        # CPU in a campus bench (25 queries a device), and it runs on the cores the console is measured on.
        if cmd == "ERST":
            return self._erst()
        if cmd == "LAMP":
            return " ".join(f"{self.lamp_hours} {int(self._lit_since is not None)}"
                            for _ in range(min(cfg.lamp_count, 8)))
        if cmd == "INST":
            return " ".join(self._inputs(cls))
        if cmd == "FILT":
            return str(cfg.filter_hours + int(self._lit_total() * cfg.lamp_hours_per_second))
        return {
            "NAME": cfg.name[:64],
            "INF1": cfg.manufacturer[:32],
            "INF2": self._product[:32],
            "INFO": cfg.info[:32],
            "CLSS": str(cfg.pjlink_class),
            "SNUM": self._serial[:32],
            "SVER": cfg.software_version[:32],
            "RRES": "1920x1080",
            "RLMP": "SIM-LMP-01" if cfg.lamp_count else "",
            "RFIL": "SIM-FLT-01" if cfg.lamp_count else "",
        }[cmd]

    def _inputs(self, cls: int) -> list[str]:
        pattern = _INPUT[min(cls, self.config.pjlink_class)]
        return [code for code in self.config.inputs if pattern.fullmatch(code)]

    def _input_name(self, code: str) -> str:
        return self.config.input_names.get(code) or f"{_INPUT_LABEL.get(code[0], 'Input')} {code[1]}"

    def _resolution(self) -> str:
        kind = self._input[:1]
        return "1920x1080" if kind == "3" else "1024x768" if kind == "1" else "-"

    def _powr(self, param: str) -> str:
        if param == "?":
            return str(int(self._power))
        if param == "1":
            if self._power is PowerState.COOLING:
                return "ERR3"
            if any(self._errors[c] == 2 for c in _BLOCKS_POWER):
                return "ERR4"
            if self._power is PowerState.OFF:
                self._set_power(PowerState.WARMING)
            return "OK"
        if param == "0":
            if self._power is PowerState.WARMING:
                return "ERR3"
            if self._power is PowerState.ON:
                self._set_power(PowerState.COOLING)
            return "OK"
        return "ERR2"

    def _inpt(self, cls: int, param: str) -> str:
        on = self._power is PowerState.ON
        if param == "?":
            return self._input if on else "ERR3"
        if not _INPUT[cls].fullmatch(param) or param not in self._inputs(cls):
            return "ERR2"
        if not on:
            return "ERR3"
        if param != self._input:
            self._input = param
            self._notify("INPT", param)
        return "OK"

    def _avmt(self, param: str) -> str:
        video, audio = self._mute["video"], self._mute["audio"]
        if param == "?":
            if video and audio:
                return "31"
            return "11" if video else "21" if audio else "30"
        if len(param) != 2 or param[0] not in "123" or param[1] not in "01":
            return "ERR2"
        state = param[1] == "1"
        if param[0] in "13":
            self._mute["video"] = state
        if param[0] in "23":
            self._mute["audio"] = state
        return "OK"


class _Session(asyncio.Protocol):
    """One controller's connection, answered from ``data_received``: no task and no stream pair per connection.

    A campus bench opens ~3,000 connections to 1,000 simulated devices in a few seconds on the same cores as the
    console it measures; a task with a StreamReader/StreamWriter per connection cost the simulator about as much
    CPU as the console's own work. Lines that arrive together are answered in one write, as firmware would.
    """

    def __init__(self, sim: SimulatedProjector) -> None:
        self.sim = sim
        self.transport: asyncio.Transport | None = None
        self.pending = b""
        self.challenge: str | None = None
        self.last_heard = 0.0
        self.reply_at = 0.0  # "slow" fault: when the last delayed reply goes out (replies stay in order)
        self.timers: set[asyncio.TimerHandle] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.sim._sessions.add(self)
        self.sim.connections_accepted += 1
        cfg = self.sim.config
        loop = asyncio.get_running_loop()
        self.last_heard = loop.time()
        self.timers.add(loop.call_later(cfg.idle_timeout_s, self._idle_check))
        if cfg.fault == "silent":
            return  # says nothing; hangs up after the idle timeout
        wants_auth = cfg.password is not None or cfg.fault == "wrong_password"
        self.challenge = secrets.token_hex(4) if wants_auth else None
        transport.write(b"PJLINK 0\r" if self.challenge is None else f"PJLINK 1 {self.challenge}\r".encode())

    def connection_lost(self, exc: Exception | None) -> None:
        self.sim._sessions.discard(self)
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        self.transport = None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _idle_check(self) -> None:
        """Hang up on a controller silent for the idle timeout (one timer, re-armed lazily, not one per read)."""
        loop = asyncio.get_running_loop()
        due = max(self.last_heard, self.reply_at) + self.sim.config.idle_timeout_s
        if loop.time() >= due:
            self.close()
        elif self.transport is not None:
            self.timers.add(loop.call_at(due, self._idle_check))

    def data_received(self, data: bytes) -> None:
        cfg = self.sim.config
        if cfg.fault == "silent" or self.transport is None:
            return
        self.last_heard = asyncio.get_running_loop().time()
        self.pending += data
        if b"\r" not in self.pending:
            if len(self.pending) > _READ_CHUNK:
                self.close()  # no line end in a screenful of bytes: not a controller
            return
        *lines, self.pending = self.pending.split(b"\r")
        if cfg.fault == "one_per_packet":  # as a naive module: the first line of a packet, the rest dropped
            lines, self.pending = lines[:1], b""
        replies: list[bytes] = []
        for raw in lines:
            text = raw.decode("utf-8", errors="replace")
            if self.challenge is not None:
                expected = auth_digest(self.challenge, cfg.password or "")
                if cfg.fault == "wrong_password" or text[:32] != expected:
                    self.transport.write(b"".join(replies) + b"PJLINK ERRA\r")
                    self.close()
                    return
                text, self.challenge = text[32:], None
            reply = self.sim._respond(text)
            if reply is not None:
                replies.append(reply.encode()[: MAX_MESSAGE - 1].decode(errors="ignore").encode() + b"\r")
        if not replies:
            return
        self.sim._remember_controller(self.transport)
        if cfg.fault in (None, "one_per_packet"):
            self.transport.write(b"".join(replies))
        else:
            for body in replies:
                self._send_faulty(body)

    def _send_faulty(self, data: bytes) -> None:
        fault = self.sim.config.fault
        if fault == "slow":
            loop = asyncio.get_running_loop()
            self.reply_at = max(loop.time(), self.reply_at) + self.sim.config.slow_delay_s
            self.timers.add(loop.call_at(self.reply_at, self._write, data))
            return
        if fault == "garbage":
            data = bytes(random.choice(b"#$&*+-/0123456789@ABCXYZ^_xyz~") for _ in range(24)) + b"\r"
        elif fault == "drop":
            self._write(data[: len(data) // 2])
            self.close()
            return
        self._write(data)

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)
