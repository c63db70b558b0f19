"""Every rule a synced row's values must keep, written once for the desk, the kiosk and the
server.

Three kinds of rules, each with the message a person reads beside the field:

- **field rules** (``validate_field``): a value on its own — its kind, whether it may be
  empty, its length, its choices, and the rules of ``FIELD_RULES`` (a customer's name, an
  e-mail, a VIN, a quantity...). A rule may also tidy the value (strip spaces, upper-case a
  VIN); the tidied value is what is stored, on the replica and on the server alike.
- **row rules** (``validate_row``): fields that depend on each other (a part status only on
  a part line, an appointment's end after its start). A rule is checked when a new row is
  made, or when a change touches one of its fields, so an old row that breaks a newer rule
  never blocks an unrelated edit.
- **what may change after a row is written** (``check_change``, ``check_delete``), from the
  one declaration ``app.entities.AFTER_WRITE``.

The replica's ``Writer`` runs all three on every write, and the server's apply runs them on
every mutation, so nothing a desk would refuse can be stored by anyone. A form can call
``validate_field`` per field as it is typed; ``ValidationError.field`` says where the
message goes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String

from app import rules, shopsettings
from app.entities import AFTER_WRITE, CHOICES, ENTITY_MIXINS, WIRE, entity_label
from app.errors import ValidationError
from app.timeutil import to_rfc3339

#: The longest text a ``Text`` column holds (the server's limit; the replica keeps the same).
MAX_TEXT_CHARS = 100_000
INT32 = (-(2**31), 2**31 - 1)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()./\- ]{3,40}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_PART_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z ./#_-]*$")
#: The most one payment may record (1,000,000.00): a typo guard, not a business limit.
MAX_PAYMENT_CENTS = 100_000_000


# --- the rules --------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldRule:
    """The rule of one field, beyond its kind, length and choices.

    ``tidy`` runs first (it must accept anything and return it unchanged when it cannot
    tidy it); ``check`` raises ``ValueError`` with the message; ``warning`` returns a
    message for a value that is kept but worth a second look. ``refused`` are values that
    break the rule (valid on the wire), so a test proves the rule holds on both sides.
    """

    check: Callable[[Any], None] | None = None
    tidy: Callable[[Any], Any] | None = None
    warning: Callable[[Any], str | None] | None = None
    refused: tuple[Any, ...] = ()


@dataclass(frozen=True)
class RowRule:
    """A rule between fields of one row: ``check(row)`` returns the message when broken.

    ``fields`` are the fields it reads (a change touching one of them is checked);
    ``field`` is where its message is shown; ``refused`` are partial rows that break it.
    """

    fields: frozenset[str]
    field: str
    check: Callable[[Mapping[str, Any]], str | None]
    refused: tuple[dict[str, Any], ...] = ()


def _strip(value: Any) -> Any:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def _required(message: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if not value:
            raise ValueError(message)
    return check


def _matches(pattern: re.Pattern[str], message: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value and not pattern.match(value):
            raise ValueError(message)
    return check


def _between(low: float, high: float, message: str) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if value is not None and not low <= value <= high:
            raise ValueError(message)
    return check


def _not_negative(message: str) -> Callable[[Any], None]:
    return _between(0, float("inf"), message)


def _vin(value: Any) -> None:
    rules.check_vin(value)


def _vin_warning(value: Any) -> str | None:
    return rules.check_vin(value).warning


def _tidy_vin(value: Any) -> Any:
    return rules.normalize_vin(value) if value is None or isinstance(value, str) else value


def _year(value: Any) -> None:
    rules.check_vehicle_year(value)


def _plate(value: Any) -> Any:
    return " ".join(value.upper().split()) if isinstance(value, str) else _strip(value)


def _skills(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(s, str) for s in value):
        return sorted({s.strip() for s in value if s.strip()})
    return value


def _check_skills(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(s, str) and len(s) <= 100
                                              for s in value):
        raise ValueError("Skills are a list of short texts.")
    if len(value) > 100:
        raise ValueError("A technician has at most 100 skills.")


def _quantity(q: Any) -> None:
    if q <= 0:
        raise ValueError("The quantity must be more than 0.")
    if q > 10_000:
        raise ValueError("The quantity can be at most 10,000.")


def _colour(value: Any) -> None:
    if not _COLOR.match(value):
        raise ValueError("A colour is written like #1e88e5.")


def _payment_amount(value: Any) -> None:
    if value <= 0:
        raise ValueError("The amount taken must be more than 0.")
    if value > MAX_PAYMENT_CENTS:
        raise ValueError("The amount taken can be at most 1,000,000.00.")


def _whole_cents(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_NAME_REFUSED = ("", "   ")

#: (entity, field) → its rule. Fields not named here keep only their kind, length and
#: choices (which ``generic_refusals`` lists).
FIELD_RULES: dict[tuple[str, str], FieldRule] = {
    ("customer", "name"): FieldRule(_required("A customer needs a name."), _strip,
                                    refused=_NAME_REFUSED),
    ("customer", "email"): FieldRule(
        _matches(_EMAIL, "That e-mail address does not look right."), _strip,
        refused=("not an e-mail", "ann@", "a b@c.d")),
    ("customer", "phone"): FieldRule(
        _matches(_PHONE, "A phone number has digits, spaces and + ( ) - only."), _strip,
        refused=("call me maybe", "12", "555-0142 ext. 4")),
    ("vehicle", "vin"): FieldRule(_vin, _tidy_vin, _vin_warning,
                                  refused=("1HGCM82633A00435", "1HGCM82633A004353",
                                           "1HGCM8263OA004352", "1HGCM82633A00435!")),
    ("vehicle", "plate"): FieldRule(tidy=_plate),
    ("vehicle", "make"): FieldRule(tidy=_strip),
    ("vehicle", "model"): FieldRule(tidy=_strip),
    ("vehicle", "year"): FieldRule(_year, refused=(1800, 2999)),
    ("vehicle", "odometer"): FieldRule(_not_negative("The odometer cannot be negative."),
                                       refused=(-1,)),
    ("technician", "name"): FieldRule(_required("A technician needs a name."), _strip,
                                      refused=_NAME_REFUSED),
    ("technician", "skills"): FieldRule(_check_skills, _skills,
                                        refused=("brakes", [1, 2], ["x" * 101])),
    ("technician", "color"): FieldRule(_colour,
                                       refused=("", "red", "#12345", "#12345g")),
    ("technician", "daily_capacity_minutes"): FieldRule(
        _between(0, 24 * 60, "Daily capacity is between 0 and 1,440 minutes."),
        refused=(-1, 1441)),
    ("bay", "name"): FieldRule(_required("A bay needs a name."), _strip, refused=_NAME_REFUSED),
    ("job", "priority"): FieldRule(_between(0, 3, "Priority is 0 (normal) to 3 (urgent)."),
                                   refused=(-1, 4, 99)),
    ("job", "concern"): FieldRule(tidy=_strip),
    ("job", "estimated_minutes"): FieldRule(
        _not_negative("The estimate cannot be negative."), refused=(-1,)),
    ("job", "odometer_in"): FieldRule(_not_negative("The odometer cannot be negative."),
                                      refused=(-1,)),
    ("job_line", "description"): FieldRule(_required("A line needs a description."), _strip,
                                           refused=_NAME_REFUSED),
    ("job_line", "quantity"): FieldRule(_quantity, refused=(0, -2, 0.0, 10_001)),
    ("job_line", "unit_price_cents"): FieldRule(tidy=_whole_cents),
    ("job_line", "part_number"): FieldRule(
        _matches(_PART_NUMBER, "A part number has letters, digits, spaces and . / # _ - only."),
        _strip, refused=("-12", "ab*cd", "é-1")),
    ("payment", "amount_cents"): FieldRule(_payment_amount, _whole_cents,
                                           refused=(0, -100, MAX_PAYMENT_CENTS + 1)),
    ("appointment", "notes"): FieldRule(tidy=_strip),
    ("time_entry", "reason"): FieldRule(tidy=_strip),
    ("note", "body"): FieldRule(_required("The note is empty."), _strip,
                                refused=_NAME_REFUSED),
}


def _setting(name: str) -> Callable[[Any], Any]:
    def tidy(value: Any) -> Any:
        return shopsettings.check_setting(name, value)  # raises ValidationError(field=name)
    return tidy


_SETTINGS_REFUSED: dict[str, tuple[Any, ...]] = {
    "tax_rate_bp": (-1, 10_001), "rounding_cents": (0, 3), "taxable_kinds": (["beer"],),
    "approval_notice_minutes": (-1,), "kiosk_timeout_seconds": (5, 99_999),
    "time_zone": ("Europe/Berln", "Mars/Olympus", "../etc/passwd"),
}
# The shop settings' rules are app.shopsettings' (with the money rules they drive).
FIELD_RULES.update({
    ("shop_settings", name): FieldRule(tidy=_setting(name), refused=_SETTINGS_REFUSED.get(name, ()))
    for name in shopsettings.DEFAULTS
})

#: Longer limits than a column's own, where a person needs a kinder one.
MAX_CHARS: dict[tuple[str, str], int] = {("note", "body"): 20_000}


def _vehicle_identified(row: Mapping[str, Any]) -> str | None:
    if not (row.get("vin") or row.get("plate")):
        return "A vehicle needs a plate or a VIN."
    return None


def _hold_reason(row: Mapping[str, Any]) -> str | None:
    if row.get("hold_reason") is not None and row.get("status") != "on_hold":
        return "Only a job on hold has a hold reason."
    return None


def _part_status(row: Mapping[str, Any]) -> str | None:
    if row.get("part_status") is not None and row.get("kind") != "part":
        return "Only a part line has a part status."
    return None


def _part_number(row: Mapping[str, Any]) -> str | None:
    if row.get("part_number") and row.get("kind") != "part":
        return "Only a part line has a part number."
    return None


def _price(row: Mapping[str, Any]) -> str | None:
    price = row.get("unit_price_cents")
    if price is not None and price < 0 and row.get("kind") != "fee":
        return "A price cannot be negative (use a fee line for a discount)."
    return None


def _appointment_times(row: Mapping[str, Any]) -> str | None:
    starts, ends = row.get("starts_at"), row.get("ends_at")
    if starts is None or ends is None:
        return None  # the field rules say a start and an end are needed
    if ends <= starts:
        return "The end must be after the start."
    if ends - starts > timedelta(days=14):
        return "An appointment cannot last more than two weeks."
    return None


def _time_entry_times(row: Mapping[str, Any]) -> str | None:
    starts, ends = row.get("started_at"), row.get("ended_at")
    if starts is not None and ends is not None and ends < starts:
        return "A time entry cannot end before it starts."
    return None


def _correction_reason(row: Mapping[str, Any]) -> str | None:
    if row.get("corrects_id") is not None and not (row.get("reason") or "").strip():
        return "Say why the time is corrected."
    return None


_T0 = datetime(2026, 11, 27, 8, 0)

#: entity → the rules between its fields.
ROW_RULES: dict[str, tuple[RowRule, ...]] = {
    "vehicle": (RowRule(frozenset({"vin", "plate"}), "plate", _vehicle_identified,
                        refused=({"vin": "", "plate": ""},)),),
    "job": (RowRule(frozenset({"status", "hold_reason"}), "hold_reason", _hold_reason,
                    refused=({"status": "queued", "hold_reason": "parts"},)),),
    "job_line": (
        RowRule(frozenset({"kind", "part_status"}), "part_status", _part_status,
                refused=({"kind": "labor", "part_status": "ordered"},
                         {"kind": "fee", "part_status": "needed"})),
        RowRule(frozenset({"kind", "unit_price_cents"}), "unit_price_cents", _price,
                refused=({"kind": "labor", "part_status": None, "unit_price_cents": -100},
                         {"kind": "part", "unit_price_cents": -1})),
        RowRule(frozenset({"kind", "part_number"}), "part_number", _part_number,
                refused=({"kind": "labor", "part_status": None, "part_number": "BP-1234"},)),
    ),
    "appointment": (RowRule(frozenset({"starts_at", "ends_at"}), "ends_at", _appointment_times,
                            refused=({"starts_at": _T0, "ends_at": _T0},
                                     {"starts_at": _T0, "ends_at": _T0 - timedelta(hours=1)},
                                     {"starts_at": _T0, "ends_at": _T0 + timedelta(days=15)})),),
    "time_entry": (
        RowRule(frozenset({"started_at", "ended_at"}), "ended_at", _time_entry_times,
                refused=({"started_at": _T0, "ended_at": _T0 - timedelta(minutes=1)},)),
        RowRule(frozenset({"corrects_id", "reason"}), "reason", _correction_reason),
    ),
}


# --- the field's kind, length and choices ------------------------------------------------

@dataclass(frozen=True)
class _Column:
    kind: str
    nullable: bool
    max_chars: int | None
    int32: bool
    choices: tuple[Any, ...] | None
    default: Any
    #: Makes the default afresh (a list must not be shared between rows), or None.
    default_factory: Callable[[], Any] | None = None


def _columns(entity: str) -> dict[str, _Column]:
    mixin = ENTITY_MIXINS[entity]
    out: dict[str, _Column] = {}
    for name, spec in WIRE[entity].fields.items():
        column = getattr(vars(mixin)[name], "column")  # noqa: B009 - a MappedColumn
        t = column.type
        max_chars = MAX_CHARS.get((entity, name))
        if max_chars is None and spec.kind == "str":
            max_chars = t.length if isinstance(t, String) and t.length else MAX_TEXT_CHARS
        d = column.default
        factory = (lambda d=d: d.arg(None)) if d is not None and d.is_callable else None
        default = None if d is None else (factory() if factory is not None else d.arg)
        out[name] = _Column(spec.kind, spec.nullable, max_chars, isinstance(t, Integer),
                            CHOICES.get((entity, name)), default, factory)
    return out


_COLUMNS: dict[str, dict[str, _Column]] = {e: _columns(e) for e in ENTITY_MIXINS}


#: Per entity, fields whose default a rule refuses or may refuse (checked on a new row).
_CHECKED_DEFAULTS: dict[str, tuple[str, ...]] = {
    e: tuple(n for n in cols if (e, n) in FIELD_RULES and FIELD_RULES[(e, n)].check is not None
             and cols[n].default is not None)
    for e, cols in _COLUMNS.items()
}


def _check_text(name: str, value: Any) -> None:
    """Strings (also inside JSON values) must be storable: UTF-8 without NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"'{name}' must not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"'{name}' is not valid Unicode text.") from None
    elif isinstance(value, list):
        for item in value:
            _check_text(name, item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(name, key)
            _check_text(name, item)


def _check_kind(name: str, col: _Column, value: Any) -> Any:
    """``value`` as the column holds it, or ``ValueError`` in the words of ``FieldSpec``
    (which converts wire values on the server, so both sides say the same)."""
    kind = col.kind
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"'{name}' must be text")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"'{name}' must be a whole number")
        if col.int32 and not INT32[0] <= value <= INT32[1]:
            raise ValueError(f"'{name}' is out of range.")
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"'{name}' must be a number")
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"'{name}' must be a finite number")
        value = float(value)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"'{name}' must be true or false")
    elif kind == "time":
        if not isinstance(value, datetime):
            raise ValueError(f"'{name}' must be an RFC 3339 time")
    elif kind == "id":
        if not isinstance(value, str):
            raise ValueError(f"'{name}' must be a UUID")
        if len(value) != 36 or value != value.lower():
            try:
                value = str(uuid.UUID(value))
            except ValueError:
                raise ValueError(f"'{name}' must be a UUID") from None
    _check_text(name, value)
    return value


