"""PJLink behind the driver interface: the poller keeps the state, commands share its one connection."""

from __future__ import annotations

from typing import Any

from devices.driver import Capability, Command, CommandError, Driver, DriverOptions, Reason
from devices.model import Availability, DeviceInfo
from devices.pjlink.client import PJLinkClient
from devices.pjlink.errors import PJLinkError, PJLinkParamError
from devices.pjlink.plain_state import CAPABILITIES, projector_state
from devices.pjlink.poller import PJLinkPoller, reason_of
from devices.pjlink.values import parse_input


class PJLinkDriver(Driver):
    capabilities = CAPABILITIES

    def __init__(self, info: DeviceInfo, options: DriverOptions) -> None:
        super().__init__()
        client = PJLinkClient(info.address, info.port, password=options.password, timeout=options.timeout_s)
        self.poller = PJLinkPoller(client, interval_s=options.poll_interval_s)
        self.poller.on_change = lambda _state: self._changed()

    @property
    def availability(self) -> Availability:
        return self.poller.availability

    @property
    def reason(self) -> Reason:
        return self.poller.reason

    @property
    def detail(self) -> str:
        return self.poller.detail

    @property
    def name(self) -> str:
        state = self.poller.state
        return (state.name or "") if state is not None else ""

    def state(self) -> dict[str, Any]:
        state = self.poller.state
        return projector_state(state) if state is not None else {}

    async def start(self) -> None:
        await self.poller.start()

    async def stop(self) -> None:
        await self.poller.stop()

    async def refresh(self) -> None:
        await self.poller.refresh()

    async def command(self, command: Command) -> None:
        try:
            await self._run(command)
        except PJLinkError as exc:
            raise CommandError(reason_of(exc, self.poller.client.password is not None), str(exc)) from exc
        await self.poller.refresh()

    async def _run(self, command: Command) -> None:
        poller, value = self.poller, command.value
        match command.name:
            case Capability.POWER:
                await (poller.power_on() if value else poller.power_off())
            case Capability.INPUT:
                await poller.set_input(await self._input_code(str(value)))
            case Capability.BLANK:
                await poller.set_mute(True, True, bool(value))
            case Capability.FREEZE:
                await poller.freeze(bool(value))
            case _:
                raise CommandError(Reason.UNSUPPORTED, f"a projector has no {command.name!r} command")

    async def _input_code(self, wanted: str) -> str:
        """An input by its code ("31") or the name the device gives it ("HDMI 1"), as a user would type it."""
        try:
            return parse_input(wanted).code
        except PJLinkParamError:
            names: dict[str, str] = self.state().get("inputs") or {}
            if not names:
                names = await self.poller.run(lambda c: c.input_names())
            for code, label in names.items():
                if str(label).casefold() == wanted.casefold():
                    return str(code)
            known = ", ".join(map(str, names.values())) or "none reported yet"
            raise CommandError(Reason.BAD_VALUE, f"no input called {wanted!r}; this device has: {known}") from None
