"""Reading a crashing pod's evidence: transient (a restart may help) or not (config, data, image, resources).

The clearest signal decides: the waiting reason, then the last termination (reason and exit code),
then events, then the log lines. A log line counts only with its context: an error that names data
corruption, a bad config, a missing file or memory exhaustion is never transient, even when the same
tail also holds a timeout; a bare word such as `lock`, `EOF` or `503` means nothing on its own.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from openclaw.ops.reads import ContainerState, EventLine, PodSummary

IMAGE_REASONS = {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"}
CONFIG_REASONS = {"CreateContainerConfigError", "CreateContainerError", "RunContainerError"}
# Log lines that say the program cannot start as configured; restarting will not change them.
CONFIG_PATTERNS = re.compile(
    r"(invalid config|configuration (error|invalid)|config(uration)? file.*not found|no such file or directory|"
    r"missing (required )?(env|environment|variable|setting|key)|permission denied|unknown (flag|option|field)|"
    r"parse error|yaml: |could not parse|invalid (value|argument)|is required|secret .* not found|"
    r"unauthorized|invalid api ?key|401 unauthorized|authentication failed|executable file not found)",
    re.IGNORECASE,
)
# Data a fresh container starts with again: the same volume holds the same broken file.
DATA_PATTERNS = re.compile(
    r"(\bcorrupt(ed|ion)?\b|malformed|restore from (a )?backup|checksum mismatch|integrity check failed|"
    r"database disk image|bad magic number|unexpected end of (file|stream) (in|reading) .*\.(db|sqlite|json|xml))",
    re.IGNORECASE,
)
MEMORY_PATTERNS = re.compile(
    r"(out of memory|OutOfMemory|cannot allocate memory|heap (space|limit)|fatal error: runtime: out of memory|"
    r"std::bad_alloc|killed process .* \(oom)",
    re.IGNORECASE,
)
# Conditions outside the container that a later start may not meet: each names a network or
# upstream failure, not merely a word (`503` only as an HTTP status, `EOF` only on a connection).
TRANSIENT_PATTERNS = re.compile(
    r"(connection refused|connection reset|i/o timeout|timed? ?out (while|waiting|after|connecting)|operation timed out|"
    r"temporar(y|ily) (failure|unavailable)|try again later|deadline exceeded|too many open files|no route to host|"
    r"(status|http|code|upstream)[ :=]*50[23]\b|\b50[23] (service unavailable|bad gateway)|service unavailable|bad gateway|"
    r"(connection|read tcp|dial tcp|write tcp).*\bEOF\b|database is locked|lock file held by (a )?(dead|stale)|"
    r"name resolution|no such host|network is unreachable)",
    re.IGNORECASE,
)
# Exit codes with one meaning whatever the program printed.
EXIT_MEANINGS = {
    126: ("config", "its command is not executable (exit 126)"),
    127: ("config", "its command was not found (exit 127)"),
    137: ("resources", "it was killed by SIGKILL (exit 137): memory exhaustion or a failed liveness probe"),
    139: ("unknown", "it crashed with a segmentation fault (exit 139)"),
}


class Cause(enum.StrEnum):
    TRANSIENT = "transient"
    CONFIG = "config"
    DATA = "data"
    IMAGE = "image"
    RESOURCES = "resources"
    PROBE = "probe"
    STORAGE = "storage"
    SCHEDULING = "scheduling"
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
            return Finding(Cause.RESOURCES, f"container {c.name} was OOMKilled (exit {c.last_exit_code or 137}); its memory limit is too low for its load")
    scheduling = _from_scheduling(events)
    if scheduling is not None:
        return scheduling
    for e in events:
        if e.reason in ("Failed", "FailedMount") and ("secret" in e.message.lower() or "configmap" in e.message.lower()):
            return Finding(Cause.CONFIG, f"event {e.reason}: {e.message[:160]}")
    by_exit = _from_exit_code(pod.containers, events)
    if by_exit is not None:
        return by_exit
    return from_logs(previous_logs)


def from_logs(previous_logs: str) -> Finding:
    """What the last lines of a failed run say; permanent causes win over transient ones anywhere in the tail."""
    tail = "\n".join(previous_logs.strip().splitlines()[-20:])
    for pattern, cause, what in ((DATA_PATTERNS, Cause.DATA, "data corruption"), (CONFIG_PATTERNS, Cause.CONFIG, "a configuration error"),
                                 (MEMORY_PATTERNS, Cause.RESOURCES, "memory exhaustion")):
        hit = pattern.search(tail)
        if hit:
            return Finding(cause, f"the last run exited on {what}: {_line_of(tail, hit.start())!r}")
    transient_hit = TRANSIENT_PATTERNS.search(tail)
    if transient_hit:
        return Finding(Cause.TRANSIENT, f"the last run failed on a transient condition: {_line_of(tail, transient_hit.start())!r}")
    if not tail:
        return Finding(Cause.UNKNOWN, "no log output from the crashed container")
    return Finding(Cause.UNKNOWN, f"the last run exited without a recognisable cause; last line: {tail.splitlines()[-1][:160]!r}")


def _from_scheduling(events: list[EventLine]) -> Finding | None:
    """Why a pod waits before any container ran: the scheduler's or the attach controller's own words."""
    for e in reversed(events):
        text = e.message[:240]
        if e.reason == "FailedAttachVolume" and "Multi-Attach" in e.message:
            return Finding(Cause.STORAGE, f"its volume is still attached to another node ({text})")
        if e.reason == "FailedScheduling":
            if "unbound" in e.message and "PersistentVolumeClaim" in e.message:
                return Finding(Cause.STORAGE, f"its claim is not bound to a volume ({text})")
            if "Insufficient" in e.message:
                return Finding(Cause.RESOURCES, f"no node has the CPU or memory it requests ({text})")
            return Finding(Cause.SCHEDULING, f"it cannot be scheduled ({text})")
    return None


def _from_exit_code(containers: tuple[ContainerState, ...], events: list[EventLine]) -> Finding | None:
    for c in containers:
        meaning = EXIT_MEANINGS.get(c.last_exit_code or 0)
        if meaning is None:
            continue
        cause, text = meaning
        if c.last_exit_code == 137 and any(e.reason == "Unhealthy" and "liveness" in e.message.lower() for e in events):
            return Finding(Cause.PROBE, f"container {c.name} was killed by the kubelet after failing its liveness probe (exit 137)")
        return Finding(Cause(cause), f"container {c.name}: {text}")
    return None


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end != -1 else len(text)][:200]