def _check_limits(name: str, col: _Column, value: Any) -> None:
    if col.max_chars is not None and isinstance(value, str) and len(value) > col.max_chars:
        raise ValueError(f"'{name}' can be at most {col.max_chars:,} characters long.")
    if col.choices is not None and value not in col.choices:
        shown = ", ".join(str(a) for a in col.choices if a is not None)
        raise ValueError(f"'{value}' is not a valid {name.replace('_', ' ')}; "
                         f"choose one of: {shown}.")


# --- checking ----------------------------------------------------------------------------

def validate_field(entity: str, name: str, value: Any,
                   warnings: list[str] | None = None) -> Any:
    """``value`` for ``entity.name`` as it is stored (tidied), or ``ValidationError`` with
    ``field=name`` and a message a person can act on. A warning (a VIN whose check digit is
    not one, outside North America) is appended to ``warnings`` when given."""
    col = _COLUMNS.get(entity, {}).get(name)
    if col is None:
        shown = name.encode("ascii", "backslashreplace").decode()[:64]
        raise ValidationError(f"A {entity_label(entity)} has no field '{shown}'.", field=name)
    rule = FIELD_RULES.get((entity, name))
    try:
        if rule is not None and rule.tidy is not None:
            value = rule.tidy(value)
        if value is None:
            if col.nullable:
                return None
            raise ValueError(f"'{name}' cannot be empty")
        value = _check_kind(name, col, value)
        if rule is not None and rule.check is not None:
            rule.check(value)
        _check_limits(name, col, value)
        if rule is not None and warnings is not None and rule.warning is not None:
            message = rule.warning(value)
            if message:
                warnings.append(message)
    except ValueError as exc:
        raise ValidationError(str(exc), field=name) from None
    return value


