"""The desk offers only what the signed-in role may do (``ui.desk.permissions`` over
``app.roles``): a clerk has no administration, a refused action is disabled with the
server's reason, and a move the role may not make is explained instead of written."""

from __future__ import annotations

from typing import Any

from app.db import Store
from app.models import Outbox
from sync.outbox import sync_state
from tests.ui.helpers import Shop, job_status
from ui.desk.window import MainWindow


def sign_in_as(store: Store, role: str | None, username: str | None = "ann",
               server: str | None = None) -> None:
    """What ``sync.account.login`` leaves in the sync state, without a server."""
    with store.write_session() as s:
        st = sync_state(s)
        st.role, st.username = role, username
        st.user_id = "00000000-0000-4000-8000-000000000001" if username else None
        if server is not None:
            st.server_url = server


def outbox_size(store: Store) -> int:
    with store.read() as s:
        return s.query(Outbox).count()


def action(window: MainWindow, name: str) -> Any:
    from ui.qt import QAction

    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def test_a_clerk_has_no_administration_and_its_actions_say_why(
        shop: Shop, store: Store, make_desk: Any) -> None:
    sign_in_as(store, "clerk")
    window = make_desk()
    assert window.ctx.permissions.role == "clerk"
    assert not window.admin_menu.menuAction().isVisible()
    techs = action(window, "adminTechnicians")
    assert not techs.isEnabled()
    assert techs.toolTip() == "A clerk cannot change technicians."
    time = action(window, "adminTime")
    assert not time.isEnabled()
    assert time.toolTip() == "A clerk cannot add time entries."
    users = action(window, "adminUsers")
    assert not users.isEnabled() and users.toolTip() == "Only an admin manages users."
    # the permissions say the same words as the replica's Writer and the server
    assert window.ctx.permissions.allowed("technician", "update") == (
        False, "A clerk cannot change technicians.")
    assert window.ctx.permissions.allowed("job", "update", {"status": "closed"}) == (True, "")
    # a clerk still moves and assigns jobs: the card menu offers it
    menu = window.queue_board.build_menu(shop.jobs["ready"], "ready")
    moves = next(a.menu() for a in menu.actions() if a.text() == "Move to")
    closed = next(a for a in moves.actions() if a.data() == "closed")
    assert closed.isEnabled()


def test_a_manager_sees_administration(shop: Shop, store: Store, make_desk: Any) -> None:
    sign_in_as(store, "manager")
    window = make_desk()
    assert window.admin_menu.menuAction().isVisible()
    for name in ("adminTechnicians", "adminBays", "adminTime", "adminSettings"):
        assert action(window, name).isEnabled(), name
    users = action(window, "adminUsers")  # the server's /users is an admin's
    assert not users.isEnabled() and users.toolTip() == "Only an admin manages users."


def test_a_demo_desk_has_every_right_but_no_users_to_switch(shop: Shop, make_desk: Any) -> None:
    window = make_desk()
    assert window.ctx.permissions.role is None
    assert window.admin_menu.menuAction().isVisible()
    assert action(window, "adminTechnicians").isEnabled()
    switch = action(window, "switchUser")
    assert not switch.isEnabled()
    assert "not connected to a server" in switch.toolTip()
    assert window.session_lock.lock() is False


def test_a_move_the_role_may_not_make_is_disabled_with_the_reason_and_never_written(
        shop: Shop, store: Store, make_desk: Any, qtbot: Any) -> None:
    sign_in_as(store, "technician")
    window = make_desk()
    job = shop.jobs["ready"]
    menu = window.queue_board.build_menu(job, "ready")
    moves = next(a.menu() for a in menu.actions() if a.text() == "Move to")
    closed = next(a for a in moves.actions() if a.data() == "closed")
    assert not closed.isEnabled()
    assert closed.toolTip() == ("A technician cannot close or cancel a job; the front desk "
                                "does that.")
    assign = next(a for a in menu.actions() if a.text() == "Assign to")
    assert assign.isEnabled()  # the role table lets a technician claim a job
    before = outbox_size(store)
    with qtbot.waitSignal(window.refused, timeout=5_000) as refused:
        window.move_job(job, "closed")  # the keyboard and drag path: the same answer
    assert "cannot close or cancel a job" in refused.args[1]
    assert window.notice.label.text() == refused.args[1]
    assert job_status(store, job)[0] == "ready"
    assert outbox_size(store) == before  # nothing that would be refused later was written


def test_the_role_is_read_again_after_a_switch(shop: Shop, store: Store, make_desk: Any,
                                               qtbot: Any) -> None:
    sign_in_as(store, "clerk")
    window = make_desk()
    assert not window.admin_menu.menuAction().isVisible()
    sign_in_as(store, "manager", "max")
    with qtbot.waitSignal(window.ctx.permissions.changed, timeout=5_000):
        window.ctx.permissions.reload()
    assert window.admin_menu.menuAction().isVisible()
    assert action(window, "adminTechnicians").isEnabled()
    assert window.signed_in_label.text() == "max · manager"


def test_check_in_is_offered_only_to_a_role_that_may_write_up_jobs(
        shop: Shop, store: Store, make_desk: Any) -> None:
    sign_in_as(store, "technician")
    window = make_desk()
    checkin = action(window, "checkIn")
    assert not checkin.isEnabled()
    assert checkin.toolTip() == "A technician cannot write up jobs."
    sign_in_as(store, "clerk")
    clerk = make_desk()
    assert action(clerk, "checkIn").isEnabled()
