"""The media action kinds: each reads the item's live state for its rules (the facts), runs its
executor in `openclaw.media.executors`, and verifies the item moved on.

Rules only media actions have, from what the facts show: an item tagged `ops.policy.media.protectedTag`
is never touched; no re-search (a search, or a removal that blocklists and lets the app search again)
while Prowlarr reports indexers disabled; a removal that deletes downloaded data waits for an operator;
a private-tracker torrent is never deleted from the client (it is kept seeding). The per-app search
cap and the per-item cooldown are in `rules.py` (they count the audit log).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from openclaw.config.schema import OpsSettings
from openclaw.media.clients.registry import MediaClients
from openclaw.media.clients.seerr import MEDIA_AVAILABLE, REQUEST_DECLINED
from openclaw.media.executors import commands, downloads, library, queue, requests
from openclaw.media.lookup import ItemState, disabled_indexers, item_state
from openclaw.media.refs import MediaTarget
from openclaw.ops import verify
from openclaw.ops.executors.result import ExecResult
from openclaw.policy.grant import Approval
from openclaw.policy.models import ActionKind, ActionRequest, Outcome, Verdict
from openclaw.policy.params import NoParams, Params, QueueRemoveParams
from openclaw.policy.rules import ClusterFacts
from openclaw.policy.spec import ActionSpec, Backends

MEDIA = "media"
NO_MEDIA = "no media apps configured (media.apps)"
STILL_STUCK = {"stalledDL", "metaDL", "forcedMetaDL", "error", "missingFiles"}

Target = ActionRequest[MediaTarget]


def _media(backends: Backends) -> MediaClients | None:
    return backends.media() if backends.media is not None else None


def _check(request_app_kinds: tuple[str, ...]) -> Callable[[MediaTarget], str | None]:
    def check(target: MediaTarget) -> str | None:
        return None if target.kind in request_app_kinds else f"expected a {' or '.join(request_app_kinds)} item, got {target.item}"

    return check


def _protected(state: ItemState, ops: OpsSettings) -> Verdict | None:
    tag = ops.policy.media.protected_tag.lower()
    for t in state.torrents:
        tags = {x.strip().lower() for x in str(t.get("tags") or "").split(",")}
        if tag in tags:
            return Verdict(Outcome.REFUSED, f"download {t.get('hash')} is tagged {tag!r}: protected, never changed", "ops.policy.media.protectedTag")
    return None


async def _indexers_down(clients: MediaClients, ops: OpsSettings) -> Verdict | None:
    if not ops.policy.media.indexer_gate:
        return None
    disabled = await disabled_indexers(clients)
    if disabled:
        return Verdict(Outcome.REFUSED, f"Prowlarr reports indexer(s) {', '.join(map(str, disabled))} disabled: no re-search until they recover",
                       "ops.policy.media.indexerGate")
    return None


async def _facts(clients: MediaClients, request: Target, params: Params, ops: OpsSettings) -> ClusterFacts:
    state = await item_state(clients, request.target)
    objection = _protected(state, ops)
    needs: str | None = None
    research = request.kind is ActionKind.MEDIA_SEARCH or (
        isinstance(params, QueueRemoveParams) and params.blocklist and not params.skip_redownload)
    if objection is None and research:
        objection = await _indexers_down(clients, ops)
    if objection is None and isinstance(params, QueueRemoveParams) and params.remove_from_client:
        private = [t.get("hash") for t in state.torrents if t.get("private") or t.get("is_private")]
        if private and ops.policy.media.keep_private_seeding:
            objection = Verdict(Outcome.REFUSED, f"download {private[0]} is from a private tracker: it is kept seeding "
                                "(ask with removeFromClient false, changeCategory true)", "ops.policy.media.keepPrivateSeeding")
        held = sum(int(t.get("completed") or t.get("downloaded") or 0) for t in state.torrents)
        if objection is None and held > 0 and ops.policy.media.delete_requires_approval:
            needs = f"removeFromClient deletes {held / 1e9:.1f} GB already downloaded"
    return ClusterFacts(objection=objection, needs_approval=needs)


# ---- execution ---------------------------------------------------------------------------------


async def _reannounce(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await downloads.reannounce(c, r.target, approval=a)


async def _recheck(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await downloads.recheck(c, r.target, approval=a)


async def _remove(c: MediaClients, r: Target, p: QueueRemoveParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await queue.remove(c, r.target, remove_from_client=p.remove_from_client, blocklist=p.blocklist,
                              skip_redownload=p.skip_redownload, change_category=p.change_category, approval=a)


async def _retry_download(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await downloads.retry(c, r.target, approval=a)


async def _search(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await commands.search(c, r.target, approval=a)


async def _scan(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await commands.scan(c, r.target, approval=a)


async def _refresh(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await commands.refresh(c, r.target, approval=a)


async def _library(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await library.refresh(c, r.target, approval=a)


async def _retry(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await requests.retry(c, r.target, approval=a)


async def _approve(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await requests.approve(c, r.target, approval=a)


async def _decline(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await requests.decline(c, r.target, approval=a)


async def _request_scan(c: MediaClients, r: Target, p: NoParams, a: Approval, ops: OpsSettings) -> ExecResult:
    return await requests.scan(c, r.target, approval=a)


# ---- verification: the item moved on ------------------------------------------------------------


def _moved_on(c: MediaClients, r: Target, result: ExecResult, test: Callable[[ItemState, dict[str, Any]], str | None],
              **reads: bool) -> verify.Check:
    before = result.details.get("before") or {}

    async def check() -> str | None:
        return test(await item_state(c, r.target, **reads), before)

    return check


def _download_moving(state: ItemState, before: dict[str, Any]) -> str | None:
    """Moved on: no torrent in a stuck state, and each one's data changed (more bytes, or a recheck
    that started it over) or is complete."""
    if not state.torrents:
        return None if state.has_file else "the download is gone and nothing was imported"
    stuck = [t for t in state.torrents if t.get("state") in STILL_STUCK]
    if stuck:
        return f"download still {stuck[0].get('state')} ({float(stuck[0].get('progress') or 0):.0%})"
    earlier = {t.get("hash"): t.get("progress") for t in before.get("torrents") or []}
    still = [t for t in state.torrents if float(t.get("progress") or 0) < 1.0 and t.get("progress") == earlier.get(t.get("hash"))]
    return f"download {still[0].get('state')} but no bytes since the fix ({float(still[0].get('progress') or 0):.0%})" if still else None


def _job_moving(state: ItemState, before: dict[str, Any]) -> str | None:
    """Moved on: no SABnzbd job of the item failed (the retried one is queued, downloading or post-processing)."""
    failed = [j for j in state.jobs if j.get("status") == "Failed"]
    if failed:
        return f"SABnzbd job {failed[0].get('nzo_id')} failed again: {failed[0].get('fail_message') or 'no message'}"
    return None if state.jobs or state.has_file else "the retried job is gone and nothing was imported"


def _left_queue(state: ItemState, before: dict[str, Any]) -> str | None:
    old = {q.get("downloadId") for q in before.get("queue") or []}
    still = old & set(state.download_ids)
    return f"{', '.join(sorted(str(s) for s in still))} still in the queue" if still else None


def _grabbed(state: ItemState, before: dict[str, Any]) -> str | None:
    return None if state.queue or state.has_file else "the search grabbed nothing (no release found)"


def _imported(state: ItemState, before: dict[str, Any]) -> str | None:
    if state.has_file and not state.queue:
        return None
    blocked = [q for q in state.queue if q.get("trackedDownloadState") in ("importBlocked", "importFailed")]
    return f"import still {blocked[0].get('trackedDownloadState')}" if blocked else ("not imported yet" if not state.has_file else None)


def _in_library(state: ItemState, before: dict[str, Any]) -> str | None:
    return None if state.in_library else f"{', '.join(state.missing_from) or 'the media server'} still does not list it"


def _request_moved(state: ItemState, before: dict[str, Any]) -> str | None:
    status = (state.request or {}).get("status")
    return None if status in (2, 5) else f"the request is still in status {status}"


def _request_declined(state: ItemState, before: dict[str, Any]) -> str | None:
    status = (state.request or {}).get("status")
    return None if status == REQUEST_DECLINED else f"the request is in status {status}, not declined ({REQUEST_DECLINED})"


def _request_available(state: ItemState, before: dict[str, Any]) -> str | None:
    status = ((state.request or {}).get("media") or {}).get("status")
    return None if status == MEDIA_AVAILABLE else f"Seerr still has the media in status {status}, not available ({MEDIA_AVAILABLE})"


Verify = Callable[[MediaClients, Target, Any, ExecResult], verify.Check | None]


def _verify(test: Callable[[ItemState, dict[str, Any]], str | None], **reads: bool) -> Verify:
    return lambda c, r, p, result: _moved_on(c, r, result, test, **reads)


def _spec(params: type[Params], execute: Callable[[MediaClients, Target, Any, Approval, OpsSettings], Awaitable[ExecResult]], check: Verify,
          kinds: tuple[str, ...] = ("movie", "tv", "music")) -> ActionSpec[MediaClients, MediaTarget, Any]:
    return ActionSpec(MEDIA, _media, NO_MEDIA, MediaTarget.parse, _check(kinds), params, _facts, execute, check)


MEDIA_SPECS: dict[ActionKind, ActionSpec[Any, Any, Any]] = {
    ActionKind.MEDIA_REANNOUNCE: _spec(NoParams, _reannounce, _verify(_download_moving)),
    ActionKind.MEDIA_RECHECK: _spec(NoParams, _recheck, _verify(_download_moving)),
    ActionKind.MEDIA_DOWNLOAD_RETRY: _spec(NoParams, _retry_download, _verify(_job_moving)),
    ActionKind.MEDIA_QUEUE_REMOVE: _spec(QueueRemoveParams, _remove, _verify(_left_queue)),
    ActionKind.MEDIA_SEARCH: _spec(NoParams, _search, _verify(_grabbed)),
    ActionKind.MEDIA_SCAN: _spec(NoParams, _scan, _verify(_imported)),
    ActionKind.MEDIA_REFRESH: _spec(NoParams, _refresh, _verify(_imported)),
    ActionKind.MEDIA_LIBRARY_REFRESH: _spec(NoParams, _library, _verify(_in_library, library=True)),
    # Seerr requests movies and series only.
    ActionKind.MEDIA_REQUEST_RETRY: _spec(NoParams, _retry, _verify(_request_moved, request=True), ("movie", "tv")),
    ActionKind.MEDIA_REQUEST_APPROVE: _spec(NoParams, _approve, _verify(_request_moved, request=True), ("movie", "tv")),
    ActionKind.MEDIA_REQUEST_DECLINE: _spec(NoParams, _decline, _verify(_request_declined, request=True), ("movie", "tv")),
    ActionKind.MEDIA_REQUEST_SCAN: _spec(NoParams, _request_scan, _verify(_request_available, request=True), ("movie", "tv")),
}