def validate_fields(entity: str, fields: Mapping[str, Any],
                    warnings: list[str] | None = None) -> dict[str, Any]:
    """Every one of ``fields`` through ``validate_field``; the tidied values."""
    return {name: validate_field(entity, name, value, warnings) for name, value in fields.items()}


def validate_row(entity: str, row: Mapping[str, Any],
                 changed: Collection[str] | None = None) -> None:
    """The rules between ``row``'s fields; with ``changed``, only those that read a changed
    field (a new row: ``changed=None``, every rule). ``ValidationError`` names the field."""
    for rule in ROW_RULES.get(entity, ()):
        if changed is not None and rule.fields.isdisjoint(changed):
            continue
        message = rule.check(row)
        if message:
            raise ValidationError(message, field=rule.field)


def defaults(entity: str) -> dict[str, Any]:
    """The value of every field of a new row that its maker did not give."""
    return {name: col.default_factory() if col.default_factory is not None else col.default
            for name, col in _COLUMNS[entity].items()}


def required(entity: str) -> list[str]:
    """Fields a new row must be given (no default and not nullable)."""
    return [name for name, col in _COLUMNS[entity].items()
            if col.default is None and not col.nullable]


def validate_new(entity: str, fields: Mapping[str, Any],
                 warnings: list[str] | None = None) -> dict[str, Any]:
    """A new row's given fields, tidied; the row (with defaults) meets every row rule."""
    values = validate_fields(entity, fields, warnings)
    full = defaults(entity)
    full.update(values)
    for name in _CHECKED_DEFAULTS[entity]:
        if name not in values:
            validate_field(entity, name, full[name])  # a blank a rule refuses (a line's
            # description) is refused whether it was sent or left out
    missing = [f for f in required(entity) if full.get(f) is None]
    if missing:
        raise ValidationError(f"A new {entity_label(entity)} needs "
                              f"{', '.join(repr(f) for f in missing)}.", field=missing[0])
    validate_row(entity, full)
    return values


