"""Loopback servers the browser tests put around the gateway: the gateway process itself and a
plain static file server on another origin (the forwarding proxy is `tests/forwarding_proxy.py`)."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx

from openclaw.ui import STATIC_DIR
import polling

# Pages change within a frame or two: poll a little faster than the default.
wait_for = functools.partial(polling.wait_for, interval=0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])




def openclaw_command() -> list[str]:
    """The installed `openclaw` console script next to this interpreter (else `python -m openclaw`)."""
    script = Path(sys.executable).parent / "openclaw"
    return [str(script)] if script.exists() else [sys.executable, "-m", "openclaw"]


class Gateway:
    """A real `openclaw gateway` process on a free loopback port with its own state dir; its
    stdout and stderr go to a file the tests read (to prove no secret is logged)."""

    def __init__(self, state_dir: Path, args: tuple[str, ...] = ()) -> None:
        self.state_dir = state_dir
        self.args = args  # extra `openclaw gateway` options, e.g. ("--sandbox",)
        self.port = free_port()
        self.log_path = state_dir.parent / "gateway.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")},
            "OPENCLAW_STATE_DIR": str(state_dir),
            "OPENCLAW_GATEWAY_PORT": str(self.port),
            "NO_COLOR": "1",
        }

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen([*openclaw_command(), "gateway", "--port", str(self.port), *self.args], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def ready() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"gateway exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                return httpx.get(f"{self.http_url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    @property
    def token(self) -> str:
        data = json.loads((self.state_dir / "openclaw.json").read_text(encoding="utf-8"))
        return str(data["gateway"]["auth"]["token"])

    def call(self, method: str | None, params: dict[str, Any] | None = None) -> Any:
        """Call an RPC method as a local client (the CLI's way in); None: return hello-ok."""
        import asyncio
        import concurrent.futures

        from openclaw.gateway.client import local_client

        async def ask() -> Any:
            async with local_client(self.state_dir, port=self.port) as gw:
                return gw.hello if method is None else await gw.call(method, params or {})

        # Playwright's sync API owns this thread's event loop; ask from a thread of our own.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, ask()).result(30)

    def methods(self) -> list[str]:
        """The RPC methods this gateway offers (hello-ok `features.methods`)."""
        return list(self.call(None)["features"]["methods"])

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the real `openclaw` CLI against this gateway's state dir."""
        result = subprocess.run([*openclaw_command(), *args], env=self.env, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"openclaw {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result


class StaticSite:
    """The Control UI's files served by a plain HTTP server on its own port: the same page, but
    from an origin the gateway does not know."""

    def __init__(self, root: Path, *, files: Path | None = None) -> None:
        """Serve this project's Control UI from `root`, or, with `files`, that folder as it is
        (the upstream Control UI's built assets)."""
        if files is None:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copy(STATIC_DIR / "index.html", root / "index.html")
            (root / "ui").symlink_to(STATIC_DIR, target_is_directory=True)
        else:
            root = files
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, name="static-site", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002  # the base class names it so
        return
