"""Whether this process can write its state dir, and the one line that says why not.

In a pod the state dir is a volume; the usual faults are a mount that is read-only (`readOnly: true`
on the volumeMount, or a read-only PVC: EROFS) and a volume whose files the pod's user may not write
(no `fsGroup` in the securityContext: EACCES). Both are the first thing an operator sees in
`kubectl logs`, so the line names the path, the user and group the process runs as, and the setting
that fixes it. The probe writes and removes one temporary file; nothing else is touched.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from openclaw.errors import StateError


def identity() -> str:
    return f"uid {os.getuid()} gid {os.getgid()}"


def _owner(path: Path) -> str:
    """`owner 0:0 mode 755` of the nearest existing directory, for the EACCES line."""
    for candidate in (path, *path.parents):
        try:
            st = candidate.stat()
        except OSError:
            continue
        return f"{candidate} is owner {st.st_uid}:{st.st_gid} mode {stat.S_IMODE(st.st_mode):o}"
    return "owner unknown"


def describe(exc: OSError, path: Path | str | None = None) -> str:
    """One line for an OSError met on the state dir: `path` (else the file the error names), who
    we are, and the fix."""
    where = Path(path) if path is not None else Path(exc.filename) if exc.filename else Path(".")
    who = identity()
    gid = os.getgid()
    if exc.errno == errno.EROFS:
        return (f"{where}: read-only filesystem (EROFS); openclaw runs as {who} and must write its state dir: "
                "mount the volume read-write (drop `readOnly: true` from the volumeMount, or use a read-write PVC); nothing was written")
    if exc.errno in (errno.EACCES, errno.EPERM):
        code = "EACCES" if exc.errno == errno.EACCES else "EPERM"
        return (f"{where}: permission denied ({code}) for {who} ({_owner(where)}): set `fsGroup: {gid or 1000}` in the pod "
                f"securityContext so the volume is group-writable (or chown -R {os.getuid()}:{gid} the state dir); nothing was written")
    if exc.errno == errno.ENOSPC:
        return f"{where}: no space left on the device (ENOSPC) for {who}: free space or grow the volume; nothing was written"
    name = errno.errorcode.get(exc.errno or 0, "error")
    return f"{where}: {exc.strerror or exc} ({name}) for {who}; nothing was written"


def problem(state_dir: Path) -> str | None:
    """Why `state_dir` cannot be written (created if missing), or None when it can."""
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=state_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return describe(exc, state_dir)
    return None


def ensure_writable(state_dir: Path) -> None:
    """Raise StateError with the one line when `state_dir` cannot be written."""
    found = problem(state_dir)
    if found is not None:
        raise StateError(f"state dir not writable: {found}")
