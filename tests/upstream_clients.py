"""Where the upstream OpenClaw clients are: Node 24 and the pinned `openclaw` npm package, put in
`$OPENCLAW_UPSTREAM_DIR` (default `.cache/upstream`) by `.ci/upstream-clients.sh`. The suite never
downloads them; a test that needs them skips, saying why, when they are not there."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
INSTALLER = ".ci/upstream-clients.sh"


@dataclass(frozen=True)
class UpstreamClients:
    root: Path

    @property
    def node(self) -> Path:
        return self.root / "node" / "node_modules" / ".bin" / "node"

    @property
    def package(self) -> Path:
        return self.root / "openclaw" / "node_modules" / "openclaw"

    @property
    def control_ui(self) -> Path:
        """The upstream Control UI's built assets, as the npm package ships them."""
        return self.package / "dist" / "control-ui"

    def cli(self, *args: str, home: Path, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        """Run the upstream `openclaw` CLI with its own empty HOME (its config and identity there)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}
        env.update(HOME=str(home), NO_COLOR="1", FORCE_COLOR="0", CI="1")
        return subprocess.run([str(self.node), str(self.package / "openclaw.mjs"), *args], env=env, capture_output=True, text=True, timeout=timeout)


def upstream_clients() -> UpstreamClients:
    """The installed clients, or a skip that names the cause and the fix."""
    root = Path(os.environ.get("OPENCLAW_UPSTREAM_DIR") or REPO / ".cache" / "upstream")
    unavailable = root / "UNAVAILABLE"
    if unavailable.exists():
        pytest.skip(f"upstream OpenClaw clients not installed: {unavailable.read_text().strip()} ({INSTALLER} left {unavailable})")
    clients = UpstreamClients(root)
    if not clients.node.exists() or not (clients.package / "openclaw.mjs").exists():
        pytest.skip(f"upstream OpenClaw clients not installed in {root}: run `bash {INSTALLER}` (needs the npm registry; .ci/run does it)")
    return clients
