"""Request and response bodies of the API (PROTOCOL.md), for validation and OpenAPI."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)

from app.entities import ENTITY_MIXINS
from app.validators import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PIN_PATTERN
from server.config import MIN_SCHEMA_VERSION


def _known_entity(value: str) -> str:
    if value not in ENTITY_MIXINS:
        raise ValueError(f"must be one of: {', '.join(ENTITY_MIXINS)}")
    return value


#: An entity of ``app.entities.ENTITY_MIXINS`` (the one declaration), as an enum in OpenAPI.
EntityName = Annotated[str, AfterValidator(_known_entity),
                       Field(json_schema_extra={"enum": list(ENTITY_MIXINS)})]

#: The largest mutation id (2**53 - 1: a JSON number a JavaScript client or a schema
#: checker reads exactly; a replica makes one id per edit, so it never gets near).
MAX_MUTATION_ID = 2**53 - 1


def _clean_text(value: str) -> str:
    """Text the database can store: no NUL characters, no lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _whole(value: Any) -> Any:
    """JSON has one kind of number: 3.0 is the whole number 3 (as JSON Schema's "integer"
    says); text, booleans and fractions are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


#: A whole number, written 3 or 3.0; strict otherwise (no "3", no true).
Whole = Annotated[int, BeforeValidator(_whole)]

#: Text without NUL characters; the pattern says so in the OpenAPI document too.
Text = Annotated[str, AfterValidator(_clean_text),
                 Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})]


class _Open(BaseModel):
    # Fields added by newer clients are ignored, never an error (the protocol grows by adding).
    model_config = ConfigDict(extra="ignore")


# --- auth ------------------------------------------------------------------------------

class LoginRequest(_Open):
    # (as long as a username can be: a longer one never signs in)
    username: Text = Field(min_length=1, max_length=100)
    password: Text = Field(min_length=1, max_length=1024)
    device_name: Text = Field(default="", max_length=200)


class RefreshRequest(_Open):
    refresh_token: Text = Field(min_length=1, max_length=200)


class LogoutRequest(_Open):
    refresh_token: Text | None = Field(default=None, min_length=1, max_length=200)


class PinRequest(_Open):
    technician_id: uuid.UUID
    pin: Text = Field(min_length=1, max_length=32)


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    shop_id: str
    technician_id: str | None


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int = Field(description="Seconds the access token is valid for.")
    token_type: str = "bearer"
    user: UserOut


# --- sync ------------------------------------------------------------------------------

class Mutation(_Open):
    id: Whole = Field(ge=1, le=MAX_MUTATION_ID, strict=True,
                    description="Per client, from 1, contiguous and increasing.")
    entity: EntityName
    row_id: uuid.UUID
    op: Literal["upsert", "delete"]
    fields: dict[str, Any] = Field(default_factory=dict,
                                   description="Only the fields this mutation changes.")
    base: dict[str, Any] = Field(default_factory=dict,
                                 description="What the client believed those fields held.")
    at: Text | None = Field(default=None, max_length=64,
                           description="The client's clock; kept for audit only.")
    operation_id: Annotated[Whole | None, WithJsonSchema({"anyOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_MUTATION_ID}, {"type": "null"}]})
    ] = Field(
        default=None, ge=1, le=MAX_MUTATION_ID, strict=True,
        description="The operation (one action of a person) that wrote this mutation: the "
                    "id of its first mutation. The mutations of one operation stand or fall "
                    "together, within a push and across pushes (docs/protocol-notes.md). "
                    "Absent: the mutation is an operation of its own, except that a "
                    "status_event right after its job's status move falls with the move.")
    acting_user_id: uuid.UUID | None = Field(
        default=None, description="On a shared kiosk: the user id of the technician who made "
        "this change (signed in with a PIN, perhaps offline). A kiosk device account may name "
        "only active technicians of its shop; their permissions apply, and status events, "
        "notes and time entries are recorded as theirs. Other accounts may name only "
        "themselves.")


class PushRequest(_Open):
    client_id: uuid.UUID
    # An older version is refused with 426 (PROTOCOL.md), not 422: the document declares
    # the minimum, the route answers below it.
    schema_version: Whole = Field(ge=-(2**31), le=2**31 - 1, strict=True,
                                json_schema_extra={"minimum": MIN_SCHEMA_VERSION})
    mutations: list[Mutation] = Field(
        description="At most 500 mutations (and 1 MiB per request); more is 413.")
    device_time: Text | None = Field(
        default=None, max_length=64,
        description="The device's clock when it sent the push (RFC 3339). The server answers "
                    "with its own time and the difference, so the device can warn when its "
                    "clock is off; nothing is refused or reordered by it.")


class MutationResult(BaseModel):
    id: int
    status: Literal["applied", "rejected", "conflict"]
    reason: str | None = None
    refused_with: int | None = Field(
        default=None, description="Rejected only because this mutation of the same "
                                  "operation was refused (docs/protocol-notes.md).")


class PushResponse(BaseModel):
    last_mutation_id: int
    results: list[MutationResult]
    head: int
    server_time: str | None = Field(default=None, description="The server's clock (RFC 3339).")
    clock_skew_seconds: float | None = Field(
        default=None, description="device_time minus the server's clock, when the push sent "
                                  "a readable device_time (positive: the device is ahead).")


class Change(BaseModel):
    seq: int
    entity: EntityName
    row_id: str
    op: Literal["upsert", "delete"]
    row: dict[str, Any] | None


class PullResponse(BaseModel):
    changes: list[Change]
    cursor: int
    has_more: bool
    last_mutation_id: int
    reset: bool
    head: int = Field(description="The shop's head when the page was read.")


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    schema_version: int
    min_schema_version: int


# --- users (admin) ---------------------------------------------------------------------

Role = Literal["admin", "manager", "clerk", "technician", "kiosk"]

#: Only a technician has a PIN: a body naming another role carries none.
_PIN_ONLY_FOR_TECHNICIANS: dict[str, Any] = {
    "if": {"properties": {"role": {"enum": ["admin", "manager", "clerk", "kiosk"]}},
           "required": ["role"]},
    "then": {"properties": {"pin": {"type": "null"}}},
}


#: The PIN rule of ``app.validators`` as the schema's pattern.
_PIN = f"^{PIN_PATTERN.pattern}$"


class UserCreate(_Open):
    model_config = ConfigDict(extra="ignore", json_schema_extra=_PIN_ONLY_FOR_TECHNICIANS)

    username: Text = Field(min_length=1, max_length=100)
    password: Text = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    role: Role
    display_name: Text | None = Field(default=None, max_length=200)
    technician_id: uuid.UUID | None = None
    pin: str | None = Field(default=None, pattern=_PIN)


class UserUpdate(_Open):
    model_config = ConfigDict(extra="ignore", json_schema_extra=_PIN_ONLY_FOR_TECHNICIANS)

    display_name: Text | None = Field(default=None, max_length=200)
    role: Role | None = None
    password: Text | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH,
                                  max_length=MAX_PASSWORD_LENGTH)
    pin: str | None = Field(default=None, pattern=_PIN)
    active: bool | None = None


class PinSet(_Open):
    pin: str = Field(pattern=_PIN, description="4 to 8 digits.")


class UserInfo(UserOut):
    active: bool
