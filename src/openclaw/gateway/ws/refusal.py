"""`HandshakeRefused`: a connect the gateway says no to, with the error frame and the close code."""

from __future__ import annotations

from typing import Any

from openclaw.gateway.ws import frames as f


class HandshakeRefused(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        close_code: int = f.CLOSE_POLICY_VIOLATION,
        close_reason: str | None = None,
        retry_after_ms: int | None = None,
    ) -> None:
        super().__init__(message)
        self.error = f.error_body(code, message, details, retry_after_ms)
        self.close_code = close_code
        self.close_reason = (close_reason or message)[:120]  # a close reason must fit in 123 bytes
