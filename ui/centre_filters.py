"""The Centre workspace's filter bar: where the figures come from, dates, room and lecturer."""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from classroom_console.usage import local_utc_offset_h
from classroom_console.usage_model import UsageFilter

LOCAL, CENTRE = "local", "centre"


class FilterBar(QWidget):
    sig_apply = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(8)
        # Two rows: in Russian one row of seven fields ran past a 1366-px screen and cut the placeholders.
        layout = QHBoxLayout()
        second = QHBoxLayout()
        rows.addLayout(layout)
        rows.addLayout(second)
        self.source = QComboBox()
        self.source.addItem(self.tr("This room"), LOCAL)
        self.source.addItem(self.tr("All rooms (centre)"), CENTRE)
        today = QDate.currentDate()
        self.since = QDateEdit(today.addDays(-90))
        self.until = QDateEdit(today)
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.room = QLineEdit()
        self.room.setPlaceholderText(self.tr("any room"))
        self.lecturer = QLineEdit()
        self.lecturer.setPlaceholderText(self.tr("any lecturer"))
        for line in (self.room, self.lecturer):
            line.setMinimumWidth(220)
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.apply = QPushButton(self.tr("Show"))
        self.apply.setObjectName("primary")
        for label, widget in ((self.tr("Source"), self.source), (self.tr("From"), self.since),
                              (self.tr("To"), self.until)):
            layout.addWidget(QLabel(label))
            layout.addWidget(widget)
        layout.addStretch(1)
        for label, line in ((self.tr("Room"), self.room), (self.tr("Lecturer"), self.lecturer)):
            second.addWidget(QLabel(label))
            second.addWidget(line, 1)
        second.addWidget(self.apply)
        second.addStretch(1)
        self.apply.clicked.connect(self.sig_apply.emit)
        for line in (self.room, self.lecturer):
            line.returnPressed.connect(self.sig_apply.emit)

    def usage_filter(self) -> UsageFilter:
        return UsageFilter(
            since=self.since.date().toPython(),  # type: ignore[arg-type]
            until=self.until.date().toPython(),  # type: ignore[arg-type]
            room=self.room.text().strip() or None,
            lecturer=self.lecturer.text().strip() or None,
            utc_offset_h=local_utc_offset_h(),
        )

    def from_centre(self) -> bool:
        return self.source.currentData() == CENTRE
