"""The session index in SQLite: a sessions.json is imported once and kept as .migrated, writers in
threads and in other processes never lose an update, and reset/open behave as before."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from openclaw.agent.messages import Usage
from openclaw.agent.session_index import INDEX_FILE
from openclaw.agent.transcripts import SessionStore

OLD_ENTRY = {"sessionId": "0123abcd", "createdAt": "2026-11-01T10:00:00.000Z", "updatedAt": "2026-11-02T10:00:00.000Z",
             "model": "anthropic/claude-sonnet-4-5", "inputTokens": 1200, "outputTokens": 300, "totalTokens": 1500,
             "costUsd": 0.0123, "toolCalls": 4, "compactionCount": 1}


def test_an_existing_sessions_json_is_imported_once_and_kept_as_migrated(tmp_path: Path) -> None:
    root = tmp_path / "sessions"
    root.mkdir()
    old = {"agent:main:main": OLD_ENTRY, "hook:radarr": {**OLD_ENTRY, "sessionId": "ffee", "toolCalls": 0}}
    (root / "sessions.json").write_text(json.dumps(old, indent=2))
    store = SessionStore(root)
    assert {k: v.to_json()["sessionId"] for k, v in store.all().items()} == {"agent:main:main": "0123abcd", "hook:radarr": "ffee"}
    main = store.get("agent:main:main")
    assert main is not None and main.to_json() == {**main.to_json(), **OLD_ENTRY}  # every field carried over
    assert not (root / "sessions.json").exists()
    assert json.loads((root / "sessions.json.migrated").read_text()) == old  # nothing lost
    assert (root / INDEX_FILE).stat().st_mode & 0o777 == 0o600
    # A sessions.json written again later (by an older version) adds its new keys, never overwrites
    # a row, and the first migration's copy is kept.
    store.record_usage("agent:main:main", Usage(10, 5), 0.001, 1)
    (root / "sessions.json").write_text(json.dumps({"agent:main:main": OLD_ENTRY, "cron:nightly": OLD_ENTRY}))
    again = SessionStore(root)
    assert set(again.all()) == {"agent:main:main", "hook:radarr", "cron:nightly"}
    entry = again.get("agent:main:main")
    assert entry is not None and entry.total_tokens == 1515 and entry.tool_calls == 5
    assert json.loads((root / "sessions.json.migrated").read_text()) == old
    assert set(json.loads((root / "sessions.json.migrated.2").read_text())) == {"agent:main:main", "cron:nightly"}


def test_a_second_import_never_overwrites_newer_rows(tmp_path: Path) -> None:
    # A migration cut short after its commit but before the rename runs again on the next start.
    root = tmp_path / "sessions"
    root.mkdir()
    (root / "sessions.json").write_text(json.dumps({"agent:main:main": OLD_ENTRY}))
    store = SessionStore(root)
    store.record_usage("agent:main:main", Usage(100, 0), 0.0, 0)
    (root / "sessions.json").write_text(json.dumps({"agent:main:main": OLD_ENTRY}))
    entry = SessionStore(root).get("agent:main:main")
    assert entry is not None and entry.total_tokens == 1600


def test_concurrent_writers_in_threads_lose_no_update(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions")
    store.open("agent:main:main")
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                store.record_usage("agent:main:main", Usage(1, 1), 0.5, 1)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entry = store.get("agent:main:main")
    assert entry is not None and (entry.total_tokens, entry.tool_calls, entry.cost_usd) == (800, 400, 200.0)


WRITER = """
import sys
from pathlib import Path
from openclaw.agent.messages import Usage
from openclaw.agent.transcripts import SessionStore
store = SessionStore(Path(sys.argv[1]))
for i in range(100):
    store.open(f"hook:{sys.argv[2]}:{i}")
    store.record_usage("agent:main:main", Usage(1, 0), 0.0, 1)
"""


def test_concurrent_writers_in_other_processes_lose_no_update(tmp_path: Path) -> None:
    # The gateway and the CLI may write the same index at once.
    root = tmp_path / "sessions"
    SessionStore(root).open("agent:main:main")
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(n)], stderr=subprocess.PIPE) for n in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    store = SessionStore(root)
    entry = store.get("agent:main:main")
    assert entry is not None and entry.tool_calls == 300
    assert store.count() == 301


def test_open_reset_and_unknown_keys(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions")
    first = store.open("hook:x", incident_id="inc-1", model="m")
    assert store.open("hook:x").session_id == first.session_id
    assert store.transcript_path(first.session_id).exists()
    store.reset("hook:x")
    assert store.get("hook:x") is None
    assert store.transcript_path(first.session_id).exists()  # the old transcript is kept
    assert store.open("hook:x").session_id != first.session_id
    with pytest.raises(KeyError):
        store.record_usage("never-opened", Usage(1, 1), 0.0, 0)
