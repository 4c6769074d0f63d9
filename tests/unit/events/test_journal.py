"""Journal mode: WAL only where the state dir's filesystem is local."""

from __future__ import annotations

from pathlib import Path

import pytest

from openclaw.events.journal import choose_journal_mode, filesystem_type

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
10.0.0.2:/export/openclaw /home/node/.openclaw nfs4 rw,relatime,vers=4.2 0 0
server:/vol /mnt/with\\040space nfs rw 0 0
tmpfs /home/node/.openclaw/tmp tmpfs rw 0 0
//nas/share /mnt/smb cifs rw 0 0
"""


def test_the_longest_containing_mount_point_decides() -> None:
    assert filesystem_type(Path("/home/node/.openclaw"), MOUNTS) == "nfs4"
    assert filesystem_type(Path("/home/node/.openclaw/tmp/x"), MOUNTS) == "tmpfs"
    assert filesystem_type(Path("/home/node/.openclaw-other"), MOUNTS) == "ext4"
    assert filesystem_type(Path("/mnt/with space/state"), MOUNTS) == "nfs"


@pytest.mark.parametrize(
    ("path", "mode"),
    [("/home/node/.openclaw", "DELETE"), ("/mnt/smb/state", "DELETE"), ("/mnt/with space/s", "DELETE"), ("/var/lib/openclaw", "WAL"), ("/home/node/.openclaw/tmp", "WAL")],
)
def test_auto_uses_wal_only_on_local_filesystems(path: str, mode: str) -> None:
    assert choose_journal_mode("auto", Path(path), MOUNTS) == mode


def test_auto_without_mount_information_is_safe() -> None:
    assert choose_journal_mode("auto", Path("/x"), "") == "DELETE"


def test_an_explicit_mode_is_honoured() -> None:
    assert choose_journal_mode("truncate", Path("/home/node/.openclaw"), MOUNTS) == "TRUNCATE"
    assert choose_journal_mode("wal", Path("/home/node/.openclaw"), MOUNTS) == "WAL"
    assert choose_journal_mode("delete", Path("/var/lib"), MOUNTS) == "DELETE"
