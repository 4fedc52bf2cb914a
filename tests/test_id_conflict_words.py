"""A device another address claims to be (devices.driver.ID_CONFLICT) is said as such on its card and in the CLI, in
both languages: it read "Something went wrong." (R8), and the lecturer saw a broken projector with no hint why."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication

from classroom_console import cli_reasons
from classroom_console.cli_text import speaking
from devices.driver import ID_CONFLICT
from devices.model import Availability, DeviceInfo, DeviceKind
from ui import i18n
from ui.device_card import DeviceCard
from ui.reasons import reason_text


@pytest.mark.parametrize(("lang", "words"), [("en", "claims to be this one"), ("ru", "выдаёт себя за это")])
def test_the_card_says_another_device_claims_to_be_this_one(qapp: QCoreApplication, lang: str, words: str) -> None:
    device = DeviceInfo("mac:00:11:22:33:44:55", DeviceKind.PROJECTOR, "Board", "127.0.0.9", 4352, "pjlink",
                        availability=Availability.FAULT, reason=ID_CONFLICT, state={"id_conflict": "127.0.0.7:4352"})
    translators = i18n.install(qapp, lang)
    try:
        [problem] = DeviceCard._problems(device)
        assert words in problem and "127.0.0.7:4352" in problem, problem
        assert "127.0.0.7:4352" in reason_text(ID_CONFLICT, "127.0.0.7:4352")
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_the_command_line_says_it_with_the_other_address() -> None:
    with speaking("ru"):
        assert cli_reasons.reason_text(ID_CONFLICT, "127.0.0.7:4352") == (
            "Устройство по адресу 127.0.0.7:4352 выдаёт себя за это: проверьте сеть аудитории.")
        assert "выдаёт себя за это" in cli_reasons.reason_text(ID_CONFLICT)
    assert "Something went wrong" not in cli_reasons.reason_text(ID_CONFLICT)


def test_the_window_speaks_the_language_the_command_line_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """LANGUAGE=ru with an English locale: the window is Russian, as the chapters the core names for it are."""
    monkeypatch.setenv("LANGUAGE", "ru")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert i18n.pick_language(None) == "ru" and i18n.pick_language("en") == "en"
