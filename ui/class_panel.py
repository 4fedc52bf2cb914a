"""The Lecturer's Class tab: students' tablets — join code and QR, activities, live results, raised hands.

Drives ``classroom_console.tablets.ClassSession`` (the core's, opened by the session's scene or here)
through the bridge: calls are run with ``bridge.run``, news arrives as ``bridge.sig_tablets``. Names and
open answers are students' text: shown in plain-text labels and list items only, never as markup.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from classroom_console.tablets import ClassSession
from classroom_console.tablets import events as ev
from classroom_console.tablets.activities import poll_problem
from ui.bridge import RoomBridge
from ui.class_chart import ResultsChart
from ui.class_projector import ProjectorWindow
from ui.class_qr import qr_pixmap
from ui.frame_gate import FrameGate
from ui.reasons import poll_problem_text
from ui.widgets import ElidedLabel

QR_SIZE = 132
QR_MIN = 100  # 3 px a module for a join link's 33: phones still read it off the screen
QR_STEP = 4
BODY_TOP = 8
HANDS_SHOWN = 8
REDRAW_MS = 100
FRAME_MS = 16
SCORES_SHOWN = 5
COMPACT = "padding: 6px 8px; min-height: 24px;"  # a button a row lower than the style sheet's 50 px


def _plain(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # students' words are text, never markup
    if name:
        label.setObjectName(name)
    return label


class ClassPanel(QWidget):
    def __init__(self, bridge: RoomBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.projector: ProjectorWindow | None = None
        self.activity: dict[str, Any] | None = None  # the activity shown (ActivityStarted's dict)
        self.counts: dict[str, int] = {}
        self.correct: tuple[str, ...] = ()
        self.responders = 0
        self.code = ""
        self.url = ""
        self._qr_drawn = 0  # the size the QR code was last drawn at
        self._timer_end: float | None = None
        self._clock = QTimer(self)
        self._clock.setInterval(250)
        self._clock.timeout.connect(self._show_timer)
        # Answers, hands and joins can arrive hundreds a second (a hostile tablet's thousands): each is drawn at
        # once when alone, then at most once a frame (the chart every REDRAW_MS) with the latest state.
        self._counts_gate = FrameGate(REDRAW_MS, self._draw_counts, self)
        self._answer_items: dict[int, QListWidgetItem] = {}  # seat -> its open answer's row
        self._hands_due: tuple[tuple[int, str], ...] = ()
        self._hands_gate = FrameGate(FRAME_MS, self._draw_hands, self)
        self._joined_due: ev.TabletJoined | ev.TabletLeft | None = None
        self._joined_gate = FrameGate(FRAME_MS, self._draw_joined, self)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()  # never pushes the window past a 768-px screen: scrolls instead
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("workspace")
        row = QHBoxLayout(body)
        row.setContentsMargins(0, BODY_TOP, 0, 0)
        row.setSpacing(12)
        self.join_panel = self._join_column()
        row.addWidget(self.join_panel, 0)
        row.addWidget(self._activity_column(), 2)
        row.addWidget(self._results_column(), 3)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self.tab_scroll = scroll
        scroll.viewport().installEventFilter(self)  # its height decides the QR code's (_fit_qr)

        bridge.sig_tablets.connect(self.on_event)
        # Bound methods, not lambdas: Qt drops them with this widget, so a late signal never reaches a deleted one.
        bridge.sig_session_started.connect(self._session_changed)
        bridge.sig_session_ended.connect(self._session_changed)
        self._enable()

    # -- building ---------------------------------------------------------------------------
    def _join_column(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("panel")
        grid = QGridLayout(panel)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        title = QLabel(self.tr("Join code"))
        title.setObjectName("sectionTitle")
        self.code_label = _plain("—")
        self.code_label.setStyleSheet("font-size: 28pt; font-weight: bold; color: #1d3557; letter-spacing: 4px;")
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label = QLabel()
        self.qr_label.setFixedSize(QR_SIZE, QR_SIZE)
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.joined_label = _plain(self.tr("No tablets yet"))
        self.joined_label.setWordWrap(True)
        self.joined_label.setMaximumWidth(200)
        self.latest_label = ElidedLabel()  # who joined last, one line under the code (a name is the student's own)
        self.latest_label.setTextFormat(Qt.TextFormat.PlainText)
        self.latest_label.hide()
        self.open_button = QPushButton(self.tr("Open for tablets"))
        self.open_button.clicked.connect(self.toggle_tablets)
        self.projector_button = QPushButton(self.tr("Show on projector"))
        self.projector_button.setToolTip(self.tr("The code and the live chart, full screen on the projector's display"))
        self.projector_button.clicked.connect(self.show_on_projector)
        # The QR beside the title and the tablets' count, the code under them, the buttons a compact row each, the
        # link on hover (the QR holds it, the projector shows it whole; here it was cut to "http://192.0.2.2:8…"):
        # the tab keeps all of it in sight at 1366x768 while a scene's chips are shown above (it scrolled by 81 px).
        title.setWordWrap(True)
        grid.addWidget(title, 0, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.joined_label, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.qr_label, 0, 1, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.code_label, 2, 0, 1, 2)
        grid.addWidget(self.latest_label, 3, 0, 1, 2)
        grid.addWidget(self.open_button, 4, 0, 1, 2)
        grid.addWidget(self.projector_button, 5, 0, 1, 2)
        for button in (self.open_button, self.projector_button):
            button.setStyleSheet(COMPACT)
        grid.setRowStretch(1, 1)
        grid.setRowStretch(6, 1)
        self._join_grid = grid
        panel.setMaximumWidth(280)
        return panel

    def _activity_column(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("panel")
        column = QVBoxLayout(panel)
        column.setContentsMargins(16, 12, 16, 12)
        column.setSpacing(6)
        title = QLabel(self.tr("Ask the class"))
        title.setObjectName("sectionTitle")
        self.kind_picker = QComboBox()
        self.kind_picker.addItem(self.tr("Poll: one choice"), "single")
        self.kind_picker.addItem(self.tr("Poll: several choices"), "multiple")
        self.kind_picker.addItem(self.tr("Quiz"), "quiz")
        self.kind_picker.addItem(self.tr("Open answer"), "open")
        self.kind_picker.currentIndexChanged.connect(self._kind_chosen)
        self.kind_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.question_edit = QLineEdit()
        self.question_edit.setPlaceholderText(self.tr("Question"))
        self.question_edit.setMaxLength(300)
        self.options_edit = QPlainTextEdit()
        self.options_edit.setPlaceholderText(self.tr("One option per line"))
        self.options_edit.setMinimumHeight(56)
        # Takes the height left over, never asks for more (the tab scrolls rather than crowd a 768-px screen).
        self.options_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.problem = _plain(name="cardProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()  # a line only while there is something to say (see _say)
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.clicked.connect(self.start_activity)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setToolTip(self.tr("Stop taking answers"))
        self.close_button.clicked.connect(self.close_activity)
        self.share_button = QPushButton(self.tr("Share results"))
        self.share_button.setToolTip(self.tr("Show the counts on the students' tablets"))
        self.share_button.clicked.connect(self.share_results)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.close_button, self.share_button):
            button.setStyleSheet("padding: 10px 8px;")  # three in a row fit in Russian too
            buttons.addWidget(button)
        self.timer_spin = QSpinBox()
        self.timer_spin.setRange(10, 3600)
        self.timer_spin.setSingleStep(30)
        self.timer_spin.setValue(120)
        self.timer_spin.setSuffix(self.tr(" s"))
        self.timer_button = QPushButton(self.tr("Timer"))
        self.timer_button.setToolTip(self.tr("A countdown on every tablet and on the projector"))
        self.timer_button.clicked.connect(self.toggle_timer)
        self.eyes_button = QPushButton(self.tr("Eyes on the board"))
        self.eyes_button.setCheckable(True)
        self.eyes_button.setToolTip(self.tr("Dim every tablet until you release them"))
        self.eyes_button.clicked.connect(self.toggle_eyes)
        extras = QHBoxLayout()  # the timer and Eyes on the board share a row: the tab fits 1366x768 (see above)
        extras.addWidget(self.timer_spin)
        extras.addWidget(self.timer_button, 1)
        extras.addWidget(self.eyes_button, 1)
        for button in (self.timer_button, self.eyes_button):
            button.setStyleSheet(COMPACT)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.kind_picker)
        column.addLayout(head)
        column.addWidget(self.question_edit)
        column.addWidget(self.options_edit, 1)
        column.addLayout(buttons)
        column.addWidget(self.problem)
        column.addLayout(extras)
        panel.setMaximumWidth(430)  # the rest goes to the chart
        return panel

    def _results_column(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("panel")
        grid = QGridLayout(panel)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        title = QLabel(self.tr("Results"))
        title.setObjectName("sectionTitle")
        self.answered_label = _plain()
        self.answered_label.setObjectName("pageSubtitle")
        self.chart = ResultsChart()
        self.scores_label = _plain()  # after a quiz: the best scores so far (students' names: plain text)
        self.scores_label.setObjectName("pageSubtitle")
        self.scores_label.setWordWrap(True)
        self.scores_label.hide()
        self.answers_list = QListWidget()  # list items are plain text: a student's "<b>" shows as typed
        self.answers_list.setWordWrap(True)
        self.answers_list.hide()
        self.approve_button = QPushButton(self.tr("Show to the class"))
        self.approve_button.setToolTip(self.tr("The chosen answer appears on every tablet, without its author"))
        self.approve_button.clicked.connect(self.approve_selected)
        self.approve_button.hide()
        hands_title = QLabel(self.tr("Raised hands"))
        hands_title.setObjectName("sectionTitle")
        self.hands_box = QGridLayout()  # two names to a row, under the chart
        self.hands_box.setHorizontalSpacing(12)
        self.hands_box.setVerticalSpacing(2)
        self.hand_labels: list[QLabel] = []
        self.no_hands = _plain(self.tr("None"))
        self.no_hands.setObjectName("pageSubtitle")
        self.lower_button = QPushButton(self.tr("Next"))
        self.lower_button.setStyleSheet("padding: 10px 6px;")
        self.lower_button.setToolTip(self.tr("Lower the first hand in the queue"))
        self.lower_button.clicked.connect(self.lower_first_hand)
        hands_head = QHBoxLayout()
        hands_head.setSpacing(8)  # "Raised hands" and "None" read as one word without it
        hands_head.addWidget(hands_title)
        hands_head.addWidget(self.no_hands)  # "None" beside the title: no line of its own
        hands_head.addStretch(1)
        hands_head.addWidget(self.lower_button)
        results = QVBoxLayout()
        head = QHBoxLayout()
        head.setSpacing(12)
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.answered_label)
        results.addLayout(head)
        self.results_hint = _plain(self.tr("Start a poll, a quiz or an open question: the answers appear here "
                                           "as they come, and Show on projector puts them on the big screen."))
        self.results_hint.setObjectName("pageSubtitle")
        self.results_hint.setWordWrap(True)
        self.results_hint.setAlignment(Qt.AlignmentFlag.AlignTop)
        results.addWidget(self.results_hint, 1)
        results.addWidget(self.chart, 1)
        self.chart.hide()  # until the first activity
        results.addWidget(self.scores_label)
        results.addWidget(self.answers_list, 1)
        results.addWidget(self.approve_button)
        # The hands under the results, not in a column beside them: there the chart was ~180 px wide at 1366x768,
        # its question cut and its second bar below the fold.
        results.addLayout(hands_head)
        results.addLayout(self.hands_box)
        grid.addLayout(results, 0, 0)
        return panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.tab_scroll.viewport():
            self._fit_qr()
        return False

    def _fit_qr(self) -> None:
        """The QR code as large as the tab's height allows (QR_SIZE down to QR_MIN): the join column is the tab's
        tallest, and at 1366x768 with a scene's chips above it was 81 px more than the tab (it scrolled, its
        buttons out of sight). A smaller code also widens the tablets' count beside it, so fewer lines."""
        room = self.tab_scroll.viewport().height() - BODY_TOP
        layout = self._join_grid
        width = self.join_panel.width()
        fitted = QR_MIN
        for size in range(QR_SIZE, QR_MIN - 1, -QR_STEP):
            self.qr_label.setFixedSize(size, size)
            layout.invalidate()
            if max(layout.totalHeightForWidth(width), layout.totalMinimumSize().height()) <= room:
                fitted = size
                break
        self.qr_label.setFixedSize(fitted, fitted)
        if self.url and fitted != self._qr_drawn:
            self._draw_qr()

    def _draw_qr(self) -> None:
        self._qr_drawn = self.qr_label.width()
        self.qr_label.setPixmap(qr_pixmap(self.url, self._qr_drawn))

    # -- state ------------------------------------------------------------------------------
    def tablets(self) -> ClassSession | None:
        session = self.bridge.core.scenes.class_session
        return session if session is not None and session.running else None

    def _enable(self) -> None:
        running = self.bridge.room.session is not None
        open_ = self.tablets() is not None
        self.open_button.setEnabled(running)
        self.open_button.setText(self.tr("Close for tablets") if open_ else self.tr("Open for tablets"))
        self.open_button.setToolTip("" if running else self.tr("Start a session first"))
        for widget in (self.start_button, self.timer_button, self.eyes_button, self.lower_button):
            widget.setEnabled(open_)
        current_open = open_ and self.activity is not None and self._still_open()
        self.close_button.setEnabled(current_open)
        self.share_button.setEnabled(open_ and self.activity is not None)
        self.approve_button.setEnabled(open_)

    def _session_changed(self, *_args: object) -> None:
        self._enable()

    def _still_open(self) -> bool:
        tablets = self.tablets()
        return tablets is not None and tablets.current is not None and tablets.current.open

    def _kind_chosen(self) -> None:
        kind = self.kind_picker.currentData()
        self.options_edit.setEnabled(kind != "open")
        self.options_edit.setPlaceholderText(
            self.tr("One option per line; put * before each right answer") if kind == "quiz"
            else self.tr("One option per line"))

    # -- lecturer actions -------------------------------------------------------------------
    def toggle_tablets(self) -> None:
        director = self.bridge.core.scenes
        self.open_button.setEnabled(False)
        self.bridge.run(director.open_tablets(self.tablets() is None), on_done=lambda _r: self._enable(),
                        on_error=lambda _e: self._enable(), what=self.tr("open the tablets"), owner=self)

    def start_activity(self) -> None:
        tablets = self.tablets()
        if tablets is None:
            return
        kind = str(self.kind_picker.currentData())
        question = self.question_edit.text().strip()
        lines = [line.strip() for line in self.options_edit.toPlainText().splitlines() if line.strip()]
        if not question:
            self._say(self.tr("Type the question first."))
            return
        self._say("")
        self.question_edit.setCursorPosition(0)  # its start in sight, not its last words, while it is asked
        if kind == "open":
            call = tablets.ask(question)
        else:
            correct = [line.lstrip("*").strip() for line in lines if line.startswith("*")]
            options = [line.lstrip("*").strip() for line in lines]
            if len(options) < 2:
                self._say(self.tr("Give at least two options, one per line."))
                return
            if len(set(options)) != len(options):
                self._say(self.tr("Two options are the same."))
                return
            if kind == "quiz" and not correct:
                self._say(self.tr("Mark the right answers with * at the start of their line."))
                return
            # The core's own checks first, worded by their code (more than 12 options, two right answers to a
            # single choice): the window said only "The activity could not start."
            problem = poll_problem(question, options, multiple=kind == "multiple", correct=correct)
            if problem is not None:
                self._say(poll_problem_text(str(problem.reason), problem.value))
                return
            call = tablets.start_poll(question, options, multiple=kind == "multiple", correct=correct)
        self.bridge.run(call, what=self.tr("start the activity"), owner=self,
                        on_error=lambda _e: self._say(self.tr("The activity could not start.")))

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def close_activity(self) -> None:
        tablets = self.tablets()
        if tablets is not None and tablets.current is not None:
            self.bridge.run(tablets.close_poll(), what=self.tr("close the activity"), owner=self)

    def share_results(self) -> None:
        tablets = self.tablets()
        if tablets is not None and self.activity is not None:
            self.bridge.run(tablets.share_results(str(self.activity["id"])), what=self.tr("share the results"),
                            owner=self)

    def approve_selected(self) -> None:
        tablets = self.tablets()
        item = self.answers_list.currentItem()
        if tablets is not None and item is not None:
            self.bridge.run(tablets.approve_answer(int(item.data(Qt.ItemDataRole.UserRole))),
                            what=self.tr("show the answer"), owner=self)

    def lower_first_hand(self) -> None:
        tablets = self.tablets()
        if tablets is not None:
            self.bridge.run(tablets.lower_hand(), what=self.tr("lower the hand"), owner=self)

    def toggle_timer(self) -> None:
        tablets = self.tablets()
        if tablets is None:
            return
        if self._timer_end is not None:
            self.bridge.run(tablets.stop_timer(), what=self.tr("stop the timer"), owner=self)
        else:
            self.bridge.run(tablets.start_timer(float(self.timer_spin.value())), what=self.tr("start the timer"),
                            owner=self)

    def toggle_eyes(self) -> None:
        tablets = self.tablets()
        if tablets is not None:
            self.bridge.run(tablets.eyes_on_board(self.eyes_button.isChecked()), what=self.tr("dim the tablets"),
                            owner=self)

    def show_on_projector(self) -> None:
        if self.projector is None:
            self.projector = ProjectorWindow(self)  # a window of its own, deleted with the workspace
        self._feed_projector()
        self.projector.present(self.window().screen())
        self.projector.raise_()

    # -- news from the tablets --------------------------------------------------------------
    def on_event(self, event: object) -> None:
        match event:
            case ev.TabletsOpened(join_url=url, code=code):
                self.show_join(code, url)
            case ev.TabletsClosed():
                self._joined_due = None  # a count still waiting for its frame would write over "No tablets yet"
                self.show_join("", "")
                self._timer_end = None
                self._show_timer()
            case ev.TabletJoined() | ev.TabletLeft():
                if isinstance(event, ev.TabletJoined) or not isinstance(self._joined_due, ev.TabletJoined):
                    self._joined_due = event  # the latest to join stays named while others leave
                self._joined_gate.due()
                return
            case ev.ActivityStarted(activity=activity):
                self._show_activity(activity)
            case ev.AnswerReceived(activity_id=aid, counts=counts, responders=responders):
                if self.activity is not None and aid == self.activity.get("id"):
                    self.counts, self.responders = dict(counts), responders
                    if event.text:
                        self._add_answer(event.answer_id, event.seat_id, event.text)
                    self._show_counts()
                return  # an answer changes no button: hundreds a second must not re-set them each
            case ev.ActivityClosed(results=results):
                if self.activity is not None and results.activity_id == self.activity.get("id"):
                    self.counts, self.responders = dict(results.counts), results.responders
                    self.correct = tuple(results.correct)
                    self._show_counts()
                    if results.kind == "quiz":
                        self._show_scores()
            case ev.AnswerApproved(answer_id=answer_id):
                self._mark_approved(answer_id)
            case ev.HandsChanged(queue=queue):
                self._hands_due = queue
                self._hands_gate.due()
                return
            case ev.TimerChanged(seconds=seconds):
                self._timer_end = time.monotonic() + seconds if seconds > 0 else None
                self._show_timer()
            case ev.EyesOnBoard(on=on):
                self.eyes_button.setChecked(on)
        self._enable()

    def show_join(self, code: str, url: str) -> None:
        self.code, self.url = code, url
        self.code_label.setText(code or "—")
        for label in (self.code_label, self.qr_label):
            label.setToolTip(url)
        if url:
            self._draw_qr()
        else:
            self.qr_label.clear()
            self.joined_label.setText(self.tr("No tablets yet"))
            self.latest_label.setText("")
            self.latest_label.hide()
        if self.projector is not None:
            self.projector.show_join(code, url)

    def _draw_joined(self) -> None:
        event, self._joined_due = self._joined_due, None
        self._enable()  # the door's buttons follow the session, not each tablet: once a frame is plenty
        tablets = self.bridge.core.scenes.class_session
        if tablets is None or event is None:
            return
        connected, seats = tablets.connected, len(tablets.seats)
        self.joined_label.setText(
            self.tr("%1 of %2 tablets connected").replace("%1", str(connected)).replace("%2", str(seats)))
        if isinstance(event, ev.TabletJoined):
            self.latest_label.setText(self.tr("Latest: %1").replace("%1", event.name))
            self.latest_label.show()
        self._fit_qr()  # a longer count beside the code, or the name's line, may leave it less room

    def _show_activity(self, activity: dict[str, Any]) -> None:
        self.activity = activity
        self.correct = ()
        self.responders = 0
        is_open = activity.get("kind") == "open"  # free text: a list to approve from, not a chart
        options = [str(o) for o in activity.get("options") or []]
        self.counts = {} if is_open else dict.fromkeys(options, 0)
        self.answers_list.clear()
        self._answer_items = {}
        self.scores_label.hide()
        self.results_hint.hide()
        self.chart.setVisible(not is_open)
        self.answers_list.setVisible(is_open)
        self.approve_button.setVisible(is_open)
        self._show_counts()

    def _show_scores(self) -> None:
        tablets = self.bridge.core.scenes.class_session
        best = [seat for seat in (tablets.scores() if tablets is not None else []) if seat.score > 0][:SCORES_SHOWN]
        self.scores_label.setText(self.tr("Best scores: %1").replace(
            "%1", " · ".join(f"{seat.name} {seat.score}" for seat in best)) if best else "")
        self.scores_label.setVisible(bool(best))

    def _answered_text(self) -> str:
        tablets = self.bridge.core.scenes.class_session
        seats = len(tablets.seats) if tablets is not None else 0
        return self.tr("%1 of %2 answered").replace("%1", str(self.responders)).replace("%2", str(seats))

    def _show_counts(self) -> None:
        self._counts_gate.due()

    def _draw_counts(self) -> None:
        question = str(self.activity.get("question", "")) if self.activity is not None else ""
        self.chart.show_counts(question, self.counts, self.correct)
        self.answered_label.setText(self._answered_text())
        self._feed_projector()

    def _add_answer(self, answer_id: int, seat_id: int, text: str) -> None:
        tablets = self.bridge.core.scenes.class_session
        seat = tablets.seats.get(seat_id) if tablets is not None else None
        name = seat.name if seat is not None else "?"
        item = self._answer_items.get(seat_id)
        if item is not None:  # a changed answer replaces the old one (found by seat, not a walk of the list)
            item.setText(f"{name}: {text}")
            item.setData(Qt.ItemDataRole.UserRole, answer_id)
            return
        item = QListWidgetItem(f"{name}: {text}")
        item.setData(Qt.ItemDataRole.UserRole, answer_id)
        self.answers_list.addItem(item)
        self._answer_items[seat_id] = item

    def _mark_approved(self, answer_id: int) -> None:
        for row in range(self.answers_list.count()):
            item = self.answers_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == answer_id and not item.text().startswith("✓ "):
                item.setText("✓ " + item.text())

    def _draw_hands(self) -> None:
        self.show_hands(self._hands_due)
        self._enable()

    def show_hands(self, queue: tuple[tuple[int, str], ...] | list[tuple[int, str]]) -> None:
        for label in self.hand_labels:
            self.hands_box.removeWidget(label)
            label.deleteLater()
        self.hand_labels = []
        for position, (_seat, name) in enumerate(list(queue)[:HANDS_SHOWN], start=1):
            label = _plain(f"{position}. {name}")
            label.setWordWrap(True)
            self._add_hand(label)
        if len(queue) > HANDS_SHOWN:
            self._add_hand(_plain(self.tr("and %1 more").replace("%1", str(len(queue) - HANDS_SHOWN))))
        self.no_hands.setVisible(not queue)
        self.lower_button.setText(self.tr("Next (%1)").replace("%1", str(len(queue))) if queue else self.tr("Next"))

    def _add_hand(self, label: QLabel) -> None:
        """Down the first column, then the second: the queue reads in order, two names to a row."""
        index = len(self.hand_labels)
        rows = (HANDS_SHOWN + 2) // 2
        self.hands_box.addWidget(label, index % rows, index // rows)
        self.hand_labels.append(label)

    def _show_timer(self) -> None:
        if self._timer_end is None:
            self._clock.stop()
            self.timer_button.setText(self.tr("Timer"))
            text = ""
        else:
            left = max(0, round(self._timer_end - time.monotonic()))
            text = f"{left // 60:d}:{left % 60:02d}"
            self.timer_button.setText(self.tr("Stop %1").replace("%1", text))
            if not self._clock.isActive():
                self._clock.start()
        if self.projector is not None:
            self.projector.set_timer(text)

    def _feed_projector(self) -> None:
        if self.projector is None:
            return
        self.projector.show_join(self.code, self.url)
        question = str(self.activity.get("question", "")) if self.activity is not None else ""
        is_open = self.activity is not None and not self.activity.get("options")
        self.projector.show_counts(question, {} if is_open else self.counts,
                                   self._answered_text() if self.activity is not None else "", self.correct)

    def close_projector(self) -> None:
        if self.projector is not None:
            self.projector.close()
            self.projector.deleteLater()
            self.projector = None
