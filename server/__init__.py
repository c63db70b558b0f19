"""Bayline central API: the sync protocol on PostgreSQL (or SQLite), shops, users, roles and live pokes."""
