"""The one exception hierarchy of mcp-pruner and its JSON-RPC mapping.

::

    PrunerError                     base class, never raised itself
    ├── InvalidParams      -32602   the caller's arguments are wrong (names the field)
    ├── PruneIdNotFound    -32004   unknown or expired prune_id
    ├── InvalidRange       -32005   a recover range outside the stored text
    ├── ConfigError                 settings that cannot be used (raised at start-up)
    └── BackendError                a reranker failed; never reaches a caller (fail-open)
        ├── BackendConfigError      missing key / bad URL          -> deepinfra_config_error
        ├── BackendTimeout          connect/read timeout, deadline -> deepinfra_timeout
        │   └── CallerDeadline      the caller's deadline, not the provider, ran out
        ├── BackendHTTPError        non-2xx answer                 -> deepinfra_http_error
        └── BackendParseError       body of the wrong shape        -> deepinfra_parse_error

Transports call :func:`error_payload` and nothing else to turn an exception into
a JSON-RPC error object, so the codes live in this one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, TypeAlias

from pydantic import ValidationError

__all__ = [
    "INTERNAL_ERROR",
    "INVALID_PARAMS",
    "INVALID_RANGE",
    "INVALID_REQUEST",
    "METHOD_NOT_FOUND",
    "PARSE_ERROR",
    "PRUNE_ID_NOT_FOUND",
    "BackendConfigError",
    "BackendError",
    "BackendHTTPError",
    "BackendParseError",
    "BackendTimeout",
    "CallerDeadline",
    "ConfigError",
    "ErrorPayload",
    "InvalidParams",
    "InvalidRange",
    "JSONValue",
    "PruneIdNotFound",
    "PrunerError",
    "error_payload",
    "invalid_params_from_validation",
]

JSONValue: TypeAlias = "str | int | float | bool | list[JSONValue] | dict[str, JSONValue] | None"

PARSE_ERROR: Final = -32700
INVALID_REQUEST: Final = -32600
METHOD_NOT_FOUND: Final = -32601
INVALID_PARAMS: Final = -32602
INTERNAL_ERROR: Final = -32603
PRUNE_ID_NOT_FOUND: Final = -32004
INVALID_RANGE: Final = -32005


class PrunerError(Exception):
    """Base class of every error mcp-pruner raises on purpose."""


class InvalidParams(PrunerError):
    """The caller's arguments do not match the tool's input model."""

    def __init__(self, field: str, message: str, errors: Sequence[Mapping[str, JSONValue]] = ()) -> None:
        super().__init__(f"invalid params: {field}: {message}")
        self.field = field
        self.detail = message
        self.errors = [dict(e) for e in errors]


class PruneIdNotFound(PrunerError):
    """The prune_id is unknown, expired or evicted."""

    def __init__(self, prune_id: str) -> None:
        super().__init__("prune_id_not_found")
        self.prune_id = prune_id


class InvalidRange(PrunerError):
    """A requested range does not fit the stored text."""

    def __init__(self, start_line: int, end_line: int, max_line: int) -> None:
        super().__init__("invalid_range")
        self.start_line = start_line
        self.end_line = end_line
        self.max_line = max_line


class ConfigError(PrunerError):
    """Settings that cannot be used; raised at start-up with a message for people."""


class BackendError(PrunerError):
    """A reranker backend failed. Always caught by the backend manager (fail-open)."""

    warning_code: str = "deepinfra_http_error"

    def __init__(
        self, message: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


class BackendConfigError(BackendError):
    warning_code = "deepinfra_config_error"


class BackendTimeout(BackendError):
    warning_code = "deepinfra_timeout"


class CallerDeadline(BackendTimeout):
    """The caller's deadline ran out before the provider had its full request timeout.

    Says nothing about the provider's health, so it does not count toward its circuit breaker:
    a client sending short ``timeout_ms`` must not switch the cloud off for everyone else.
    """


class BackendHTTPError(BackendError):
    warning_code = "deepinfra_http_error"


class BackendParseError(BackendError):
    warning_code = "deepinfra_parse_error"


class ErrorPayload:
    """A JSON-RPC error object: ``code``, ``message`` and optional ``data``."""

    __slots__ = ("code", "data", "message")

    def __init__(self, code: int, message: str, data: dict[str, JSONValue] | None = None) -> None:
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, JSONValue]:
        out: dict[str, JSONValue] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


def _loc_to_field(loc: Sequence[str | int]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "arguments"


def invalid_params_from_validation(exc: ValidationError, prefix: str = "") -> InvalidParams:
    """Turn a pydantic error into :class:`InvalidParams` naming the first bad field."""
    errors: list[dict[str, JSONValue]] = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        field = _loc_to_field([*([prefix] if prefix else []), *err["loc"]])
        errors.append({"field": field, "type": err["type"], "message": err["msg"]})
    first = errors[0] if errors else {"field": prefix or "arguments", "message": "invalid"}
    field = str(first["field"])
    msg = str(first["message"])
    if first.get("type") == "extra_forbidden":
        msg = "unknown field"
    elif first.get("type") == "missing":
        msg = "field required"
    return InvalidParams(field, msg, errors)


def error_payload(exc: BaseException) -> ErrorPayload:
    """The JSON-RPC error object for any exception (unknown ones become -32603, no details)."""
    if isinstance(exc, InvalidParams):
        return ErrorPayload(
            INVALID_PARAMS,
            f"Invalid params: {exc.field}: {exc.detail}",
            {"code": "invalid_params", "field": exc.field, "errors": list(exc.errors)},
        )
    if isinstance(exc, PruneIdNotFound):
        return ErrorPayload(
            PRUNE_ID_NOT_FOUND, "prune_id_not_found", {"code": "prune_id_not_found", "prune_id": exc.prune_id}
        )
    if isinstance(exc, InvalidRange):
        return ErrorPayload(
            INVALID_RANGE,
            "invalid_range",
            {
                "code": "invalid_range",
                "range": {"start_line": exc.start_line, "end_line": exc.end_line},
                "max_line": exc.max_line,
            },
        )
    return ErrorPayload(INTERNAL_ERROR, "Internal error", {"code": "internal_error"})
