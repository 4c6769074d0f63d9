"""SABnzbd: one endpoint, `GET /api?mode=<mode>&apikey=<key>&output=json`.

SABnzbd answers a refused call with 200 and `{"status": false, "error": "..."}` (a wrong key is a
403 "API Key Incorrect"): both become a `MediaAppError`. A job keeps its `nzo_id` from the queue into
the history; `mode=retry` puts a failed job back in the queue under a new id, which the *arr apps
follow by its name. Status words (Downloading, Failed, Completed, ...) are constants, not localized.
"""

from __future__ import annotations

from typing import Any

from openclaw.media.clients.arr import _object
from openclaw.media.clients.base import AppClient, MediaAppError
from openclaw.media.clients.registry import register
from openclaw.policy.grant import Approval

HISTORY_LIMIT = 250  # the newest finished jobs; failed ones are read on their own (failed_only)


@register
class SabnzbdClient(AppClient):
    kind = "sabnzbd"

    def _params(self, mode: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"mode": mode, "output": "json", "apikey": self.api_key or "", **(extra or {})}

    def _answer(self, body: Any, mode: str) -> dict[str, Any]:
        found = _object(self, body, f"/api?mode={mode}")
        if found.get("status") is False:
            raise MediaAppError(self.name, "refused", f"mode={mode}: {found.get('error') or 'refused'}")
        return found

    async def _get(self, mode: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
        return self._answer(await self.get_json("/api", self._params(mode, extra)), mode)

    def _slots(self, body: dict[str, Any], key: str) -> list[dict[str, Any]]:
        part = body.get(key)
        if part is False:  # history unchanged since last_history_update
            return []
        if not isinstance(part, dict) or not isinstance(part.get("slots"), list):
            raise MediaAppError(self.name, "bad-response", f"mode={key}: expected {{{key!r}: {{'slots': [...]}}}}")
        return [s for s in part["slots"] if isinstance(s, dict)]

    # ---- reads ----------------------------------------------------------------------------------

    async def version(self) -> str:
        return str((await self._get("version")).get("version") or "")

    async def queue(self) -> list[dict[str, Any]]:
        return self._slots(await self._get("queue"), "queue")

    async def history(self, *, failed_only: bool = False, limit: int = HISTORY_LIMIT, nzo_ids: list[str] | None = None) -> list[dict[str, Any]]:
        extra = {"limit": str(limit)}
        if failed_only:
            extra["failed_only"] = "1"
        if nzo_ids:
            extra["nzo_ids"] = ",".join(nzo_ids)
        return self._slots(await self._get("history", extra), "history")

    async def jobs(self, nzo_ids: list[str] | None = None) -> list[dict[str, Any]]:
        """Queue and history slots, each with `where` set to "queue" or "history"; the failed jobs are
        always among them (they are read on their own, however old)."""
        out: dict[str, dict[str, Any]] = {}
        history = [*await self.history(nzo_ids=nzo_ids), *await self.history(failed_only=True, nzo_ids=nzo_ids)]
        for where, slots in (("history", history), ("queue", await self.queue())):
            for slot in slots:
                if nzo_ids and slot.get("nzo_id") not in nzo_ids:
                    continue
                out[str(slot.get("nzo_id"))] = {**slot, "where": where}
        return list(out.values())

    # ---- writes (SABnzbd takes them as GETs; they are still writes: sent once, under an approval) -

    async def retry(self, nzo_id: str, *, approval: Approval, action: str, target: str) -> str | None:
        """`mode=retry`: the failed job back in the queue; its new nzo_id (None in a dry run)."""
        response = await self.write("GET", "/api", params=self._params("retry", {"value": nzo_id}), approval=approval, action=action, target=target)
        if response is None:
            return None
        body = self._answer(self.decode(response, "/api"), "retry")
        return str(body.get("nzo_id") or nzo_id)

    async def delete(self, nzo_id: str, *, history: bool, delete_files: bool, approval: Approval, action: str, target: str) -> None:
        """`mode=queue|history&name=delete&value=<id>&del_files=0|1`."""
        extra = {"name": "delete", "value": nzo_id, "del_files": "1" if delete_files else "0"}
        response = await self.write("GET", "/api", params=self._params("history" if history else "queue", extra), approval=approval,
                                    action=action, target=target)
        if response is not None:
            self._answer(self.decode(response, "/api"), "delete")
