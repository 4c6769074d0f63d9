"""The project's one exception tree.

    OpenClawError
    ├── ConfigError            config file unreadable, invalid, or a ${VAR} missing
    │   └── ConfigPathError    a dotted config path that is malformed or absent
    ├── StateError             the state dir or one of its stores cannot be used
    ├── WebhookError           a webhook body that does not validate
    ├── KubeError              the Kubernetes API refused or failed
    └── UpstreamError          a media app or model provider refused or failed

Messages name the key or field, the value seen (redacted when secret) and the fix.
"""

from __future__ import annotations


class OpenClawError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(OpenClawError):
    """A config layer could not be read or does not validate.

    `problems` holds one line per issue, each naming the file, the dotted path and what was
    expected, so `openclaw doctor` and the gateway's refusal to start print the same text.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        full = message if not self.problems else message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(full)
        self.summary = message


class ConfigPathError(ConfigError):
    """A dotted/bracket config path is malformed, or names nothing."""


class StateError(OpenClawError):
    """The state dir or a store in it cannot be read or written."""


class WebhookError(OpenClawError):
    """A webhook request that is refused; `field` names the offending field when there is one.

    `errors` lists what is wrong ({field, message, type}), first in document order; it holds at
    most a bounded number of entries, `error_count` says how many there were in all."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
        error_count: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        if errors is None:
            errors = [{"field": field, "message": message.removeprefix(f"{field}: ")}] if field is not None else []
        self.errors = errors
        self.error_count = error_count if error_count is not None else len(errors)


class KubeError(OpenClawError):
    """The Kubernetes API refused or failed a request."""


class UpstreamError(OpenClawError):
    """A media app or model provider refused or failed a request."""
