"""The kiosk's offline PIN check (``sync.pins``): one argon2id hash with the server's kiosk
profile plus an HMAC. Target p95 <= 300 ms (issue 10): a slow hash on purpose, but a
technician in gloves must not wait for it. Measured with the real profile whatever
``BAYLINE_ARGON2_PROFILE`` says."""

from __future__ import annotations

import argparse
import time

from argon2 import PasswordHasher

from bench.result import Result, percentile
from sync import pins

#: The server's kiosk verifier profile (``server.auth.passwords``), stated here so a test
#: profile set in the environment cannot make the figure look better than it is.
KIOSK_PROFILE = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def run(args: argparse.Namespace) -> list[Result]:
    n = 10 if getattr(args, "quick", False) else 40
    secret = b"\x07" * 32
    sealed = pins.seal(KIOSK_PROFILE.hash("2468"), "user", secret)
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        ok = pins.verify_sealed(sealed, "user", "2468" if i % 2 else "1357", secret)
        samples.append((time.perf_counter() - t0) * 1000)
        assert ok == bool(i % 2)
    return [Result("offline PIN check p95 (argon2id 19 MiB t=2, + HMAC)",
                   percentile(samples, 95), "ms", 300.0, "lower")]