class RowView(Mapping[str, Any]):
    """A stored row (any object with the fields as attributes) with changes on top."""

    def __init__(self, row: Any, changes: Mapping[str, Any]) -> None:
        self._row = row
        self._changes = changes

    def __getitem__(self, key: str) -> Any:
        if key in self._changes:
            return self._changes[key]
        try:
            return getattr(self._row, key)
        except AttributeError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(_COLUMNS[self._row.__tablename__])

    def __len__(self) -> int:
        return len(_COLUMNS[self._row.__tablename__])


_SET_ONCE_WORDS = {"ended_at": "already ended at"}


def check_change(entity: str, row: Any, changed: Mapping[str, Any]) -> None:
    """Refuse a change that ``AFTER_WRITE`` does not allow of a row already written:
    ``changed`` holds only fields whose value differs from ``row``'s."""
    rule = AFTER_WRITE.get(entity)
    if rule is None or not changed:
        return
    label = entity_label(entity)
    for name in changed:
        if name in rule.set_once:
            current = getattr(row, name)
            if current is not None:
                shown = to_rfc3339(current) if isinstance(current, datetime) else current
                done = _SET_ONCE_WORDS.get(name, f"already has its {name.replace('_', ' ')}")
                raise ValidationError(f"This {label} {done} {shown}; add a correction "
                                      "instead.", field=name)
            continue
        if name in rule.fixed or (rule.only is not None and name not in rule.only):
            raise ValidationError(rule.refusal or
                                  f"A {label} cannot be changed; add a new one.", field=name)


