"""Bayline domain core: the local replica, its rules and its operations.

Pure Python: nothing here imports Qt, ``ui``, ``sync`` or ``server``.
"""
