"""Qt item models over plain row objects (ids plus a row cache), never ORM objects."""
