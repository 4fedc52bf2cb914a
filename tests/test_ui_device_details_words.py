"""A device's details speak the window's language: Russian showed "Питание: on" and "PJLINK class 2", the device's
power as it said it and a word that was never collected for translation (tr() inside an f-string)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget
from pytestqt.qtbot import QtBot

from devices.model import Availability, DeviceInfo, DeviceKind
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.device_details import DeviceDetails

SAID = {"en": {"Power": "On", "Protocol": "PJLINK, class 2"},
        "ru": {"Питание": "Включён", "Протокол": "PJLINK, класс 2"}}


def rows(form: QFormLayout) -> dict[str, str]:
    said = {}
    for row in range(form.rowCount()):
        label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label is None or field is None:
            continue
        name, value = label.widget(), field.widget()
        assert isinstance(name, QLabel) and isinstance(value, QWidget)
        said[name.text()] = value.text() if isinstance(value, QLabel) else ""
    return said


@pytest.mark.parametrize("protocol_class", ["2", ""])
def test_power_and_protocol_in_the_windows_words(qtbot: QtBot, language: str, protocol_class: str) -> None:  # noqa: F811
    dialog = DeviceDetails()
    qtbot.addWidget(dialog)
    dialog.show_device(DeviceInfo("mac:02:cc:80:00:00:01", DeviceKind.PROJECTOR, "Projector 1", "127.0.80.1", 4352,
                                  "pjlink", protocol_class=protocol_class, availability=Availability.ONLINE,
                                  state={"power": "on"}))
    said = rows(dialog.form)
    power, protocol = SAID[language]
    assert said[power] == SAID[language][power]
    expected = SAID[language][protocol] if protocol_class else "PJLINK"  # no class said: no word for it
    assert said[protocol] == expected, said


DETAIL = {"en": ("Technical detail", "Why"), "ru": ("Технические подробности", "Причина")}


def test_a_well_device_has_no_technical_detail_a_failing_one_has(qtbot: QtBot, language: str) -> None:  # noqa: F811
    """Read and well, its detail is its state again as the device said it: Russian showed «Технические подробности:
    off». A device that fails keeps it, under the reason in the window's words: what support asks for."""
    dialog = DeviceDetails()
    qtbot.addWidget(dialog)
    detail, why = DETAIL[language]
    dialog.show_device(DeviceInfo("mac:02:cc:80:00:00:02", DeviceKind.PROJECTOR, "Projector 2", "127.0.80.2", 4352,
                                  "pjlink", availability=Availability.ONLINE,
                                  state={"power": "off", "detail": "off"}))
    well = rows(dialog.form)
    assert detail not in well and "off" not in well.values(), well
    dialog.show_device(DeviceInfo("mac:02:cc:80:00:00:02", DeviceKind.PROJECTOR, "Projector 2", "127.0.80.2", 4352,
                                  "pjlink", availability=Availability.OFFLINE, reason="no-answer",
                                  state={"detail": "no answer within 3 s"}))
    failing = rows(dialog.form)
    assert failing[detail] == "no answer within 3 s" and failing[why], failing
