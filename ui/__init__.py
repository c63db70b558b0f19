"""The PySide6 user interface: the front-desk window (and later the kiosk).

Views never do I/O themselves: SQLite through ``ui.worker``, the network through
``ui.syncbridge``; every change, local or synced, reaches them through ``ui.hub``.
"""
