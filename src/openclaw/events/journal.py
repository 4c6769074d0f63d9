"""Which SQLite journal mode is safe for the state dir.

WAL needs shared memory between the processes that open the database, which network
filesystems (the seed's NFS-backed PVC) do not provide: there it corrupts or deadlocks. `auto`
therefore picks WAL only when the state dir's filesystem, found in /proc/mounts, is local.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

# Filesystem types (as /proc/mounts names them) on which WAL is unsafe.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "coda", "ceph", "glusterfs",
        "lustre", "gpfs", "beegfs", "davfs", "fuse.sshfs", "fuse.glusterfs", "fuse.ceph", "fuse.s3fs",
        "fuse.rclone", "fuse.juicefs", "fuse.gcsfuse",
    }
)
MOUNTS_FILE = Path("/proc/mounts")


def _unescape(field: str) -> str:
    """/proc/mounts writes spaces, tabs, newlines and backslashes in paths as octal escapes."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and i + 3 < len(field) and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def filesystem_type(path: Path, mounts_text: str) -> str | None:
    """The type of the filesystem `path` lives on: the longest mount point that contains it."""
    target = os.path.realpath(path)
    best: tuple[int, str] | None = None
    for line in mounts_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point, fs_type = _unescape(parts[1]), parts[2]
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and (best is None or len(mount_point) >= best[0]):
            best = (len(mount_point), fs_type)
    return best[1] if best else None


def is_network_filesystem(fs_type: str | None) -> bool:
    return fs_type is not None and (fs_type in NETWORK_FILESYSTEMS or fs_type.split(".")[0] in NETWORK_FILESYSTEMS)


def read_mounts() -> str:
    try:
        return MOUNTS_FILE.read_text()
    except OSError:
        return ""


def choose_journal_mode(setting: str, directory: Path, mounts_text: str | None = None) -> str:
    """The PRAGMA journal_mode value for `events.journalMode` = `setting` in `directory`.

    `auto`: WAL on a local filesystem, DELETE on a network one or when the type is unknown
    (no /proc/mounts: fail safe). An explicit mode is honoured, with a warning when it is WAL on
    a network filesystem.
    """
    text = read_mounts() if mounts_text is None else mounts_text
    fs_type = filesystem_type(directory, text) if text else None
    network = is_network_filesystem(fs_type)
    if setting != "auto":
        if setting == "wal" and network:
            log.warning("events.wal_on_network_fs", extra={"fsType": fs_type, "dir": str(directory)})
        return setting.upper()
    if fs_type is None or network:
        return "DELETE"
    return "WAL"
