"""A real gateway on loopback with the embedded sandbox cluster and a local Anthropic-speaking
server as its model: what the agent's end-to-end tests drive through WebSocket and webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from agent_model_servers import ScriptedServer, anthropic_app, serve

from openclaw.gateway.embedded import EmbeddedGateway, run_embedded
from openclaw.media.capability import MEDIA_ENDPOINTS
from openclaw.sandbox.embedded import media_endpoints
from openclaw.sandbox.runtime import Sandbox, SandboxOptions

HOOK_TOKEN = "hook-token-for-tests-0123456789abcdef"
T = TypeVar("T")


@dataclass
class AgentStack:
    gateway: EmbeddedGateway
    sandbox: Sandbox
    model: ScriptedServer
    kubeconfig: Path

    async def kubectl(self, *args: str) -> Any:
        """Real kubectl against the sandbox; returns parsed JSON."""
        proc = await asyncio.create_subprocess_exec("kubectl", "--kubeconfig", str(self.kubeconfig), *args, "-o", "json",
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        return json.loads(out)

    async def ready_pod_names(self, namespace: str, selector: str | None = None) -> set[str]:
        args = ["get", "pods", "-n", namespace] + (["-l", selector] if selector else [])
        data = await self.kubectl(*args)
        return {p["metadata"]["name"] for p in data["items"]
                if any(c.get("type") == "Ready" and c.get("status") == "True" for c in (p.get("status") or {}).get("conditions") or [])}

    async def pod_names(self, namespace: str, selector: str | None = None) -> set[str]:
        args = ["get", "pods", "-n", namespace] + (["-l", selector] if selector else [])
        data = await self.kubectl(*args)
        return {p["metadata"]["name"] for p in data["items"] if not p["metadata"].get("deletionTimestamp")}


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 20.0, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def agent_stack(state_dir: Path, turns: list[Any], *, with_model: bool = True,
                      policy: dict[str, Any] | None = None, hooks: dict[str, Any] | None = None,
                      extra: dict[str, Any] | None = None, media: bool = False, speed: float = 1.0) -> AsyncIterator[AgentStack]:
    """With `media`, the gateway tracks the sandbox's media apps (offered to it, their webhooks sent to it)."""
    kubeconfig = state_dir.parent / "sandbox-kubeconfig"
    sandbox = Sandbox(SandboxOptions(kubeconfig=kubeconfig, speed=speed))
    await sandbox.start()
    model = ScriptedServer(turns=turns)
    try:
        async with serve(anthropic_app(model)) as model_url:
            state_dir.mkdir(parents=True, exist_ok=True)
            config: dict[str, Any] = {
                # Verification waits for the rollout; a short stability window keeps the test quick.
                "ops": {"kube": {"kubeconfig": str(kubeconfig)}, "verifyTimeout": 30, "verifyStableFor": 0.5},
                "hooks": {"token": HOOK_TOKEN, **(hooks or {})},
            }
            if policy:
                config["ops"]["policy"] = policy
            if with_model:
                config["models"] = {"providers": {"anthropic": {"api": "anthropic-messages", "baseUrl": model_url, "apiKey": "sk-test", "maxRetries": 1}}}
                config["agents"] = {"defaults": {"model": {"primary": "anthropic/claude-sonnet-4-5"}}}
            config.update(extra or {})  # further top-level sections (slack)
            (state_dir / "openclaw.json").write_text(json.dumps(config))
            install = [lambda services: services.put(MEDIA_ENDPOINTS, media_endpoints(sandbox))] if media else []
            async with run_embedded(state_dir, install=install) as gw:
                if media:
                    sandbox.send_webhooks_to(f"{gw.http_url}/hooks", HOOK_TOKEN)
                yield AgentStack(gw, sandbox, model, kubeconfig)
    finally:
        await sandbox.stop()


def tool_use(call_id: str, name: str, args: dict[str, Any], text: str = "") -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    content.append({"type": "tool_use", "id": call_id, "name": name, "input": args})
    return {"content": content, "stop_reason": "tool_use"}


def say(text: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], "stop_reason": "end_turn"}


def last_tool_result(body: dict[str, Any]) -> dict[str, Any]:
    """The JSON our tool returned, as the model received it in the latest request."""
    block = body["messages"][-1]["content"][0]
    assert block["type"] == "tool_result"
    return json.loads(block["content"])  # type: ignore[no-any-return]  # our own JSON object
