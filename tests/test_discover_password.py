"""`discover --password P` offers P only to the devices that ask for one, and says which were sent it.

Real simulated devices on loopback (127.0.47.x): a projector behind a password, an open projector and an open ONVIF
camera, all found by the command's own sweep; the real command in a child process, in both languages. It sent a
digest of P to the open camera too (ONVIF signs every request when it has a password), and said nothing of whom.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from devices.sim.onvif_service import SimOnvifConfig, SimOnvifService
from devices.sim.pjlink_projector import SimProjectorConfig, SimulatedProjector

LOCKED, OPEN, CAMERA = "127.0.47.1", "127.0.47.2", "127.0.47.3"
PASSWORD = "a-long-look-password-2026"


async def discover(data: Path, lang: str, *extra: str) -> tuple[int, str, str]:
    env = {**os.environ, "LANGUAGE": lang}
    args = ["--data-dir", str(data), "discover", "--scope", "loopback", "--timeout", "2", "--password", PASSWORD,
            *(f"--sweep={host}" for host in (LOCKED, OPEN, CAMERA)), *extra]
    child = await asyncio.create_subprocess_exec(sys.executable, "-m", "classroom_console", *args, env=env,
                                                 stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(90):
        out, err = await child.communicate()
    assert child.returncode is not None
    return child.returncode, out.decode(), err.decode()


@pytest.mark.parametrize(("lang", "said"), [
    ("en", f"The password was sent to 1 device that asked for one: Locked ({LOCKED})"),
    ("ru", f"Пароль отправлен 1 устройству, запросившему его: Locked ({LOCKED})"),
], ids=["en", "ru"])
async def test_the_password_goes_only_to_the_device_asking_and_the_output_names_it(
    tmp_path: Path, lang: str, said: str
) -> None:
    projectors = [SimulatedProjector(SimProjectorConfig(name=name, host=host, port=4352, udp_port=4352,
                                                        mac=f"02:47:00:00:00:0{n}", password=password))
                  for n, (name, host, password) in enumerate((("Locked", LOCKED, PASSWORD), ("Open", OPEN, None)))]
    camera = SimOnvifService(SimOnvifConfig(host=CAMERA, port=8899, mac="02:47:00:00:00:03"))
    devices: list[SimulatedProjector | SimOnvifService] = [*projectors, camera]
    for device in devices:
        await device.start()
    try:
        rc, out, err = await discover(tmp_path / "a", lang)
        assert rc == 0, err
        lines = out.splitlines()
        assert lines[-1] == said, out  # said nothing of whom it went to
        locked = next(line for line in lines if LOCKED in line)
        assert ("online" if lang == "en" else "в сети") in locked, out
        assert camera.tokens_heard == 0  # an open camera was sent a digest of the password with every request

        if lang != "en":
            return  # scripts read the JSON, the same in every language
        rc, out, err = await discover(tmp_path / "b", lang, "--json")
        assert rc == 0, err
        sent = {d["address"]: d["password_sent"] for d in json.loads(out)}
        assert sent == {LOCKED: True, OPEN: False, CAMERA: False}, out
        assert camera.tokens_heard == 0
    finally:
        for device in devices:
            await device.stop()


def test_an_address_claiming_another_devices_id_is_not_sent_the_password_though_it_asks() -> None:
    """A copy of a projector (its MAC claimed from a second address while the first still answers) would take the
    digest home: the look does not retry it with the password, and the read does not send it either."""
    from classroom_console.commands.discover import asks_for_password
    from devices.driver import ID_CONFLICT
    from devices.model import DeviceInfo, DeviceKind

    def device(state: dict[str, object], reason: str = "") -> DeviceInfo:
        return DeviceInfo("addr:127.0.47.9:4352", DeviceKind.PROJECTOR, "Copy", "127.0.47.9", 4352, "pjlink",
                          reason=reason, state=state)

    assert asks_for_password(device({"needs_password": True}))
    assert not asks_for_password(device({"needs_password": True, "claims": "mac:02:47:00:00:00:00"}))
    assert not asks_for_password(device({"needs_password": True}, str(ID_CONFLICT)))
    assert not asks_for_password(device({}))  # an open device is never sent it
