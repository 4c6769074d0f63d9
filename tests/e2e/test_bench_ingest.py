"""`bench/ingest.py` still runs end to end: every server it compares answers 202 to every request,
and the gateway stores every event it answered (the script exits non-zero otherwise)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ingest.py"


def test_ingest_bench_runs_every_server_and_loses_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--rounds", "1", "--warmup", "0.1", "--duration", "0.3", "--no-write", "--state-parent", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and not line.startswith("| Server")]
    names = [row.split(" | ")[0].lstrip("| ") for row in rows]
    assert names[:7] == [
        "hello-world ASGI app (ceiling)",
        "reference: Starlette route reading the body, no work",
        "reference: the bare app + validating the body into its typed model, nothing stored",
        "reference: the bare app + the durable store of the body (the gateway's event database), not validated",
        "reference: the bare app + a minimal durable store (no index, one INSERT per commit, writer thread), not validated",
        "reference: the bare app + validating into the typed model + the minimal durable store",
        "reference: as above, validating with msgspec instead of pydantic",
    ]
    assert names[7] in ("gateway, journal auto (WAL)", "gateway, journal auto (DELETE)")  # WAL unless tmp is a network fs
    assert names[8:] == ["gateway, journal delete (DELETE, NFS-safe)"]
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert float(cells[1]) > 0, row  # requests/s
        assert cells[-1] == "0", row  # no answer other than 202
    assert re.search(r"\*\*Target (met|not met)\*\*: the gateway reaches \d+ % of the ceiling", done.stdout)
    # Every server's temporary state dir is removed when it stops.
    assert list(tmp_path.iterdir()) == []
