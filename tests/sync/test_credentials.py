"""Tokens live in the keyring only; without a secure store, login says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from app.db import Store
from sync import account
from sync.credentials import SERVICE, NoKeyring, Tokens, TokenStore, secure_backend
from sync.engine import SyncEngine
from tests.sync.conftest import SERVER
from tests.sync.fakeserver import FakeServer
from tests.sync.helpers import new_job

Replica = Callable[[str], Store]
Engine = Callable[..., SyncEngine]


def test_tokens_are_in_the_keyring_and_nowhere_in_the_data_folder(
        make_replica: Replica, make_engine: Engine, fake: FakeServer, tmp_path: Path,
        test_keyring: PlaintextKeyring, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    store = make_replica("a")
    new_job(store)
    engine = make_engine(store)
    engine.start()
    fake.expire_access_tokens()  # force a refresh too: the new pair must go to the keyring
    engine.sync_now()
    engine.advance(1.0)
    engine.stop()
    saved = TokenStore().load(SERVER, "clerk")
    assert saved is not None and saved.access_token in fake.access
    assert test_keyring.get_password(SERVICE, f"{SERVER} clerk")
    issued = [t for t in (*fake.access, *fake.refresh)]
    assert issued
    folder = tmp_path / "a"
    blobs = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    for token in issued:
        assert token.encode() not in blobs
        assert token not in caplog.text
    assert "access-" not in repr(saved)


def test_logout_forgets_the_tokens_and_keeps_the_waiting_changes(
        make_replica: Replica, fake: FakeServer) -> None:
    store = make_replica("a")
    new_job(store)
    assert account.logout(store, transport=fake.transport())
    assert TokenStore().load(SERVER, "clerk") is None
    assert fake.access == set()  # the server was told
    facts = account.describe(store)
    assert facts["user"] is None and facts["changes_waiting"] == 3
    assert facts["server"] == SERVER


def test_no_secure_store_is_refused_with_a_clear_message(
        monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(NoKeyring) as err:
        secure_backend()
    assert "no secure password store" in err.value.message


def test_an_auto_picked_plain_file_is_not_accepted(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """keyring falls back to keyrings.alt's plain file on a headless box: we do not."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr("keyring.core.load_config", lambda: None)
    plain = PlaintextKeyring()
    plain.file_path = str(tmp_path / "plain.cfg")  # type: ignore[misc]
    keyring.set_keyring(plain)
    with pytest.raises(NoKeyring):
        TokenStore().save(SERVER, "clerk", Tokens("a", "r"))
    assert not (tmp_path / "plain.cfg").exists()


def test_login_without_a_secure_store_keeps_nothing(tmp_path: Path, fake: FakeServer) -> None:
    keyring.set_keyring(fail.Keyring())
    store = Store(tmp_path / "r" / "replica.sqlite")
    try:
        with pytest.raises(NoKeyring):
            account.login(store, SERVER, "clerk", "secret", transport=fake.transport())
        assert store.state().server_url is None
        assert fake.requests == []  # no session was opened on the server
    finally:
        store.close()
