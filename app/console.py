"""The program's text streams, made safe for a Windows console, pipe or redirect.

Piped or redirected output on Windows is encoded with the ANSI code page (cp1252 and the
like), which has no ``↑`` and no ``工``: one such character in a board or a customer's name
raised ``UnicodeEncodeError``. A reader that stops early (``| more``, ``| head``) closes
the pipe, which arrives as ``BrokenPipeError`` on POSIX and as ``OSError`` EINVAL on
Windows. Entry points call ``utf8_streams()`` first and ``closed_pipe()`` in their handler.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import TextIO


def utf8_streams(*streams: TextIO | None) -> None:
    """Make ``streams`` (default: stdout and stderr) write UTF-8, replacing what cannot be
    encoded (a lone surrogate from an odd file name) instead of failing. Streams that are
    missing (a windowed program has none) or cannot be changed are left alone."""
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(encoding="utf-8", errors="replace")
        except (ValueError, OSError):  # a detached or closed stream
            continue


def closed_pipe(exc: BaseException, stream: TextIO | None = None) -> bool:
    """True when ``exc`` means the reader of ``stream`` (default stdout) has gone away.

    ``BrokenPipeError`` always does. Windows reports the same as ``OSError`` EINVAL, an
    errno too general to trust alone, so it counts only when ``stream`` itself still cannot
    be flushed. Either way ``stream`` is then pointed at the null device, so that the
    interpreter's last flush at exit is quiet too.
    """
    out = sys.stdout if stream is None else stream
    if isinstance(exc, BrokenPipeError):
        _silence(out)
        return True
    if not isinstance(exc, OSError) or exc.errno != errno.EINVAL or out is None:
        return False
    try:
        out.flush()
    except OSError as again:
        if again.errno not in (errno.EINVAL, errno.EPIPE):
            return False
        _silence(out)
        return True
    return False


def _silence(stream: TextIO | None) -> None:
    """Python's advice for a closed pipe: point the stream's descriptor at the null device."""
    if stream is None:
        return
    try:
        fd = stream.fileno()
    except (OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