def check_delete(entity: str) -> None:
    """Refuse to delete a row of an entity that ``AFTER_WRITE`` keeps for good."""
    rule = AFTER_WRITE.get(entity)
    if rule is not None and not rule.deletable:
        raise ValidationError(delete_refusal(entity))


def delete_refusal(entity: str) -> str:
    """Why rows of ``entity`` are never deleted."""
    rule = AFTER_WRITE.get(entity)
    if rule is not None and rule.delete_refusal:
        return rule.delete_refusal
    return f"A {entity_label(entity)} is never deleted; corrections are new rows."


@dataclass(frozen=True)
class Refusal:
    """One value (or partial row) that a rule refuses, for the tests that walk them all."""

    entity: str
    field: str
    values: dict[str, Any]
    why: str


def generic_refusals(entity: str, name: str) -> list[Any]:
    """Values the field's kind, emptiness, length, range or choices refuse (JSON values;
    an empty value its rule tidies into a valid one, such as a blank phone, is left out)."""
    col = _COLUMNS[entity][name]
    out: list[Any] = [None,
                      {"str": 12, "int": "12", "float": "1.5", "bool": "yes", "time": "yesterday",
                       "id": "not-a-uuid", "json": ["a\x00b"]}[col.kind]]
    if col.max_chars is not None:
        out.append("x" * (col.max_chars + 1))
    if col.kind == "str":
        out.append("a\x00b")
    if col.int32:
        out.append(2**31)
    if col.choices is not None:
        out.append("no-such-choice")
    refused = []
    for value in out:
        try:
            validate_field(entity, name, value)
        except ValidationError:
            refused.append(value)
    return refused


