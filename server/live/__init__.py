"""Live pokes: a hub per process, fed by PostgreSQL LISTEN/NOTIFY or in-process on SQLite."""
