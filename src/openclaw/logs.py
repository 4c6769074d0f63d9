"""Logging, set up once: JSON lines when not on a TTY (the pod), readable text on a TTY.

A message is a constant event name; data goes in `extra=`. A redaction filter masks anything that
looks like a token, and a ring buffer keeps recent records for `logs.tail`.
"""

from __future__ import annotations

import collections
import json
import logging
import re
import sys
import time
from collections.abc import Mapping
from typing import Any

_STD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_SECRET_VALUE = re.compile(r"(?i)(token|apikey|api_key|password|secret|authorization)([\"'=:\s]+)([^\s\"',&]{6,})")


def maskable(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """The secrets worth searching text for, longest first (so a secret that contains another is
    masked whole); shorter ones would mangle ordinary words."""
    return tuple(sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True))


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with each secret (in the order `maskable` gives) cut to its first 4 characters and
    token-like `key=value` pairs hidden."""
    for s in secrets:
        if len(s) >= 6:
            text = text.replace(s, s[:4] + "…")
    return _SECRET_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}<redacted>", text)


def redact_data(value: Any, secrets: tuple[str, ...] = ()) -> Any:
    """`value` (an extra: text, or a mapping or list of them) with known secrets masked in every
    string it holds. Key names are the code's own here (`groupKey`), so they decide nothing."""
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        return {k: redact_data(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v, secrets) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """Masks known secret values (every secret in the config) and token-like key/value pairs in
    messages and extras."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: tuple[str, ...] = ()

    @property
    def secrets(self) -> tuple[str, ...]:
        return self._secrets

    @secrets.setter
    def secrets(self, values: tuple[str, ...]) -> None:
        # Sorted once per config change, not once per log record.
        self._secrets = maskable(values)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg, self.secrets)
        # A single mapping argument (`log.info("%(k)s", {...})`) stays a mapping, or formatting fails.
        if isinstance(record.args, Mapping):
            record.args = {k: redact_data(v, self.secrets) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(redact_data(a, self.secrets) for a in record.args)
        # A traceback quotes whatever the failing call was given: format it here, masked, and the
        # formatters print this text instead of formatting the exception again.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text, self.secrets)
        for key, value in list(record.__dict__.items()):
            if key not in _STD_ATTRS and isinstance(value, (str, Mapping, list, tuple)):
                setattr(record, key, redact_data(value, self.secrets))
        return True


def record_extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STD_ATTRS and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update(record_extras(record))
        if record.exc_info:
            out["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(out, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = record_extras(record)
        tail = " ".join(f"{k}={v}" for k, v in extras.items())
        line = f"{time.strftime('%H:%M:%S', time.localtime(record.created))} {record.levelname:<7} {record.getMessage()}"
        if tail:
            line += "  " + tail
        if record.exc_info:
            line += "\n" + (record.exc_text or self.formatException(record.exc_info))
        return line


class RingBuffer(logging.Handler):
    """Keeps the last `size` formatted records (JSON dicts) for `logs.tail` and the UI's Logs screen."""

    def __init__(self, size: int = 2000) -> None:
        super().__init__()
        self.records: collections.deque[dict[str, Any]] = collections.deque(maxlen=size)
        self.seq = 0
        self.listeners: list[Any] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seq += 1
        entry = {
            "seq": self.seq,
            "ts": int(record.created * 1000),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **{k: (v if isinstance(v, (str, int, float, bool)) or v is None else str(v)) for k, v in record_extras(record).items()},
        }
        self.records.append(entry)
        for listener in list(self.listeners):
            try:
                listener(entry)
            except Exception:  # a listener must never break logging
                pass

    def tail(self, after: int = 0, limit: int = 200) -> list[dict[str, Any]]:
        return [r for r in self.records if r["seq"] > after][-limit:]


def setup(level: str = "info", fmt: str = "auto", secrets: tuple[str, ...] = ()) -> tuple[RingBuffer, RedactingFilter]:
    """Configure the root `openclaw` logger; returns the ring buffer and the redaction filter."""
    root = logging.getLogger("openclaw")
    root.setLevel(level.upper())
    for h in list(root.handlers):
        root.removeHandler(h)
    redactor = RedactingFilter()
    redactor.secrets = secrets
    stream = logging.StreamHandler(sys.stderr)
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    stream.setFormatter(JsonFormatter() if use_json else TextFormatter())
    stream.addFilter(redactor)
    ring = RingBuffer()
    ring.addFilter(redactor)
    root.addHandler(stream)
    root.addHandler(ring)
    root.propagate = False
    return ring, redactor
