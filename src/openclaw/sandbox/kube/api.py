"""HTTP handlers of the simulated API server: discovery, CRUD, watch, subresources (log, eviction, scale)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from openclaw import __version__
from openclaw.sandbox.kube import errors, protobuf
from openclaw.sandbox.kube.controllers.pods import is_ready
from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.fieldcheck import FieldChecker
from openclaw.sandbox.kube.resources import REVIEW_KINDS, ResourceType
from openclaw.sandbox.kube.runtime import Runtime
from openclaw.sandbox.kube.selectors import labels_match, selector_from_spec
from openclaw.sandbox.kube.tables import table

PATCH_CONTENT_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
KUBE_VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.4", "gitCommit": "sandbox", "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64"}


def status_response(exc: ApiError) -> JSONResponse:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return JSONResponse(exc.status(), status_code=exc.code, headers=headers)


def success(message: str = "", code: int = 200, details: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code}
    if message:
        body["message"] = message
    if details:
        body["details"] = details
    return JSONResponse(body, status_code=code)


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true")


def _dry_run(request: Request, options: dict[str, Any] | None = None) -> bool:
    values = request.query_params.getlist("dryRun") + list((options or {}).get("dryRun") or [])
    for value in values:
        if value != "All":
            raise errors.bad_request(f"dryRun {value!r}: the only supported value is All")
    request.state.dry_run = bool(values)
    return bool(values)


async def _body(request: Request, kind: str = "") -> Any:
    raw = await request.body()
    if not raw:
        return None
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if ctype == "application/vnd.kubernetes.protobuf":
        return protobuf.decode(raw, lambda: kind)
    if "protobuf" in ctype or "cbor" in ctype:
        raise ApiError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format ({ctype}) - accepted media types include: application/json, application/yaml")
    try:
        return yaml.safe_load(raw) if ctype.endswith("yaml") else json.loads(raw)
    except (ValueError, yaml.YAMLError) as exc:
        raise errors.bad_request(f"the request body is not valid {'YAML' if ctype.endswith('yaml') else 'JSON'}: {exc}") from None


class Api:
    """Turns parsed requests into store calls. One instance per server."""

    def __init__(self, rt: Runtime, *, bookmark_seconds: float = 60.0) -> None:
        self.rt = rt
        self.store = rt.store
        self.bookmark_seconds = bookmark_seconds
        self.fields = FieldChecker()

    def _validated(self, request: Request, body: Any, *, partial: bool = False) -> list[str]:
        return self.fields.check(body, request.query_params.get("fieldValidation"), partial=partial)

    @staticmethod
    def _warn(response: Response, warnings: list[str]) -> Response:
        for text in warnings:
            response.headers.append("Warning", '299 - "' + text.replace('"', '\\"') + '"')
        return response

    # ---- discovery ----------------------------------------------------------------------------
    def version(self) -> dict[str, Any]:
        return {**KUBE_VERSION, "gitCommit": f"openclaw-sandbox-{__version__}"}

    # ---- collections --------------------------------------------------------------------------
    def _list_doc(self, rtype: ResourceType, request: Request, namespace: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        q = request.query_params
        items = self.store.list(rtype, namespace, label_selector=q.get("labelSelector"), field_selector=q.get("fieldSelector"))
        meta: dict[str, Any] = {"resourceVersion": str(self.store.resource_version)}
        token = q.get("continue")
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode()))
                start = str(state["start"])
            except (ValueError, KeyError, TypeError):
                raise errors.bad_request("continue token is not valid; list again without it") from None
            items = [o for o in items if f"{o['metadata'].get('namespace', '')}/{o['metadata']['name']}" > start]
        limit = int(q.get("limit") or 0)
        if limit and len(items) > limit:
            last = items[limit - 1]
            meta["continue"] = base64.urlsafe_b64encode(json.dumps({"rv": self.store.resource_version, "start": f"{last['metadata'].get('namespace', '')}/{last['metadata']['name']}"}).encode()).decode()
            meta["remainingItemCount"] = len(items) - limit
            items = items[:limit]
        return items, meta

    def _wants_table(self, request: Request) -> bool:
        return "as=Table" in request.headers.get("accept", "")

    async def collection(self, request: Request, rtype: ResourceType, namespace: str | None) -> Response:
        method = request.method
        if method == "GET":
            if _flag(request, "watch"):
                return self.watch(request, rtype, namespace)
            items, meta = self._list_doc(rtype, request, namespace)
            if self._wants_table(request):
                return JSONResponse(table(rtype.kind, items, self.store.clock.now(), resource_version=meta["resourceVersion"], include=request.query_params.get("includeObject", "Metadata"), continue_token=meta.get("continue"), remaining=meta.get("remainingItemCount")))
            return JSONResponse({"kind": rtype.list_kind, "apiVersion": rtype.api_version, "metadata": meta, "items": items})
        if method == "POST" and rtype.kind in REVIEW_KINDS:
            review = self._check_body(rtype, await _body(request, rtype.kind), namespace, None)
            # The sandbox token is the cluster's only identity and may do everything (cluster-admin).
            review["status"] = {"allowed": True, "reason": "the sandbox token is bound to cluster-admin"}
            return JSONResponse(review, status_code=201)
        if method == "POST":
            body = await _body(request, rtype.kind)
            obj = self._check_body(rtype, body, namespace, None)
            warnings = self._validated(request, obj)
            created = self.store.create(obj, namespace=namespace, dry_run=_dry_run(request))
            return self._warn(JSONResponse(created, status_code=201), warnings)
        if method == "DELETE":
            options = await _body(request) or {}
            dry = _dry_run(request, options)
            items, _ = self._list_doc(rtype, request, namespace)
            deleted = [self.store.delete(rtype, o["metadata"].get("namespace"), o["metadata"]["name"], propagation=options.get("propagationPolicy") or request.query_params.get("propagationPolicy"), dry_run=dry) for o in items]
            return JSONResponse({"kind": rtype.list_kind, "apiVersion": rtype.api_version, "metadata": {"resourceVersion": str(self.store.resource_version)}, "items": deleted})
        raise ApiError(405, "MethodNotAllowed", f"the server does not allow this method on the requested resource: {method} {rtype.plural}")

    def _check_body(self, rtype: ResourceType, body: Any, namespace: str | None, name: str | None) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise errors.bad_request(f"the request body must be a {rtype.kind} object")
        body.setdefault("apiVersion", rtype.api_version)
        body.setdefault("kind", rtype.kind)
        if body["kind"] != rtype.kind or body["apiVersion"] != rtype.api_version:
            raise errors.bad_request(f"the body is {body['apiVersion']}/{body['kind']} but the URL is for {rtype.api_version}/{rtype.kind}")
        meta = body.setdefault("metadata", {})
        if rtype.namespaced and namespace and meta.get("namespace") and meta["namespace"] != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
        if name is not None and meta.get("name") and meta["name"] != name:
            raise errors.bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        if name is not None:
            meta["name"] = name
        return body

    # ---- one object -----------------------------------------------------------------------------
    async def item(self, request: Request, rtype: ResourceType, namespace: str | None, name: str, sub: str | None) -> Response:
        method = request.method
        if sub == "log" and method == "GET":
            return self.log(request, namespace or "", name)
        if sub == "eviction" and method == "POST":
            return await self.evict(request, namespace or "", name)
        if sub == "scale":
            return await self.scale(request, rtype, namespace, name)
        if rtype.kind == "Pod" and sub in ("exec", "attach", "portforward", "proxy"):
            raise errors.bad_request(f"pods/{sub} is not supported: the sandbox cluster simulates containers and runs no processes")
        if sub not in (None, "status") or (sub and sub not in rtype.subresources):
            raise errors.not_found(f"{rtype.plural}/{sub}", name, rtype.group)
        if method == "GET":
            obj = self.store.get(rtype, namespace, name)
            if self._wants_table(request):
                return JSONResponse(table(rtype.kind, [obj], self.store.clock.now(), resource_version=obj["metadata"]["resourceVersion"], include=request.query_params.get("includeObject", "Metadata")))
            return JSONResponse(obj)
        if method == "PUT":
            obj = self._check_body(rtype, await _body(request, rtype.kind), namespace, name)
            if rtype.namespaced:
                obj["metadata"]["namespace"] = namespace
            warnings = self._validated(request, obj)
            return self._warn(JSONResponse(self.store.update(obj, subresource=sub, dry_run=_dry_run(request))), warnings)
        if method == "PATCH":
            ctype = request.headers.get("content-type", "").split(";")[0].strip()
            patch_type = PATCH_CONTENT_TYPES.get(ctype)
            if patch_type is None:
                raise ApiError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - accepted media types include: {', '.join(PATCH_CONTENT_TYPES)}")
            body = await _body(request)
            patch_warnings: list[str] = []
            if patch_type != "json" and isinstance(body, dict):
                patch_warnings = self._validated(request, {**body, "apiVersion": rtype.api_version, "kind": rtype.kind}, partial=True)
            created = patch_type == "apply" and self.store.find(rtype, namespace, name) is None
            result = self.store.patch(rtype, namespace, name, body, patch_type, subresource=sub, dry_run=_dry_run(request), field_manager=request.query_params.get("fieldManager"))
            return self._warn(JSONResponse(result, status_code=201 if created else 200), patch_warnings)
        if method == "DELETE":
            options = await _body(request) or {}
            q = request.query_params
            grace = options.get("gracePeriodSeconds", q.get("gracePeriodSeconds"))
            result = self.store.delete(
                rtype,
                namespace,
                name,
                propagation=options.get("propagationPolicy") or q.get("propagationPolicy") or ("Orphan" if options.get("orphanDependents") or q.get("orphanDependents") == "true" else None),
                grace_period=int(grace) if grace is not None else None,
                dry_run=_dry_run(request, options),
                preconditions=options.get("preconditions"),
            )
            return JSONResponse(result)
        raise ApiError(405, "MethodNotAllowed", f"the server does not allow this method on the requested resource: {method}")

    # ---- subresources -----------------------------------------------------------------------------
    def log(self, request: Request, namespace: str, name: str) -> Response:
        pod = self.store.get("pods", namespace, name)
        q = request.query_params
        names = [c["name"] for c in pod["spec"].get("containers") or []]
        container = q.get("container")
        if not container:
            if len(names) != 1:
                raise errors.bad_request(f"a container name must be specified for pod {name}, choose one of: [{' '.join(names)}]")
            container = names[0]
        if container not in names:
            raise errors.bad_request(f"container {container} is not valid for pod {name}")
        uid = pod["metadata"]["uid"]
        previous = _flag(request, "previous")
        if previous and not self.rt.logs.has_previous(uid, container):
            raise errors.bad_request(f'previous terminated container "{container}" in pod "{name}" not found')
        cs = next((s for s in (pod.get("status") or {}).get("containerStatuses") or [] if s["name"] == container), None)
        if not previous and (cs is None or "waiting" in (cs.get("state") or {})) and not self.rt.logs.read(uid, container):
            reason = ((cs or {}).get("state") or {}).get("waiting", {}).get("reason", "ContainerCreating")
            raise errors.bad_request(f'container "{container}" in pod "{name}" is waiting to start: {reason}')
        since = q.get("sinceSeconds")
        text = self.rt.logs.read(
            uid,
            container,
            previous=previous,
            tail=int(q["tailLines"]) if q.get("tailLines") else None,
            since=self.store.clock.now() - timedelta(seconds=int(since)) if since else None,
            timestamps=_flag(request, "timestamps"),
        )
        limit = q.get("limitBytes")
        if limit:
            text = text[: int(limit)]
        if _flag(request, "follow") and not previous:
            return StreamingResponse(self._follow(namespace, name, uid, container, text, _flag(request, "timestamps")), media_type="text/plain")
        return PlainTextResponse(text)

    async def _follow(self, namespace: str, name: str, uid: str, container: str, first: str, timestamps: bool) -> AsyncIterator[bytes]:
        """`logs -f`: what is there, then each new line, until the container restarts or the pod goes."""
        from openclaw.sandbox.kube.meta import micro_timestamp

        yield first.encode()
        cursor = self.rt.logs.position(uid, container)
        while True:
            fresh = self.rt.logs.since_position(uid, container, cursor)
            if fresh is None:
                return
            lines, cursor = fresh
            if lines:
                yield "".join((f"{micro_timestamp(m)} " if timestamps else "") + text + "\n" for m, text in lines).encode()
            pod = self.store.find("pods", namespace, name)
            if pod is None or pod["metadata"]["uid"] != uid:
                return
            await self.rt.logs.wait(uid, container, 30.0)

    async def evict(self, request: Request, namespace: str, name: str) -> Response:
        body = await _body(request) or {}
        options = body.get("deleteOptions") or {}
        pod = self.store.get("pods", namespace, name)
        dry = _dry_run(request, options)
        if pod["metadata"].get("deletionTimestamp") or pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            self.store.delete("pods", namespace, name, grace_period=options.get("gracePeriodSeconds"), dry_run=dry)
            return success(code=201)
        for pdb in self.store.list("poddisruptionbudgets.policy", namespace):
            if not labels_match(selector_from_spec(pdb["spec"].get("selector")), pod["metadata"].get("labels")):
                continue
            status = pdb.get("status") or {}
            if is_ready(pod) and int(status.get("disruptionsAllowed", 0)) <= 0:
                raise ApiError(
                    429,
                    "TooManyRequests",
                    "Cannot evict pod as it would violate the pod's disruption budget.",
                    causes=[{"reason": "DisruptionBudget", "message": f"The disruption budget {pdb['metadata']['name']} needs {status.get('desiredHealthy', 0)} healthy pods and has {status.get('currentHealthy', 0)} currently"}],
                )
            if not dry and is_ready(pod):
                self.store.mutate("poddisruptionbudgets.policy", namespace, pdb["metadata"]["name"], lambda o: o["status"].__setitem__("disruptionsAllowed", max(int(o["status"].get("disruptionsAllowed", 0)) - 1, 0)))
        self.store.delete("pods", namespace, name, grace_period=options.get("gracePeriodSeconds"), dry_run=dry)
        return success(code=201)

    async def scale(self, request: Request, rtype: ResourceType, namespace: str | None, name: str) -> Response:
        if "scale" not in rtype.subresources:
            raise errors.not_found(f"{rtype.plural}/scale", name, rtype.group)
        if request.method in ("PUT", "PATCH"):
            body = await _body(request) or {}
            if request.method == "PATCH":
                ctype = request.headers.get("content-type", "").split(";")[0].strip()
                current = self._scale_doc(self.store.get(rtype, namespace, name))
                from openclaw.sandbox.kube.patching import json_patch, merge_patch

                body = json_patch(current, body) if PATCH_CONTENT_TYPES.get(ctype) == "json" else merge_patch(current, body)
            replicas = (body.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise errors.invalid("Scale", name, [("spec.replicas", "FieldValueInvalid", f"Invalid value: {replicas!r}: must be greater than or equal to 0")], "autoscaling")
            if not _dry_run(request):
                self.store.mutate(rtype, namespace, name, lambda o: o["spec"].__setitem__("replicas", replicas))
        return JSONResponse(self._scale_doc(self.store.get(rtype, namespace, name)))

    @staticmethod
    def _scale_doc(obj: dict[str, Any]) -> dict[str, Any]:
        from openclaw.sandbox.kube.selectors import selector_string

        meta = obj["metadata"]
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta},
            "spec": {"replicas": obj["spec"].get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": selector_string(obj["spec"].get("selector"))},
        }

    # ---- watch --------------------------------------------------------------------------------
    def watch(self, request: Request, rtype: ResourceType, namespace: str | None) -> Response:
        q = request.query_params
        send_initial = q.get("sendInitialEvents")
        try:
            watcher = self.store.watch(rtype, namespace, label_selector=q.get("labelSelector"), field_selector=q.get("fieldSelector"), resource_version=q.get("resourceVersion"), send_initial=(send_initial == "true") if send_initial else None)
        except ApiError as exc:
            if exc.code != 410:
                raise
            # The apiserver answers a too-old resourceVersion with 200 and one ERROR event holding a 410 Status.
            gone = json.dumps({"type": "ERROR", "object": exc.status()}).encode() + b"\n"
            return Response(gone, media_type="application/json")
        as_table = self._wants_table(request)
        include = q.get("includeObject", "Metadata")
        bookmarks = _flag(request, "allowWatchBookmarks")
        timeout = float(q.get("timeoutSeconds") or 1800)
        initial_end = send_initial == "true"
        loop = asyncio.get_running_loop()

        def encode(type_: str, obj: dict[str, Any], first: bool) -> bytes:
            if as_table and type_ not in ("BOOKMARK", "ERROR"):
                doc = table(rtype.kind, [obj], self.store.clock.now(), resource_version=obj["metadata"].get("resourceVersion", ""), include=include)
                if not first:
                    doc["columnDefinitions"] = []
                obj = doc
            return json.dumps({"type": type_, "object": obj}).encode() + b"\n"

        def bookmark(extra: dict[str, str] | None = None) -> bytes:
            meta: dict[str, Any] = {"resourceVersion": str(self.store.resource_version)}
            if extra:
                meta["annotations"] = extra
            return json.dumps({"type": "BOOKMARK", "object": {"kind": rtype.kind, "apiVersion": rtype.api_version, "metadata": meta}}).encode() + b"\n"

        async def stream() -> AsyncIterator[bytes]:
            first = True
            deadline = loop.time() + timeout
            try:
                if initial_end:
                    while not watcher.queue.empty():
                        event = watcher.queue.get_nowait()
                        if event is None:
                            return
                        yield encode(event.type, event.object, first)
                        first = False
                    yield bookmark({"k8s.io/initial-events-end": "true"})
                while True:
                    left = deadline - loop.time()
                    if left <= 0:
                        return
                    wait = min(left, self.bookmark_seconds) if bookmarks else left
                    event = await watcher.next(wait)
                    if event is None:
                        if watcher.closed:
                            return
                        if bookmarks and deadline - loop.time() > 0:
                            yield bookmark()
                        continue
                    yield encode(event.type, event.object, first)
                    first = False
            finally:
                watcher.close()

        return StreamingResponse(stream(), media_type="application/json", headers={"Transfer-Encoding": "chunked"})
