"""Fakes and makers for the UI tests (one place, as qutebrowser keeps them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.changes import Changes
from app.db import Store
from app.ops import customers, jobs, vehicles
from sync.status import SyncStatus
from ui.models.rows import encode_ids
from ui.qt import (
    QApplication,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QListView,
    QPoint,
    QPointF,
    Qt,
)


@dataclass(frozen=True)
class Shop:
    techs: dict[str, str]  # name → id
    bays: dict[str, str]
    jobs: dict[str, str]  # label → id
    customer_id: str
    vehicle_id: str


def make_shop(store: Store, *, extra_queued: int = 0) -> Shop:
    """Two technicians, two bays, one customer and vehicle, and jobs in every open status:
    ``estimate``, ``queued`` (Grace, Bay 1), ``queued2`` (nobody), ``in_progress`` (Grace),
    ``on_hold`` (parts), ``ready``; plus ``extra_queued`` more queued jobs."""
    cust = store.run(customers.create_customer, name="Ada Lovelace", phone="416 555 0142").result
    veh = store.run(vehicles.create_vehicle, customer_id=cust, vin="1HGCM82633A004352",
                    plate="CAFE 123", make="Honda", model="Accord", year=2003).result
    techs = {n: store.run(customers.create_technician, name=n).result
             for n in ("Grace Hopper", "Linus Torvalds")}
    bays = {n: store.run(customers.create_bay, name=n).result for n in ("Bay 1", "Bay 2")}
    soon = datetime.now(UTC) + timedelta(hours=3)

    def job(status: str, concern: str, **kw: Any) -> str:
        jid = store.run(jobs.create_job, customer_id=cust, vehicle_id=veh, concern=concern,
                        status="estimate" if status == "estimate" else "queued",
                        promised_at=soon).result
        path = {"estimate": [], "queued": [], "in_progress": ["in_progress"],
                "on_hold": ["on_hold"], "ready": ["in_progress", "ready"]}[status]
        for step in path:
            store.run(jobs.move_status, jid, step, hold_reason="parts" if step == "on_hold"
                      else None)
        if kw:
            store.run(jobs.assign, jid, **kw)
        return str(jid)

    made = {
        "estimate": job("estimate", "quote for tyres"),
        "queued": job("queued", "brakes squeal", technician_id=techs["Grace Hopper"],
                      bay_id=bays["Bay 1"]),
        "queued2": job("queued", "oil change"),
        "in_progress": job("in_progress", "engine light", technician_id=techs["Grace Hopper"]),
        "on_hold": job("on_hold", "timing belt", bay_id=bays["Bay 2"]),
        "ready": job("ready", "wipers", technician_id=techs["Linus Torvalds"]),
    }
    for n in range(extra_queued):
        made[f"extra{n}"] = job("queued", f"extra job {n}")
    return Shop(techs, bays, made, str(cust), str(veh))


def job_number(store: Store, job_id: str) -> str:
    from app.models import Job

    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job.number


def job_status(store: Store, job_id: str) -> tuple[str, str | None, str | None]:
    from app.models import Job

    with store.read() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job.status, job.technician_id, job.bay_id


def drag_and_drop(source: QListView, source_row_id: str, target: QListView,
                  at: QPoint | None = None) -> bool:
    """Send the drag-enter, drag-move and drop events of dragging the card ``source_row_id``
    of ``source`` onto ``target`` (offscreen has no real drag). True when the drop was
    accepted by the target view."""
    from ui.models.rows import ID_ROLE

    model = source.model()
    index = next(model.index(r, 0) for r in range(model.rowCount())
                 if model.index(r, 0).data(ID_ROLE) == source_row_id)
    mime = model.mimeData([index])
    assert mime is not None and mime.formats() == encode_ids([source_row_id]).formats()
    viewport = target.viewport()
    pos = QPointF(at if at is not None else viewport.rect().center())
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    move = QDragMoveEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, move)
    if not move.isAccepted():
        return False
    drop = QDropEvent(pos, Qt.DropAction.MoveAction, mime, buttons, mods)
    drop.setDropAction(Qt.DropAction.MoveAction)
    QApplication.sendEvent(viewport, drop)
    return drop.isAccepted()


@dataclass
class FakeEngine:
    """What ``SyncBridge`` and the window use of a ``SyncEngine``, recording calls."""

    status: SyncStatus = field(default_factory=SyncStatus)
    calls: list[str] = field(default_factory=list)
    status_listeners: list[Callable[[SyncStatus], None]] = field(default_factory=list)
    changes_listeners: list[Callable[[Changes], None]] = field(default_factory=list)
    nudged: list[Changes] = field(default_factory=list)

    def add_status_listener(self, fn: Callable[[SyncStatus], None]) -> None:
        self.status_listeners.append(fn)

    def add_changes_listener(self, fn: Callable[[Changes], None]) -> None:
        self.changes_listeners.append(fn)

    def start(self) -> None:
        self.calls.append("start")

    def stop(self) -> None:
        self.calls.append("stop")

    def sync_now(self) -> None:
        self.calls.append("sync_now")

    def relogin(self) -> None:
        self.calls.append("relogin")

    def nudge(self, changes: Changes | None = None) -> None:
        if changes is not None:
            self.nudged.append(changes)

    def emit(self, status: SyncStatus) -> None:
        """As the engine's thread would: through the listeners."""
        self.status = status
        for fn in self.status_listeners:
            fn(status)
