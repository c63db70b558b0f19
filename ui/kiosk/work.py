"""The technician's work screens on the kiosk, after the PIN: my work, the hold reasons,
findings and notes, and the queued jobs nobody has taken.

- **My work**: the job I am clocked on, large, with its elapsed time ticking (a timer, no
  re-read); my open jobs; tap a job, tap "Clock on" (two taps: a queued or held job is
  started by it, ``app.ops.kiosk.start_work``, and any other clock of mine ends); clock
  off; the status moves the technician may make (``app.queries.kiosk.technician_moves``),
  hold with a reason picker; a refused tap says why; my time today against my capacity;
  a reminder when my shift is over and I am still clocked on.
- **Findings and notes** with quick phrases and the in-app keyboard (``ui.kiosk.keyboard``).
- **Claim**: queued jobs nobody has taken, each with a claim button when the roles allow it,
  else the reason.

Every write goes through the database worker with ``acting_user_id`` = the technician's
user id, so the server attributes it to them however late it is pushed. The screen
repaints from the change hub: a job assigned at the desk appears within a second.
Sizes come from ``ui.kiosk.touch`` (48 px targets, 8 px gaps, 14 pt text); nothing needs
hover, a right click, a double click or a drag.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from app import rules
from app.changes import Changes
from app.errors import BaylineError
from app.ops import clock, jobs, notes
from app.ops.kiosk import clock_status_after_start, start_work
from app.queries import kiosk
from app.queries.common import shop_tz
from app.timeutil import utcnow
from ui.application import resources_dir
from ui.kiosk.keyboard import Keyboard
from ui.kiosk.touch import MIN_GAP_PX, MIN_TARGET_PX
from ui.qt import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QStackedWidget,
    Qt,
    QTextCursor,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    qt_object_alive,
)

if TYPE_CHECKING:
    from ui.desk.context import DeskContext

log = logging.getLogger(__name__)

PAGE_WORK, PAGE_HOLD, PAGE_NOTE, PAGE_CLAIM = range(4)
PAGE_NAMES = ("work", "hold", "note", "claim")

#: What a hold reason's button says (the reasons themselves are ``app.rules.HOLD_REASONS``).
HOLD_WORDS = {"parts": "Waiting for parts", "approval": "Waiting for the customer's approval",
              "sublet": "Sent out (sublet)", "other": "Another reason"}
#: What a move's button says, by the status it moves to.
MOVE_WORDS = {"in_progress": "Start", "on_hold": "Hold…", "ready": "Ready",
              "queued": "Back to queue"}
#: Big buttons that put a common phrase into a note.
QUICK_PHRASES = ("Needs parts", "Brake pads worn", "Fluid leak", "Tyres worn",
                 "Battery weak", "Road tested OK", "Call the customer", "See photos")
#: Taller than the minimum: the buttons a technician uses most.
BIG_PX = MIN_TARGET_PX + 24
ROW_PX = MIN_TARGET_PX + 16


def elapsed_words(seconds: float) -> str:
    """``1:05:09`` (hours, minutes, seconds) for a clock's running time."""
    whole = max(0, int(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def minutes_words(minutes: int) -> str:
    """``2 h 05 min`` (or ``45 min``)."""
    hours, rest = divmod(max(0, minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def move_words(frm: str, to: str) -> str:
    if to == "in_progress" and frm == "on_hold":
        return "Resume"
    if to == "in_progress" and frm == "ready":
        return "Back to work"
    return MOVE_WORDS.get(to, rules.STATUS_LABELS.get(to, to))


def status_words(job: kiosk.KioskJob) -> str:
    words = rules.STATUS_LABELS.get(job.status, job.status)
    if job.status == "on_hold" and job.hold_reason:
        words += f": {HOLD_WORDS.get(job.hold_reason, job.hold_reason).lower()}"
    return words


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _label(text: str = "", kind: str | None = None, *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    if kind:
        label.setProperty("kiosk", kind)
    label.setWordWrap(wrap)
    return label


class JobButton(QPushButton):
    """A job in "My jobs": two lines, each cut with an ellipsis to the button's width
    (a ``QPushButton`` would clip them)."""

    def __init__(self) -> None:
        super().__init__()
        self._lines: tuple[str, ...] = ()

    def set_lines(self, *lines: str) -> None:
        self._lines = lines
        self._fit()

    def lines(self) -> tuple[str, ...]:
        return self._lines

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        room = max(MIN_TARGET_PX, self.width() - 40)  # the style's padding and border
        self.setText("\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideRight, room)
                               for line in self._lines))


class WorkScreen(QWidget):
    """The technician's pages (see the module docstring)."""

    #: Any tap (the shell restarts its inactivity timer).
    activity = Signal()
    #: The technician is done (the "Done" button, or after a clock action when the shop
    #: wants that: ``sign_out_after_clock``).
    sign_out = Signal()
    #: After each repaint, with the ``WorkView`` shown (tests and the bench).
    refreshed = Signal(object)
    #: A write was refused: (text).
    refused = Signal(str)

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.ctx = ctx
        self.user: dict[str, Any] | None = None
        self.view: kiosk.WorkView | None = None
        self.selected_id: str | None = None
        #: Sign the technician out after each clock on or off (a shop's choice; the shell
        #: sets it).
        self.sign_out_after_clock = False
        #: The shop's time zone for "today" and the shift's end (None: the computer's).
        self.tz: tzinfo | None = None
        self._key = f"kiosk-work-{id(self)}"
        self._job_buttons: dict[str, QPushButton] = {}
        self._job_group = QButtonGroup(self)
        self._job_group.setExclusive(True)
        self._hold_job: str | None = None
        self._note_job: str | None = None
        #: A clock on or off is being written (a second tap waits for its answer).
        self._clocking = False
        self._notes_for: str | None = None
        style = resources_dir() / "kiosk-work.qss"
        if style.exists():
            self.setStyleSheet(style.read_text(encoding="utf-8"))

        self.pages = QStackedWidget(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        self.pages.addWidget(self._build_work())
        self.pages.addWidget(self._build_hold())
        self.pages.addWidget(self._build_note())
        self.pages.addWidget(self._build_claim())

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.tick)
        ctx.hub.subscribe(self._on_changes)
        self.destroyed.connect(lambda *_: self._unsubscribe(ctx))

    # --- what the shell calls ------------------------------------------------------------
    def show_technician(self, user: dict[str, Any]) -> None:
        """Show ``user``'s work (the dict of ``SyncEngine.pin_login``)."""
        self.user = dict(user)
        self.view = None
        self.selected_id = None
        self._clear_messages()
        self.name.setText(str(user.get("display_name") or ""))
        self.show_page(PAGE_WORK)
        self._show(None)
        self._tick.start()
        self.refresh()

    def end(self) -> None:
        """Forget the technician (after a sign-out); the shell shows its tiles."""
        self.user = None
        self.view = None
        self.selected_id = None
        self._tick.stop()
        self.keyboard.attach(self.editor)
        self.editor.clear()
        self.show_page(PAGE_WORK)

    @property
    def technician_id(self) -> str | None:
        return str(self.user["technician_id"]) if self.user and self.user.get("technician_id") \
            else None

    def page_name(self) -> str:
        return PAGE_NAMES[self.pages.currentIndex()]

    def show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)

    def refresh(self) -> None:
        """Re-read what the screen shows (after a change; never to tick the clock)."""
        tech = self.technician_id
        if tech is None:
            return
        self.ctx.worker.read(kiosk.work_screen, tech, utcnow(), self.tz, key=self._key,
                             on_done=self._show, on_error=self._read_failed)

    # --- building ------------------------------------------------------------------------
    def _button(self, text: str, slot: Any, *, kind: str | None = None,
                name: str = "", height: int = MIN_TARGET_PX + 8,
                button: QPushButton | None = None) -> QPushButton:
        button = button if button is not None else QPushButton()
        button.setText(text)
        if name:
            button.setObjectName(name)
        if kind:
            button.setProperty("kiosk", kind)
        button.setMinimumHeight(height)
        button.setMinimumWidth(MIN_TARGET_PX * 2)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.pressed.connect(self.activity)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(MIN_GAP_PX + 4)
        return page, layout

    def _scroll(self, inner: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(inner)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        area.verticalScrollBar().valueChanged.connect(lambda _v: self.activity.emit())
        return area

    def _build_work(self) -> QWidget:
        page, layout = self._page()
        # header: who, today's time, claim, done
        header = QHBoxLayout()
        header.setSpacing(MIN_GAP_PX * 2)
        self.name = _label("", "title")
        self.name.setObjectName("technicianName")
        header.addWidget(self.name)
        today = QVBoxLayout()
        today.setSpacing(2)
        self.today = _label("", "muted")
        self.today.setObjectName("today")
        self.today_bar = QProgressBar()
        self.today_bar.setTextVisible(False)
        self.today_bar.setFixedHeight(12)
        today.addWidget(self.today)
        today.addWidget(self.today_bar)
        header.addLayout(today, 1)
        self.claim_button = self._button("Jobs to claim", lambda: self.show_page(PAGE_CLAIM),
                                         name="openClaim")
        self.done_button = self._button("Done", self._done, kind="done", name="done")
        header.addWidget(self.claim_button)
        header.addWidget(self.done_button)
        layout.addLayout(header)

        # the shift reminder
        self.reminder = QFrame()
        self.reminder.setObjectName("reminder")
        row = QHBoxLayout(self.reminder)
        row.setContentsMargins(12, 8, 12, 8)
        row.setSpacing(MIN_GAP_PX * 2)
        self.reminder_text = _label("", wrap=True)
        self.reminder_text.setObjectName("reminderText")
        row.addWidget(self.reminder_text, 1)
        row.addWidget(self._button("Clock off", self.clock_off, kind="stop",
                                   name="reminderClockOff"))
        self.reminder.hide()
        layout.addWidget(self.reminder)

        # the job I am clocked on
        card = QFrame()
        card.setObjectName("clockedCard")
        row = QHBoxLayout(card)
        row.setContentsMargins(16, 10, 16, 10)
        row.setSpacing(MIN_GAP_PX * 2)
        words = QVBoxLayout()
        words.setSpacing(2)
        self.clocked_caption = _label("", "caption")
        self.clocked_job = _label("", "clocked", wrap=True)
        self.clocked_job.setObjectName("clockedJob")
        words.addWidget(self.clocked_caption)
        words.addWidget(self.clocked_job)
        row.addLayout(words, 1)
        self.elapsed = _label("", "elapsed")
        self.elapsed.setObjectName("elapsed")
        row.addWidget(self.elapsed)
        self.clock_off_button = self._button("Clock off", self.clock_off, kind="stop",
                                             name="clockOff", height=BIG_PX)
        row.addWidget(self.clock_off_button)
        layout.addWidget(card)

        # my jobs | the chosen job
        body = QHBoxLayout()
        body.setSpacing(MIN_GAP_PX * 2)
        left = QVBoxLayout()
        left.setSpacing(MIN_GAP_PX)
        left.addWidget(_label("My jobs", "heading"))
        self.jobs_box = QWidget()
        self.jobs_box.setObjectName("jobsBox")
        self.jobs_layout = QVBoxLayout(self.jobs_box)
        self.jobs_layout.setContentsMargins(0, 0, MIN_GAP_PX * 2, 0)
        self.jobs_layout.setSpacing(MIN_GAP_PX + 2)
        self.jobs_layout.addStretch(1)
        self.no_jobs = _label("No open jobs are assigned to you. Tap “Jobs to claim” to "
                              "take one.", "muted", wrap=True)
        self.jobs_layout.insertWidget(0, self.no_jobs)
        self.jobs_area = self._scroll(self.jobs_box)
        left.addWidget(self.jobs_area, 1)
        body.addLayout(left, 6)

        self.detail = QFrame()
        self.detail.setObjectName("detail")
        d = QVBoxLayout(self.detail)
        d.setContentsMargins(16, 12, 16, 12)
        d.setSpacing(MIN_GAP_PX + 2)
        self.detail_title = _label("", "title", wrap=True)
        self.detail_title.setObjectName("detailTitle")
        self.detail_info = _label("", "muted", wrap=True)
        self.detail_status = _label("", "status")
        self.detail_status.setObjectName("detailStatus")
        self.detail_concern = _label("", wrap=True)
        self.detail_notes = _label("", "muted", wrap=True)
        self.detail_notes.setObjectName("detailNotes")
        for w in (self.detail_title, self.detail_info, self.detail_status, self.detail_concern,
                  self.detail_notes):
            d.addWidget(w)
        d.addStretch(1)
        self.clock_on_button = self._button("Clock on", self.clock_on, kind="primary",
                                            name="clockOn", height=BIG_PX)
        d.addWidget(self.clock_on_button)
        self.moves_row = QHBoxLayout()
        self.moves_row.setSpacing(MIN_GAP_PX + 4)
        d.addLayout(self.moves_row)
        self.move_buttons: dict[str, QPushButton] = {}
        for status in ("in_progress", "on_hold", "ready", "queued"):
            button = self._button(MOVE_WORDS[status], lambda s=status: self.move(s),
                                  kind="hold" if status == "on_hold" else "move",
                                  name=f"move-{status}", height=ROW_PX)
            button.hide()
            self.moves_row.addWidget(button)
            self.move_buttons[status] = button
        self.note_button = self._button("Finding or note", self.open_note, name="openNote",
                                        height=ROW_PX)
        d.addWidget(self.note_button)
        self.message = _label("", "refusal", wrap=True)
        self.message.setObjectName("workMessage")
        d.addWidget(self.message)
        self.empty_detail = _label("Tap one of your jobs to see it here and clock on.",
                                   "muted", wrap=True)
        d.insertWidget(0, self.empty_detail)
        body.addWidget(self.detail, 5)
        layout.addLayout(body, 1)
        return page

    def _build_hold(self) -> QWidget:
        page, layout = self._page()
        self.hold_title = _label("", "title", wrap=True)
        self.hold_title.setObjectName("holdTitle")
        layout.addWidget(self.hold_title)
        layout.addWidget(_label("Tap the reason. The job goes on hold and the clocks on it "
                                "stop.", "muted", wrap=True))
        grid = QGridLayout()
        grid.setSpacing(MIN_GAP_PX * 2)
        self.hold_buttons: dict[str, QPushButton] = {}
        for n, reason in enumerate(rules.HOLD_REASONS):
            button = self._button(HOLD_WORDS.get(reason, reason),
                                  lambda r=reason: self.hold(r), kind="reason",
                                  name=f"hold-{reason}", height=BIG_PX + 24)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            grid.addWidget(button, n // 2, n % 2)
            self.hold_buttons[reason] = button
        layout.addLayout(grid, 1)
        self.hold_message = _label("", "refusal", wrap=True)
        layout.addWidget(self.hold_message)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self._button("Back", self.back, name="holdBack", height=ROW_PX))
        layout.addLayout(bottom)
        return page

    def _build_note(self) -> QWidget:
        # One row of buttons at the top (kind, back, save), the text and the phrases, the
        # keyboard: short enough for the shell's header and offline banner at 1280x800.
        page, layout = self._page()
        top = QHBoxLayout()
        top.setSpacing(MIN_GAP_PX * 2)
        self.note_title = _label("", "heading", wrap=True)
        self.note_title.setObjectName("noteTitle")
        top.addWidget(self.note_title, 1)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QPushButton] = {}
        for kind in ("finding", "note"):
            button = self._button(kind.capitalize(), lambda: None, kind="toggle",
                                  name=f"kind-{kind}")
            button.setCheckable(True)
            self.kind_group.addButton(button)
            self.kind_buttons[kind] = button
            top.addWidget(button)
        self.kind_buttons["finding"].setChecked(True)
        top.addSpacing(MIN_GAP_PX * 3)
        top.addWidget(self._button("Back", self.back, name="noteBack"))
        self.save_note_button = self._button("Save", self.save_note, kind="primary",
                                             name="saveNote")
        top.addWidget(self.save_note_button)
        layout.addLayout(top)

        middle = QHBoxLayout()
        middle.setSpacing(MIN_GAP_PX * 2)
        text = QVBoxLayout()
        text.setSpacing(MIN_GAP_PX)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("noteEditor")
        self.editor.setPlaceholderText("Tap a phrase or type with the keys below")
        self.editor.setMinimumHeight(MIN_TARGET_PX * 2)
        self.editor.textChanged.connect(self._note_typed)
        text.addWidget(self.editor, 1)
        self.note_message = _label("", "refusal", wrap=True)
        self.note_message.setObjectName("noteMessage")
        text.addWidget(self.note_message)
        middle.addLayout(text, 1)
        phrases = QGridLayout()
        phrases.setSpacing(MIN_GAP_PX)
        self.phrase_buttons: list[QPushButton] = []
        for n, phrase in enumerate(QUICK_PHRASES):
            button = self._button(phrase, lambda p=phrase: self.add_phrase(p), kind="phrase",
                                  name=f"phrase-{n}")
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            phrases.addWidget(button, n // 3, n % 3)
            self.phrase_buttons.append(button)
        middle.addLayout(phrases, 1)
        layout.addLayout(middle, 1)

        self.keyboard = Keyboard()
        self.keyboard.attach(self.editor)
        self.keyboard.pressed.connect(self.activity)
        layout.addWidget(self.keyboard)
        return page

    def _build_claim(self) -> QWidget:
        page, layout = self._page()
        top = QHBoxLayout()
        top.addWidget(_label("Queued jobs nobody has taken", "title"), 1)
        top.addWidget(self._button("Back", self.back, name="claimBack", height=ROW_PX))
        layout.addLayout(top)
        self.claim_refusal = _label("", "refusal", wrap=True)
        self.claim_refusal.setObjectName("claimRefusal")
        self.claim_refusal.hide()
        layout.addWidget(self.claim_refusal)
        self.claim_box = QWidget()
        self.claim_layout = QVBoxLayout(self.claim_box)
        self.claim_layout.setContentsMargins(0, 0, MIN_GAP_PX * 2, 0)
        self.claim_layout.setSpacing(MIN_GAP_PX + 2)
        self.claim_layout.addStretch(1)
        self.no_claims = _label("Nothing is waiting in the queue.", "muted")
        self.claim_layout.insertWidget(0, self.no_claims)
        layout.addWidget(self._scroll(self.claim_box), 1)
        self.claim_message = _label("", "refusal", wrap=True)
        self.claim_message.setObjectName("claimMessage")
        layout.addWidget(self.claim_message)
        self.claim_buttons: dict[str, QPushButton] = {}
        self._claim_rows: list[QFrame] = []
        self._claim_shown: kiosk.Claimable | None = None
        return page

    # --- showing -------------------------------------------------------------------------
    def _show(self, view: kiosk.WorkView | None) -> None:
        if view is not None:
            if self.user is None:
                return
            if view.mine is None:
                self.message.setText("You are not in this kiosk's copy of the shop yet; "
                                     "ask the front desk.")
                return
            if view.mine.technician_id != self.technician_id:
                return  # read for someone who signed out meanwhile
        self.view = view
        mine = view.mine if view is not None else None
        self._show_jobs(mine)
        self._show_claimable(view.claimable if view is not None else None)
        if mine is not None and self.selected_id is None and mine.clocked is not None:
            self.selected_id = mine.clocked.job_id
        self._show_detail()
        self.tick()
        if view is not None:
            self._read_notes()
            self.refreshed.emit(view)

    def _show_jobs(self, mine: kiosk.MyWork | None) -> None:
        wanted = list(mine.jobs) if mine is not None else []
        for job_id in list(self._job_buttons):
            if job_id not in {j.job_id for j in wanted}:
                button = self._job_buttons.pop(job_id)
                self._job_group.removeButton(button)
                button.hide()
                button.deleteLater()
        for n, job in enumerate(wanted):
            button = self._job_buttons.get(job.job_id)
            if button is None:
                button = self._button("", lambda j=job.job_id: self.select(j), kind="job",
                                      name=f"job-{job.job_id}", height=ROW_PX + 24,
                                      button=JobButton())
                button.setCheckable(True)
                self._job_group.addButton(button)
                self._job_buttons[job.job_id] = button
            clocked = mine is not None and mine.clocked is not None \
                and mine.clocked.job_id == job.job_id
            first = f"Job {job.number}  ·  {job.vehicle or 'no vehicle'}"
            if job.plate:
                first += f"  ·  {job.plate}"
            second = ("CLOCKED ON  ·  " if clocked else "") + \
                ("OVERDUE  ·  " if job.overdue else "") + status_words(job)
            if job.concern:
                second += f"  ·  {_clip(job.concern, 80)}"
            assert isinstance(button, JobButton)
            button.set_lines(first, second)
            if button.property("overdue") != job.overdue:
                button.setProperty("overdue", job.overdue)
                self._repolish(button)  # the style sheet's red border follows the flag
            self.jobs_layout.insertWidget(n, button)
            button.show()  # now, not when the layout gets to it (a tap may come first)
        self.no_jobs.setVisible(not wanted)
        self.jobs_layout.removeWidget(self.no_jobs)
        self.jobs_layout.insertWidget(len(wanted), self.no_jobs)
        if self.selected_id not in self._job_buttons and self.selected_id is not None:
            clocked_id = mine.clocked.job_id if mine is not None and mine.clocked else None
            if self.selected_id != clocked_id:
                self.selected_id = None

    def _job(self, job_id: str | None) -> kiosk.KioskJob | None:
        if job_id is None or self.view is None or self.view.mine is None:
            return None
        return next((j for j in self.view.mine.jobs if j.job_id == job_id), None)

    def _show_detail(self) -> None:
        job = self._job(self.selected_id)
        mine = self.view.mine if self.view is not None else None
        for job_id, button in self._job_buttons.items():
            button.setChecked(job_id == self.selected_id)
        has = job is not None
        for w in (self.detail_title, self.detail_info, self.detail_status, self.detail_concern,
                  self.detail_notes, self.clock_on_button, self.note_button):
            w.setVisible(has)
        self.empty_detail.setVisible(not has)
        if job is None:
            for button in self.move_buttons.values():
                button.hide()
            return
        vehicle = " · ".join(p for p in (job.vehicle, job.plate) if p)
        self.detail_title.setText(f"Job {job.number}" + (f" — {vehicle}" if vehicle else ""))
        info = [job.customer] if job.customer else []
        if job.promised_at is not None:
            at = job.promised_at.astimezone(shop_tz(self.tz))
            info.append(f"promised {at:%a %H:%M}" + (" — OVERDUE" if job.overdue else ""))
        self.detail_info.setText("  ·  ".join(info))
        self.detail_status.setText(status_words(job))
        self.detail_concern.setText(job.concern or "")
        clocked_here = mine is not None and mine.clocked is not None \
            and mine.clocked.job_id == job.job_id
        self.clock_on_button.setVisible(not clocked_here)
        self.clock_on_button.setText("Clock on" if job.status == "in_progress"
                                     or job.clock_refusal else "Clock on and start")
        for status, button in self.move_buttons.items():
            allowed = status in job.moves
            button.setVisible(allowed)
            if allowed:
                button.setText(move_words(job.status, status))

    def _show_claimable(self, claimable: kiosk.Claimable | None) -> None:
        jobs_ = list(claimable.jobs) if claimable is not None else []
        refusal = claimable.refusal if claimable is not None else None
        self.claim_button.setText(f"Jobs to claim ({len(jobs_)})")
        if claimable == self._claim_shown and self._claim_rows:
            return  # the same list: keep its rows (made widgets are the costly part)
        self._claim_shown = claimable
        self.claim_refusal.setText(f"You cannot claim jobs here: {refusal}" if refusal else "")
        self.claim_refusal.setVisible(bool(refusal))
        for row in self._claim_rows:
            self.claim_layout.removeWidget(row)
            row.hide()
            row.deleteLater()
        self._claim_rows = []
        self.claim_buttons = {}
        for n, job in enumerate(jobs_):
            row = QFrame()
            row.setObjectName("claimRow")
            line = QHBoxLayout(row)
            line.setContentsMargins(12, 6, 12, 6)
            line.setSpacing(MIN_GAP_PX * 2)
            words = f"Job {job.number}  ·  {job.vehicle or 'no vehicle'}"
            if job.plate:
                words += f"  ·  {job.plate}"
            if job.concern:
                words += f"\n{_clip(job.concern, 70)}"
            line.addWidget(_label(words, wrap=True), 1)
            if refusal is None:
                button = self._button("Claim", lambda j=job.job_id: self.claim(j),
                                      kind="primary", name=f"claim-{job.job_id}",
                                      height=ROW_PX)
                line.addWidget(button)
                self.claim_buttons[job.job_id] = button
            self.claim_layout.insertWidget(n, row)
            row.show()
            self._claim_rows.append(row)
        self.no_claims.setVisible(not jobs_)

    def tick(self) -> None:
        """Once a second: the elapsed time, today's minutes and the shift reminder, from
        what was read (no re-read)."""
        mine = self.view.mine if self.view is not None else None
        now = utcnow()
        if mine is None:
            self.clocked_caption.setText("")
            self.clocked_job.setText("")
            self.elapsed.setText("")
            self.clock_off_button.hide()
            self.today.setText("")
            self.reminder.hide()
            return
        running = (now - mine.at).total_seconds() / 60 if mine.clocked is not None else 0.0
        minutes = mine.minutes_today + int(max(0.0, running))
        capacity = mine.capacity_minutes
        self.today.setText(f"Today: {minutes_words(minutes)} on jobs of "
                           f"{minutes_words(capacity)}")
        self.today_bar.setRange(0, max(1, capacity))
        self.today_bar.setValue(min(minutes, max(1, capacity)))
        if mine.clocked is None:
            self.clocked_caption.setText("NOT CLOCKED ON")
            self.clocked_job.setText("Tap one of your jobs, then Clock on.")
            self.elapsed.setText("")
            self.clock_off_button.hide()
        else:
            c = mine.clocked
            self.clocked_caption.setText("CLOCKED ON")
            self.clocked_job.setText(f"Job {c.number}" + "".join(
                f"  ·  {p}" for p in (c.vehicle, c.plate) if p))
            self.elapsed.setText(elapsed_words((now - c.since).total_seconds()))
            self.clock_off_button.show()
        if mine.reminder_due(now) and mine.shift_ends_at is not None and mine.clocked:
            ended = mine.shift_ends_at.astimezone(shop_tz(self.tz))
            self.reminder_text.setText(
                f"Your shift ended at {ended:%H:%M} and you are still clocked on to job "
                f"{mine.clocked.number}. Clock off if you are done for the day.")
            self.reminder.show()
        else:
            self.reminder.hide()

    # --- taps ----------------------------------------------------------------------------
    def select(self, job_id: str) -> None:
        """Tap on a job: show it on the right, with "Clock on" and its moves."""
        self.selected_id = job_id
        self._clear_messages()
        self._show_detail()
        self.detail_notes.setText("")
        self._read_notes()

    def _read_notes(self) -> None:
        job_id = self._notes_for = self.selected_id
        if job_id is not None:
            # a bound method: the worker drops the answer if this screen is gone meanwhile
            self.ctx.worker.read(kiosk.job_notes, job_id, 3, key=f"{self._key}-notes",
                                 on_done=self._show_notes)

    def _show_notes(self, rows: tuple[kiosk.NoteRow, ...]) -> None:
        if self._notes_for != self.selected_id:  # (the last read asked is the one answered)
            return
        lines = [f"{r.kind.capitalize()}: {_clip(r.body, 60)}" + (f" ({r.author})"
                 if r.author else "") for r in rows]
        self.detail_notes.setText("\n".join(lines))

    def clock_on(self) -> None:
        """Tap on "Clock on": the clock shows at once (the job's time starts now), the
        write and the re-read that follow confirm it, or a refusal puts back what was."""
        tech, job_id = self.technician_id, self.selected_id
        if tech is None or job_id is None or self._clocking:
            return  # a gloved double tap while the first one is being written
        job = self._job(job_id)
        mine = self.view.mine if self.view is not None else None
        if job is not None and mine is not None and job.clock_refusal is None:
            now = utcnow()
            status = clock_status_after_start(job.status)
            started = replace(job, status=status, moves=kiosk.technician_moves(status),
                              hold_reason=job.hold_reason if status == job.status else None)
            self._show_mine(replace(
                mine, at=now, jobs=tuple(started if j is job else j for j in mine.jobs),
                clocked=kiosk.Clocked(job.job_id, job.number, job.vehicle, job.plate, now)))
        self._clocking = True
        self._write(start_work, tech, job_id, on_done=self._clocked)

    def clock_off(self) -> None:
        tech = self.technician_id
        mine = self.view.mine if self.view is not None else None
        if tech is None or self._clocking:
            return
        if mine is not None and mine.clocked is not None:
            self._show_mine(replace(mine, at=utcnow(), clocked=None))
        self._clocking = True
        self._write(clock.clock_off, tech, on_done=self._clocked)

    def _show_mine(self, mine: kiosk.MyWork) -> None:
        """Show ``mine`` in place of what was read, until the next read (a tap's answer)."""
        if self.view is not None:
            self.view = replace(self.view, mine=mine)
            self._show_detail()
            self.tick()

    def move(self, to_status: str) -> None:
        """Tap on a move; "Hold…" first asks why."""
        job = self._job(self.selected_id)
        if job is None:
            return
        if to_status == "on_hold":
            self._hold_job = job.job_id
            self.hold_title.setText(f"Why is job {job.number} on hold?")
            self.hold_message.setText("")
            self.show_page(PAGE_HOLD)
            return
        self._write(jobs.move_status, job.job_id, to_status, by_id=self.technician_id)

    def hold(self, reason: str) -> None:
        job_id = self._hold_job
        if job_id is None:
            return
        self._write(jobs.move_status, job_id, "on_hold", hold_reason=reason,
                    by_id=self.technician_id, on_done=lambda _c: self.back(),
                    message=self.hold_message)

    def open_note(self) -> None:
        job = self._job(self.selected_id)
        if job is None:
            return
        self._note_job = job.job_id
        self.note_title.setText(f"Job {job.number}: a finding or a note")
        self.note_message.setText("")
        self.keyboard.attach(self.editor)
        self.show_page(PAGE_NOTE)
        self.editor.setFocus()

    def add_phrase(self, phrase: str) -> None:
        text = self.editor.toPlainText()
        sep = "" if not text or text.endswith((" ", "\n")) else ". "
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self.editor.insertPlainText(sep + phrase)

    def note_kind(self) -> str:
        return "finding" if self.kind_buttons["finding"].isChecked() else "note"

    def save_note(self) -> None:
        job_id = self._note_job
        if job_id is None:
            return

        def saved(_changes: Changes) -> None:
            self.editor.clear()
            self.back()
            self.message.setText("Saved.")
            self.message.setProperty("kiosk", "ok")
            self._repolish(self.message)

        self._write(notes.add_note, job_id, self.editor.toPlainText(), kind=self.note_kind(),
                    author_id=self.technician_id, on_done=saved, message=self.note_message)

    def claim(self, job_id: str) -> None:
        def claimed(_changes: Changes) -> None:
            self.selected_id = job_id
            self.back()

        self._write(jobs.assign, job_id, technician_id=self.technician_id, on_done=claimed,
                    message=self.claim_message)

    def back(self) -> None:
        self.show_page(PAGE_WORK)
        self._show_detail()

    def _done(self) -> None:
        self.end()  # first: the shell's answer to sign_out may show someone else
        self.sign_out.emit()

    # --- writing -------------------------------------------------------------------------
    def _write(self, op: Any, *args: Any, on_done: Any = None, message: QLabel | None = None,
               **kwargs: Any) -> None:
        """``op`` through the worker, as the signed-in technician; a refusal in ``message``
        (the work page's by default)."""
        if self.user is None:
            return
        shown = message if message is not None else self.message
        self._clear_messages()
        acting = self.user["id"]

        def still_here() -> bool:  # the answer is for whoever is signed in now
            return qt_object_alive(self) and self.user is not None \
                and self.user["id"] == acting

        def done(changes: Changes) -> None:
            self._clocking = False
            if on_done is not None and still_here():
                on_done(changes)

        def failed(exc: BaseException) -> None:
            self._clocking = False
            if qt_object_alive(self):
                self.refresh()  # put back what the tap showed before its answer
            text = exc.message if isinstance(exc, BaylineError) else \
                "That did not work; try again, or ask the front desk."
            if not isinstance(exc, BaylineError):
                log.error("a kiosk write failed", exc_info=exc)
            if not still_here():
                log.info("a refused kiosk write of a technician who signed out: %s", text)
                return
            shown.setProperty("kiosk", "refusal")
            self._repolish(shown)
            shown.setText(text)
            self.refused.emit(text)

        self.ctx.worker.write(op, *args, acting_user_id=acting, on_done=done,
                              on_error=failed, **kwargs)

    def _clocked(self, _changes: Changes) -> None:
        if self.sign_out_after_clock:
            self._done()

    def _clear_messages(self) -> None:
        for label in (self.message, self.hold_message, self.note_message, self.claim_message):
            label.setText("")
        self.message.setProperty("kiosk", "refusal")
        self._repolish(self.message)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        style = widget.style()
        style.unpolish(widget)
        style.polish(widget)

    def _note_typed(self) -> None:
        self.activity.emit()
        if self.note_message.text():
            self.note_message.setText("")

    # --- live ----------------------------------------------------------------------------
    def _on_changes(self, changes: Changes) -> None:
        if self.user is not None and changes.touches("job", "time_entry", "note", "technician",
                                                     "vehicle", "customer"):
            self.refresh()

    def _read_failed(self, exc: BaseException) -> None:
        log.error("the kiosk's work screen could not be read", exc_info=exc)
        self.message.setText("This kiosk cannot read its copy of the shop right now.")

    def _unsubscribe(self, ctx: DeskContext) -> None:
        ctx.hub.unsubscribe(self._on_changes)

