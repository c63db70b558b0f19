"""The garbage collector's policy for a long-running Bayline process.

Python's cycle collector now and then runs a full (generation 2) pass that walks every
container object the process holds. After start-up that is mostly what lives as long as
the process: modules, SQLAlchemy's mappers and compiled statements, the schema. A full pass
over them took 20-50 ms in the middle of a queue-board repaint (the board's p99 was
three to six times its p50). ``settle()`` moves what exists at that moment into the
permanent generation (``gc.freeze``), which the collector never walks again; what the
process allocates afterwards is still collected as usual.

The desk calls it once it has started (``ui.desk.run``: replica open, window shown); the
server does the same in its lifespan (``server.app``). It is not called by library code
(``Store``, the sync engine): freezing is a decision for the process, not for a module.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect once, then keep every surviving object out of later collections."""
    gc.collect()
    gc.freeze()


def unsettle() -> None:
    """Undo ``settle`` (the benchmarks measure the board without it, as a reference)."""
    gc.unfreeze()
