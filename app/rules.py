"""The shop's rules: the one table of job status moves and the one VIN check.

Both the local replica and the central API import these; there is no second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

JOB_STATUSES: tuple[str, ...] = (
    "estimate", "queued", "in_progress", "on_hold", "ready", "closed", "cancelled",
)
OPEN_STATUSES: tuple[str, ...] = ("estimate", "queued", "in_progress", "on_hold", "ready")
FINAL_STATUSES: frozenset[str] = frozenset({"closed", "cancelled"})

#: The allowed job status moves (PROTOCOL.md). ``closed`` and ``cancelled`` are final.
STATUS_MOVES: dict[str, tuple[str, ...]] = {
    "estimate": ("queued", "cancelled"),
    "queued": ("in_progress", "on_hold", "cancelled"),
    "in_progress": ("on_hold", "ready", "queued"),
    "on_hold": ("in_progress", "queued", "cancelled"),
    "ready": ("closed", "in_progress"),
    "closed": (),
    "cancelled": (),
}

STATUS_LABELS: dict[str, str] = {
    "estimate": "Estimate", "queued": "Queued", "in_progress": "In progress",
    "on_hold": "On hold", "ready": "Ready", "closed": "Closed", "cancelled": "Cancelled",
}

HOLD_REASONS: tuple[str, ...] = ("parts", "approval", "sublet", "other")
CUSTOMER_KINDS: tuple[str, ...] = ("person", "business")
ODOMETER_UNITS: tuple[str, ...] = ("km", "mi")
LINE_KINDS: tuple[str, ...] = ("labor", "part", "fee")
APPROVALS: tuple[str, ...] = ("pending", "approved", "declined")
PART_STATUSES: tuple[str, ...] = ("needed", "ordered", "received", "installed")
APPOINTMENT_STATUSES: tuple[str, ...] = ("scheduled", "confirmed", "arrived", "no_show", "cancelled")
TIME_ENTRY_KINDS: tuple[str, ...] = ("shift", "job", "break", "other")
NOTE_KINDS: tuple[str, ...] = ("note", "finding")
#: How the money was taken at hand-back (card processing itself is out of scope).
PAYMENT_METHODS: tuple[str, ...] = ("cash", "card", "account", "other")

FIRST_VIN_YEAR = 1981
MIN_VEHICLE_YEAR = 1886


def allowed_moves(from_status: str) -> tuple[str, ...]:
    """The statuses a job in ``from_status`` may move to."""
    return STATUS_MOVES.get(from_status, ())


def can_move(from_status: str, to_status: str) -> bool:
    """True when the table of moves allows ``from_status`` → ``to_status``."""
    return to_status in STATUS_MOVES.get(from_status, ())


#: Statuses a technician can be clocked on to a job in (a job waiting or done is not worked).
CLOCKABLE_STATUSES: tuple[str, ...] = ("estimate", "queued", "in_progress")


def clock_on_refusal(number: str, status: str) -> str | None:
    """Why nobody can clock on to job ``number`` in ``status`` (None: they can)."""
    if status in CLOCKABLE_STATUSES:
        return None
    return (f"Job {number} is {STATUS_LABELS.get(status, status).lower()}; "
            "nobody can clock on to it.")


def describe_refused_move(from_status: str, to_status: str) -> str:
    """A sentence for a refused move that names the moves that are possible."""
    if to_status not in STATUS_MOVES:
        return f"'{to_status}' is not a job status."
    frm = STATUS_LABELS.get(from_status, from_status)
    to = STATUS_LABELS.get(to_status, to_status)
    options = allowed_moves(from_status)
    if not options:
        return f"A {frm.lower()} job cannot change status any more."
    names = ", ".join(STATUS_LABELS[s] for s in options)
    return f"A job cannot move from {frm} to {to}; from {frm} it can move to: {names}."


# --- VIN -------------------------------------------------------------------------------

_VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_TRANSLITERATION: dict[str, int] = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class VinCheck:
    """The result of checking a VIN: the normalised value and an optional warning."""

    vin: str
    warning: str | None = None


def normalize_vin(raw: str | None) -> str:
    """Upper-case and strip spaces and dashes people type into VINs."""
    if raw is None:
        return ""
    return "".join(ch for ch in raw.upper() if ch not in " -\t")


def vin_check_digit(vin: str) -> str:
    """The ISO 3779 / FMVSS 115 check digit for a 17-character VIN ('0'-'9' or 'X')."""
    total = sum(_TRANSLITERATION[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def check_vin(raw: str | None) -> VinCheck:
    """Validate a VIN by the rule of PROTOCOL.md.

    Empty is allowed (vehicles older than 1981). Otherwise 17 characters of A–Z and 0–9
    without I, O, Q. A North American VIN (first character 1–5) must carry a valid check
    digit; elsewhere a mismatch is only a warning. Raises ``ValueError`` with a message
    naming the problem.
    """
    vin = normalize_vin(raw)
    if not vin:
        return VinCheck("")
    bad_letters = sorted({ch for ch in vin if ch in "IOQ"})
    if bad_letters:
        letters = ", ".join(bad_letters)
        raise ValueError(
            f"A VIN never contains the letters I, O or Q (found {letters}); "
            "they are usually the digits 1 and 0."
        )
    others = sorted({ch for ch in vin if ch not in _VIN_ALPHABET})
    if others:
        raise ValueError(f"A VIN has only letters and digits; '{''.join(others)}' is not allowed.")
    if len(vin) != 17:
        raise ValueError(f"A VIN has 17 characters; this one has {len(vin)}.")
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        if vin[0] in "12345":
            raise ValueError(
                f"The check digit (9th character) of this North American VIN should be "
                f"{expected}, not {vin[8]}: a character was probably mistyped."
            )
        return VinCheck(
            vin,
            warning=f"The 9th character is not the check digit {expected}; "
            "that is normal for many European VINs, but check the VIN was typed right.",
        )
    return VinCheck(vin)


def check_vehicle_year(year: int | None, *, today: date | None = None) -> None:
    """A model year from the first cars to next year; raises ``ValueError`` otherwise."""
    if year is None:
        return
    latest = (today or date.today()).year + 1
    if not MIN_VEHICLE_YEAR <= year <= latest:
        raise ValueError(f"The year must be between {MIN_VEHICLE_YEAR} and {latest}.")
