"""Read queries for the boards and screens. They return plain dataclasses, never ORM rows."""
