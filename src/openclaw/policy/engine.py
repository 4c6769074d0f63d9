"""The policy engine: `submit()` is the one coroutine that can lead to a change (cluster, media apps).

For every request it validates the params, gathers the facts the rules need, decides (see
`rules.evaluate` for the order), writes the audit row before acting, mints the `Approval`, runs the
executor, records the result, verifies the expected state, and records that too. Parked actions
wait for `resolve()` (WebSocket, or the CLI writing the audit file directly; a sweep picks that
up) and expire after `ops.approvalTimeout`. Bus events: `action.decided`, `action.completed`,
`action.verification_failed`, `approval.requested`, `approval.resolved`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from openclaw.config.schema import OpsSettings
from openclaw.errors import KubeError, StateError, UpstreamError
from openclaw.ops import verify
from openclaw.ops.clock import WALL_CLOCK, Clock
from openclaw.policy import actions, rules
from openclaw.policy.actions import Backends
from openclaw.policy.mint import mint
from openclaw.policy.audit import AuditLog, AuditRecord, insert_record, resolve_record, update_record
from openclaw.policy.models import ActionKind, ActionRequest, Actor, Decision, Outcome, Verdict

log = logging.getLogger(__name__)

Publish = Callable[[str, dict[str, Any]], None]
HOUR = 3600.0
T = TypeVar("T")


class AuditWriter(Protocol):
    """Runs a write on the audit table in a transaction and returns once it is committed: the event
    database's writer inside the gateway (`Database.run`), the log's own connection elsewhere."""

    def __call__(self, fn: Callable[[sqlite3.Connection], T], /) -> Awaitable[T]: ...


def decision_from_record(rec: AuditRecord) -> Decision:
    kind = ActionKind(rec.kind)
    request: ActionRequest[Any] = ActionRequest(
        kind=kind,
        target=actions.spec_for(kind).parse_target(rec.target),
        actor=Actor.parse(rec.actor),
        reason=rec.reason,
        params=rec.params,
        incident=rec.incident,
    )
    return Decision(rec.id, request, Outcome(rec.outcome), rec.decision, rec.setting, rec.mode, rec.result, rec.verification, rec.details)


class PolicyEngine:
    def __init__(
        self,
        backends: Backends | None,
        audit: AuditLog,
        settings: Callable[[], OpsSettings],
        publish: Publish | None = None,
        clock: Callable[[], float] = time.time,
        write: AuditWriter | None = None,
        waits: Clock = WALL_CLOCK,
    ) -> None:
        self.backends = backends if backends is not None else Backends()
        self.audit = audit
        self._write: AuditWriter = write or self._own_connection
        self._settings = settings
        self._publish = publish or (lambda event, payload: None)
        self._clock = clock
        # One decision lock per backend, held while its facts are read: a slow media app never holds
        # up a node cordon, while two cordons are still decided one after the other (the cordon cap).
        self._decide_locks: dict[str, asyncio.Lock] = {}
        # Verification deadlines run on this clock: the sandbox's simulated one under `--speed`.
        self._waits = waits
        self._waiters: dict[str, list[asyncio.Future[Decision]]] = {}
        self._running: dict[str, asyncio.Task[Decision]] = {}
        # (kind, target) -> action id, while an action executes or verifies: a second identical
        # request (two runbooks reacting to one cause) waits for no one and is refused instead.
        self._inflight: dict[tuple[str, str], str] = {}

    def now(self) -> float:
        """The audit log's clock (what `created_at` and the rate windows use)."""
        return self._clock()

    def in_progress(self, target_key: str) -> str | None:
        """The id of an action executing or verifying on the target with this key now, of any kind."""
        return next((action_id for (_kind, key), action_id in self._inflight.items() if key == target_key), None)

    # ---- the door ------------------------------------------------------------------------------

    async def submit(self, request: ActionRequest[Any]) -> Decision:
        """Decide `request` and, when allowed, execute and verify it. Never raises for a refusal:
        refusals, failures and parked actions are all `Decision` values with a reason."""
        ops = self._settings()
        mode = ops.policy.mode
        try:
            actions.validate(request)
        except actions.ParamsError as exc:
            return await self._record_final(request, mode, Verdict(Outcome.REFUSED, f"invalid request: {exc}", None))
        early = rules.precheck(request, ops.policy)
        if early is not None:
            return await self._record_final(request, mode, early)
        async with self._lock_for(request):
            busy = self._inflight.get((str(request.kind), request.target.key))
            if busy is not None:
                return await self._record_final(request, mode, Verdict(Outcome.REFUSED, f"the same {request.kind} on {request.target} is in progress ({busy})", None))
            try:
                facts = await self._facts(request, ops)
            except KubeError as exc:
                return await self._record_final(request, mode, Verdict(Outcome.REFUSED, f"could not read the cluster to check the rules: {exc}", None))
            except UpstreamError as exc:
                return await self._record_final(request, mode, Verdict(Outcome.REFUSED, f"could not read the media apps to check the rules: {exc}", None))
            verdict = rules.evaluate(request, ops.policy, facts, self._rate(request), approved=False)
            runs = verdict.outcome in (Outcome.APPLIED, Outcome.DRY_RUN)
            expires = self._clock() + ops.approval_timeout if verdict.outcome is Outcome.PENDING else None

            def record(conn: sqlite3.Connection) -> str:
                new_id = insert_record(conn, request, mode=mode, outcome=verdict.outcome, decision=verdict.reason, setting=verdict.setting, now=self._clock(), mask=self.audit.mask)
                if runs:
                    update_record(conn, new_id, {"executed": 1}, self.audit.mask)
                if expires is not None:
                    update_record(conn, new_id, {"expires_at": expires}, self.audit.mask)
                return new_id

            action_id = await self._write(record)
            if runs:
                self._inflight[(str(request.kind), request.target.key)] = action_id
        decision = Decision(action_id, request, verdict.outcome, verdict.reason, verdict.setting, mode)
        self._emit("action.decided", action_id)
        log.info("policy.decided", extra={"action_id": action_id, "kind": str(request.kind), "outcome": str(verdict.outcome), "setting": verdict.setting})
        if verdict.outcome is Outcome.PENDING:
            self._emit("approval.requested", action_id)
            return decision
        if verdict.outcome not in (Outcome.APPLIED, Outcome.DRY_RUN):
            self._finish(decision)
            return decision
        return await self._execute(decision, ops, facts.planned)

    # ---- approvals -----------------------------------------------------------------------------

    async def resolve(self, action_id: str, *, approve: bool, by: str) -> Decision:
        """An operator's answer. Approval re-checks the rules (the cluster may have changed) and
        starts execution in the background; `wait()` returns the final decision. Raises `StateError`."""
        try:
            if await self._write(lambda conn: resolve_record(conn, action_id, approve=approve, by=by, now=self._clock())):
                raise StateError(f"action {action_id} expired before it was answered (ops.approvalTimeout)")
        except StateError:
            self._emit_if_expired(action_id)
            raise
        return await self._take_up(action_id)

    async def _take_up(self, action_id: str) -> Decision:
        rec = self.audit.get(action_id)
        if rec is None:
            raise StateError(f"no action {action_id}")
        if action_id in self._running:
            return decision_from_record(rec)
        if rec.resolution == "denied":
            await self._update(action_id, outcome=Outcome.DENIED, decision=f"denied by {rec.resolved_by}")
            self._emit("approval.resolved", action_id)
            decision = decision_from_record(self._must(action_id))
            self._finish(decision)
            return decision
        task = asyncio.create_task(self._run_approved(action_id), name=f"action-{action_id}")
        self._running[action_id] = task
        task.add_done_callback(lambda _t: self._running.pop(action_id, None))
        self._emit("approval.resolved", action_id)
        return decision_from_record(self._must(action_id))

    async def _run_approved(self, action_id: str) -> Decision:
        ops = self._settings()
        rec = self._must(action_id)
        parked = decision_from_record(rec)
        request = parked.request
        planned: tuple[str, ...] = ()
        async with self._lock_for(request):
            try:
                facts = await self._facts(request, ops)
                planned = facts.planned  # planned again: the approval covers what is there now
                verdict = rules.evaluate(request, ops.policy, facts, self._rate(request), approved=True)
            except (KubeError, UpstreamError) as exc:
                verdict = Verdict(Outcome.REFUSED, f"the {'media apps' if request.kind.on_media else 'cluster'} could not be read to re-check the rules: {exc}", None)
            reason = verdict.reason if verdict.outcome in (Outcome.APPLIED, Outcome.DRY_RUN) else f"approved by {rec.resolved_by}, then {verdict.reason}"
            runs = verdict.outcome in (Outcome.APPLIED, Outcome.DRY_RUN)
            await self._update(action_id, outcome=verdict.outcome, decision=reason, setting=verdict.setting, executed=int(runs))
            if runs:
                self._inflight[(str(request.kind), request.target.key)] = action_id
        decision = Decision(action_id, request, verdict.outcome, reason, verdict.setting, ops.policy.mode)
        self._emit("action.decided", action_id)
        if verdict.outcome not in (Outcome.APPLIED, Outcome.DRY_RUN):
            self._finish(decision)
            return decision
        return await self._execute(decision, ops, planned)

    async def wait(self, action_id: str, timeout_s: float | None = None) -> Decision:
        """The final decision of an action (returns at once if it is already final)."""
        rec = self._must(action_id)
        if Outcome(rec.outcome).final and action_id not in self._running:
            return decision_from_record(rec)
        fut: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(action_id, []).append(fut)
        return await asyncio.wait_for(fut, timeout_s)

    async def sweep(self) -> None:
        """Expire parked actions nobody answered; take up answers written by the CLI to the file."""
        now = self._clock()
        for rec in self.audit.pending():
            if rec.id in self._running:
                continue
            if rec.resolution is not None:
                await self._take_up(rec.id)
            elif rec.expires_at is not None and rec.expires_at <= now:
                await self._update(rec.id, outcome=Outcome.EXPIRED, decision="no answer within ops.approvalTimeout", setting="ops.approvalTimeout")
                self._emit("approval.resolved", rec.id)
                self._finish(decision_from_record(self._must(rec.id)))

    async def run_sweeper(self, interval_s: float = 1.0) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # one failed sweep must not stop approvals for good
                log.exception("policy.sweep_failed")
            await asyncio.sleep(interval_s)

    # ---- internals -----------------------------------------------------------------------------

    def _lock_for(self, request: ActionRequest[Any]) -> asyncio.Lock:
        backend = actions.spec_for(request.kind).backend
        lock = self._decide_locks.get(backend)
        if lock is None:
            lock = self._decide_locks[backend] = asyncio.Lock()
        return lock

    def _client(self, spec: actions.ActionSpec[Any, Any, Any]) -> Any:
        client = spec.client(self.backends)
        if client is None:
            raise KubeError(spec.missing) if spec.backend == actions.KUBE else UpstreamError(spec.missing)
        return client

    async def _facts(self, request: ActionRequest[Any], ops: OpsSettings) -> rules.ClusterFacts:
        spec = actions.spec_for(request.kind)
        return await spec.facts(self._client(spec), request, spec.parse_params(request), ops)

    def _rate(self, request: ActionRequest[Any]) -> rules.RateCounts:
        since = self._clock() - HOUR
        kind = str(request.kind)
        last = self.audit.last_executed(kind, request.target.key) if request.kind.on_media else None
        scope = request.target.scope
        return rules.RateCounts(
            kind=self.audit.count_executed(kind, since=since), object=self.audit.count_executed(kind, since=since, target=request.target.key),
            scope=self.audit.count_executed(kind, since=since, scope=scope) if request.kind.on_media and scope else 0,
            since_last=None if last is None else max(0.0, self._clock() - last),
        )

    async def _execute(self, decision: Decision, ops: OpsSettings, planned: tuple[str, ...]) -> Decision:
        request = decision.request
        spec = actions.spec_for(request.kind)
        client = self._client(spec)
        params = spec.parse_params(request)
        approval = mint(decision.action_id, str(request.kind), request.target.key, dry_run=decision.outcome is Outcome.DRY_RUN, planned=planned)
        try:
            result = await spec.execute(client, request, params, approval, ops)
        except Exception as exc:  # the audit row must say what happened whatever the executor raised
            detail = str(exc) if isinstance(exc, KubeError | UpstreamError | ValueError) else f"{type(exc).__name__}: {exc}"
            await self._update(decision.action_id, outcome=Outcome.FAILED, result=detail[:1000])
            log.error("policy.execution_failed", extra={"action_id": decision.action_id, "kind": str(request.kind)}, exc_info=not isinstance(exc, KubeError | UpstreamError | ValueError))
            failed = Decision(decision.action_id, request, Outcome.FAILED, decision.reason, decision.setting, decision.mode, detail[:1000])
            self._finish(failed)
            return failed
        await self._update(decision.action_id, result=result.summary, details=result.details)
        if decision.outcome is Outcome.DRY_RUN:
            verification = "skipped: dry run"
        else:
            check = spec.verify(client, request, params, result)
            verification = await verify.wait_for(check, timeout_s=ops.verify_timeout, stable_s=ops.verify_stable_for, clock=self._waits) if check else "skipped: nothing to check"
        await self._update(decision.action_id, verification=verification)
        done = Decision(
            decision.action_id, request, decision.outcome, decision.reason, decision.setting, decision.mode, result.summary, verification, result.details
        )
        if done.verification_failed:
            log.error("policy.verification_failed", extra={"action_id": decision.action_id, "kind": str(request.kind)})
            self._emit("action.verification_failed", decision.action_id)
        self._finish(done)
        return done

    async def _own_connection(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return self.audit.transact(fn)

    async def _update(self, action_id: str, **fields: Any) -> None:
        await self._write(lambda conn: update_record(conn, action_id, fields, self.audit.mask))

    async def _record_final(self, request: ActionRequest[Any], mode: str, verdict: Verdict) -> Decision:
        action_id = await self._write(
            lambda conn: insert_record(conn, request, mode=mode, outcome=verdict.outcome, decision=verdict.reason, setting=verdict.setting, now=self._clock(), mask=self.audit.mask)
        )
        decision = Decision(action_id, request, verdict.outcome, verdict.reason, verdict.setting, mode)
        log.info("policy.refused", extra={"action_id": action_id, "kind": str(request.kind), "setting": verdict.setting})
        self._emit("action.decided", action_id)
        self._finish(decision)
        return decision

    def _finish(self, decision: Decision) -> None:
        key = (str(decision.request.kind), decision.request.target.key)
        if self._inflight.get(key) == decision.action_id:
            del self._inflight[key]
        self._emit("action.completed", decision.action_id)
        for fut in self._waiters.pop(decision.action_id, []):
            if not fut.done():
                fut.set_result(decision)

    def _must(self, action_id: str) -> AuditRecord:
        rec = self.audit.get(action_id)
        if rec is None:
            raise StateError(f"no action {action_id}; see `openclaw actions list`")
        return rec

    def _emit(self, event: str, action_id: str) -> None:
        rec = self.audit.get(action_id)
        if rec is not None:
            self._publish(event, rec.to_json())

    def _emit_if_expired(self, action_id: str) -> None:
        rec = self.audit.get(action_id)
        if rec is not None and rec.outcome == Outcome.EXPIRED:
            self._emit("approval.resolved", action_id)
            self._finish(decision_from_record(rec))
