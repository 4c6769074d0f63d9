"""Reading a crashing pod's evidence: transient (a restart may help) or not (config, image, resources)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from openclaw.ops.reads import EventLine, PodSummary

IMAGE_REASONS = {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"}
CONFIG_REASONS = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}
# Log lines that say the program cannot start as configured; restarting will not change them.
CONFIG_PATTERNS = re.compile(
    r"(invalid config|configuration (error|invalid)|config(uration)? file.*not found|no such file or directory|"
    r"missing (required )?(env|environment|variable|setting|key)|permission denied|unknown (flag|option|field)|"
    r"parse error|yaml: |could not parse|invalid (value|argument)|is required|secret .* not found)",
    re.IGNORECASE,
)
# Failures a fresh container may not meet again: network blips, and corrupt local state (a cache,
# resume data) that a new pod starts without. The per-object rate limit bounds a wrong guess.
TRANSIENT_PATTERNS = re.compile(
    r"(corrupt|connection refused|connection reset|timed? ?out|temporar(y|ily)|unavailable|try again|deadline exceeded|"
    r"too many open|lock|EOF|no route to host|503|502)",
    re.IGNORECASE,
)


class Cause(enum.StrEnum):
    TRANSIENT = "transient"
    CONFIG = "config"
    IMAGE = "image"
    RESOURCES = "resources"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Finding:
    cause: Cause
    explanation: str

    @property
    def restart_may_help(self) -> bool:
        return self.cause is Cause.TRANSIENT


def classify(pod: PodSummary, previous_logs: str, events: list[EventLine]) -> Finding:
    """The most specific cause the evidence supports, checked from the clearest signal down."""
    for c in pod.containers:
        if c.waiting_reason in IMAGE_REASONS:
            return Finding(Cause.IMAGE, f"container {c.name} cannot pull its image ({c.waiting_reason}: {(c.waiting_message or '')[:160]})")
        if c.waiting_reason in CONFIG_REASONS:
            return Finding(Cause.CONFIG, f"container {c.name} cannot be created ({c.waiting_reason}: {(c.waiting_message or '')[:160]})")
    for c in pod.containers:
        if c.last_reason == "OOMKilled":
            return Finding(Cause.RESOURCES, f"container {c.name} was OOMKilled; its memory limit is too low for its load")
    for e in events:
        if e.reason in ("Failed", "FailedMount") and ("secret" in e.message.lower() or "configmap" in e.message.lower()):
            return Finding(Cause.CONFIG, f"event {e.reason}: {e.message[:160]}")
    tail = "\n".join(previous_logs.strip().splitlines()[-20:])
    config_hit = CONFIG_PATTERNS.search(tail)
    if config_hit:
        return Finding(Cause.CONFIG, f"the last run exited on a configuration error: {_line_of(tail, config_hit.start())!r}")
    transient_hit = TRANSIENT_PATTERNS.search(tail)
    if transient_hit:
        return Finding(Cause.TRANSIENT, f"the last run failed on a transient condition: {_line_of(tail, transient_hit.start())!r}")
    if not tail:
        return Finding(Cause.UNKNOWN, "no log output from the crashed container")
    return Finding(Cause.UNKNOWN, f"the last run exited without a recognisable cause; last line: {tail.splitlines()[-1][:160]!r}")


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end != -1 else len(text)][:200]
