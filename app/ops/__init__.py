"""Domain operations. Each takes a ``Writer`` (one transaction) as its first argument.

Call them through ``Store.run(op, ...)``, which commits and returns a ``Changes``; in that
one transaction an operation validates its input, changes rows and appends outbox entries.
"""
