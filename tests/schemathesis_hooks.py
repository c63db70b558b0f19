"""Schemathesis hooks of ``tests.schemathesis_run`` (loaded by the CLI through
``SCHEMATHESIS_HOOKS``): sign-ins that renew themselves, since a fuzzed ``auth/logout``
revokes the session whose token it carries.

``auth/pin`` is asked with the seeded kiosk device account's token (the only role that may
open a PIN session), every other operation with the admin's. Credentials come from
``BAYLINE_FUZZ_API`` (the API's base URL), ``BAYLINE_FUZZ_ADMIN`` and ``BAYLINE_FUZZ_KIOSK``
(``username:password`` of the seeded test users).
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis


def _login(account_variable: str) -> str:
    username, _, password = os.environ[account_variable].partition(":")
    r = httpx.post(f"{os.environ['BAYLINE_FUZZ_API']}/auth/login", timeout=30,
                   json={"username": username, "password": password,
                         "device_name": "schemathesis"})
    r.raise_for_status()
    return str(r.json()["access_token"])


def _bearer(case: Any, token: str) -> None:
    case.headers = case.headers or {}
    case.headers["Authorization"] = f"Bearer {token}"


@schemathesis.auth().apply_to(operation_id="auth_pin")
class KioskAuth:
    def get(self, case: Any, context: Any) -> str:
        return _login("BAYLINE_FUZZ_KIOSK")

    def set(self, case: Any, data: str, context: Any) -> None:
        _bearer(case, data)


@schemathesis.auth().skip_for(operation_id="auth_pin")
class AdminAuth:
    def get(self, case: Any, context: Any) -> str:
        return _login("BAYLINE_FUZZ_ADMIN")

    def set(self, case: Any, data: str, context: Any) -> None:
        _bearer(case, data)