def refusals(entity: str) -> list[Refusal]:
    """Every value of ``entity`` a rule refuses: field by field, then row by row."""
    out: list[Refusal] = []
    for name in WIRE[entity].fields:
        for value in generic_refusals(entity, name):
            out.append(Refusal(entity, name, {name: value}, "kind"))
        rule = FIELD_RULES.get((entity, name))
        if rule is not None:
            for value in rule.refused:
                out.append(Refusal(entity, name, {name: value}, "rule"))
    for row_rule in ROW_RULES.get(entity, ()):
        for values in row_rule.refused:
            out.append(Refusal(entity, row_rule.field, dict(values), "row"))
    return out


__all__ = ["FIELD_RULES", "ROW_RULES", "FieldRule", "RowRule", "RowView", "ValidationError",
           "check_change", "check_delete", "defaults", "refusals", "required",
           "validate_field", "validate_fields", "validate_new", "validate_row"]


# --- accounts: passwords and kiosk PINs (not synced rows; the server's admin endpoints,
# the desk's administration and the kiosk's PIN pad all take these rules from here) ------

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
#: A technician's kiosk PIN: 4 to 8 digits.
PIN_PATTERN = re.compile(r"[0-9]{4,8}")
PIN_MESSAGE = "A PIN is 4 to 8 digits."


def pin_problem(pin: str) -> str | None:
    """Why ``pin`` cannot be a kiosk PIN (None: it can)."""
    return None if PIN_PATTERN.fullmatch(pin) else PIN_MESSAGE


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be an account's password (None: it can)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"A password has at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"A password has at most {MAX_PASSWORD_LENGTH} characters."
    return None
