"""Read queries for the boards and screens. They return plain dataclasses, never ORM rows.

Each takes a SQLAlchemy ``Session`` first, and the time (``now``, a day, a range) as
parameters, so a test can fix it: ``boards`` (queue and technicians), ``schedule`` (a day by
bay and technician), ``history`` (a vehicle's jobs and readings), ``search`` (the desk's
search box), ``maintenance`` (services due), ``efficiency`` (technician figures).
"""
