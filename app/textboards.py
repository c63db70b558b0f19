"""The queue and technician boards as plain text, for a terminal (``python main.py`` before
the desk window exists, and for support over a remote shell)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from app.db import Store
from app.queries.boards import QueueBoard, TechnicianBoard, queue_board, technician_board
from app.queries.common import shop_tz
from app.timeutil import utcnow


def _clock(at: datetime | None, tz: tzinfo, now: datetime) -> str:
    """``14:30`` today, ``Fri 14:30`` within a week, else ``27 Nov 14:30``."""
    if at is None:
        return "—"
    local, today = at.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if abs((local.date() - today.date()).days) < 7:
        return local.strftime("%a %H:%M")
    return local.strftime("%d %b %H:%M")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_queue(board: QueueBoard, tz: tzinfo | None = None) -> str:
    """One block per status; one line per job with its flags:
    ``!`` overdue, ``W`` customer waiting, ``P3`` three parts not in yet, ``↑2`` priority."""
    zone = shop_tz(tz)
    lines = [f"QUEUE — {board.total} open jobs, {board.overdue} overdue "
             f"(at {_clock(board.at, zone, board.at)})"]
    for column in board.columns:
        lines.append("")
        lines.append(f"{column.label.upper()} ({len(column.cards)})")
        if not column.cards:
            lines.append("  (none)")
        for c in column.cards:
            flags = "".join((
                "!" if c.overdue else " ",
                "W" if c.customer_waiting else " ",
            ))
            extra = []
            if c.priority:
                extra.append(f"↑{c.priority}")
            if c.parts_waiting:
                extra.append(f"P{c.parts_waiting}")
            if c.hold_reason:
                extra.append(f"hold: {c.hold_reason}")
            lines.append(
                f"  {flags} {c.number:<10} {_cut(c.vehicle, 26):<26} {_cut(c.plate, 9):<9} "
                f"{_cut(c.customer, 22):<22} {_cut(c.technician or '—', 16):<16} "
                f"promised {_clock(c.promised_at, zone, board.at):<12} {' '.join(extra)}"
                .rstrip())
    return "\n".join(lines)


def _bar(minutes: int, capacity: int, width: int = 20) -> str:
    if capacity <= 0:
        return "[" + " " * width + "]"
    filled = min(width, round(width * minutes / capacity))
    return "[" + "#" * filled + "." * (width - filled) + "]"


def render_technicians(board: TechnicianBoard, tz: tzinfo | None = None) -> str:
    """One block per active technician: on shift or not, the clocked job, the day's load
    and the open jobs assigned."""
    zone = shop_tz(tz)
    lines = [f"TECHNICIANS (at {_clock(board.at, zone, board.at)})"]
    for row in board.rows:
        lines.append("")
        shift = (f"on shift since {_clock(row.shift_since, zone, board.at)}"
                 if row.shift_since else "off shift")
        lines.append(f"{row.name} — {shift}")
        if row.clocked:
            lines.append(f"  clocked on job {row.clocked.number} ({row.clocked.vehicle}) "
                         f"since {_clock(row.clocked.since, zone, board.at)}")
        else:
            lines.append("  not clocked on a job")
        hours = f"{row.minutes_today // 60}:{row.minutes_today % 60:02d}"
        capacity = f"{row.capacity_minutes // 60}:{row.capacity_minutes % 60:02d}"
        lines.append(f"  today {_bar(row.minutes_today, row.capacity_minutes)} "
                     f"{hours} of {capacity} h ({row.load:.0%})")
        if row.assigned:
            jobs = ", ".join(f"{a.number} {a.status.replace('_', ' ')}{' !' if a.overdue else ''}"
                             for a in row.assigned)
            lines.append(f"  assigned: {jobs}")
    return "\n".join(lines)


def render_boards(store: Store, *, now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """Both boards of the replica ``store``, as of ``now`` (default: now), in one text."""
    at = now or utcnow()
    with store.read() as session:
        queue = queue_board(session, at)
        techs = technician_board(session, at, tz)
    return render_queue(queue, tz) + "\n\n" + render_technicians(techs, tz)
