"""The technician kiosk: touch-first screens on the same foundations as the desk (the
database worker, the change hub, the sync bridge of ``ui.desk.context``)."""
