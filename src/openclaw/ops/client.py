"""The Kubernetes client: the only module that imports the Kubernetes library (lightkube).

Everything above it speaks plain JSON objects (`Obj`) and `ObjectRef`s. Reads are free; every
method that changes the cluster takes an `Approval`, which only the policy engine can mint, and
honours its `dry_run` flag with a server-side dry run (`dryRun=All`). Library and transport errors
leave this module as `KubeRequestError` (an `openclaw.errors.KubeError`) with the HTTP status kept.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import httpx2
from lightkube import ApiError, AsyncClient
from lightkube.config.kubeconfig import KubeConfig
from lightkube.core.exceptions import ConfigError as LightkubeConfigError
from lightkube.core.exceptions import LoadResourceError
from lightkube.generic_resource import create_global_resource, create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import PodEviction, PodLog
from lightkube.types import CascadeType, PatchType
from msgspec import ValidationError as DecodeError

from openclaw.errors import KubeError
from openclaw.ops.refs import CLUSTER_SCOPED, Kind, Obj, ObjectRef
from openclaw.policy.grant import Approval

log = logging.getLogger(__name__)

# Generic (schema-free) resources: objects come back as the API sent them, so a server that omits
# a field the typed models call required (simulators, older clusters) still reads fine.
_API = {
    "Pod": ("", "v1", "pods", True),
    "Node": ("", "v1", "nodes", False),
    "Namespace": ("", "v1", "namespaces", False),
    "Event": ("", "v1", "events", True),
    "PersistentVolumeClaim": ("", "v1", "persistentvolumeclaims", True),
    "PersistentVolume": ("", "v1", "persistentvolumes", False),
    "VolumeAttachment": ("storage.k8s.io", "v1", "volumeattachments", False),
    "Service": ("", "v1", "services", True),
    "Endpoints": ("", "v1", "endpoints", True),
    "Deployment": ("apps", "v1", "deployments", True),
    "StatefulSet": ("apps", "v1", "statefulsets", True),
    "DaemonSet": ("apps", "v1", "daemonsets", True),
    "ReplicaSet": ("apps", "v1", "replicasets", True),
    "Job": ("batch", "v1", "jobs", True),
    "CronJob": ("batch", "v1", "cronjobs", True),
    "PodDisruptionBudget": ("policy", "v1", "poddisruptionbudgets", True),
}
_RESOURCES: dict[str, Any] = {
    kind: (create_namespaced_resource if namespaced else create_global_resource)(group, version, kind, plural)
    for kind, (group, version, plural, namespaced) in _API.items()
}
_PATCH_TYPES = {"merge": PatchType.MERGE, "strategic": PatchType.STRATEGIC, "json": PatchType.JSON}
PatchKind = Literal["merge", "strategic", "json"]
FIELD_MANAGER = "openclaw"
_BODY_LIMIT = 256


class KubeRequestError(KubeError):
    """An API call that failed: `status` is the HTTP status (None for transport failures), `reason` the API's reason."""

    def __init__(self, message: str, *, status: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason

    @property
    def not_found(self) -> bool:
        return self.status == 404


def _resource(kind: str) -> Any:
    try:
        return _RESOURCES[kind]
    except KeyError:
        raise KubeRequestError(f"kind {kind!r} is not one openclaw operates on; known: {', '.join(sorted(_RESOURCES))}") from None


def _translate(exc: Exception, what: str) -> KubeRequestError:
    if isinstance(exc, ApiError):
        status = exc.status
        code = status.code if status and status.code else (exc.response.status_code if exc.response is not None else None)
        message = (status.message if status and status.message else str(exc))[:_BODY_LIMIT]
        return KubeRequestError(f"{what}: {message}", status=code, reason=status.reason if status else None)
    if isinstance(exc, httpx2.HTTPError):
        return KubeRequestError(f"{what}: Kubernetes API unreachable ({type(exc).__name__}: {str(exc)[:_BODY_LIMIT]})")
    return KubeRequestError(f"{what}: {type(exc).__name__}: {str(exc)[:_BODY_LIMIT]}")


def load_config(kubeconfig: Path | None = None, context: str | None = None) -> KubeConfig:
    """Cluster access: an explicit kubeconfig (the sandbox's, or `ops.kube.kubeconfig`), else the
    library's own order: in-cluster service account, then `KUBECONFIG`, then `~/.kube/config`."""
    try:
        conf = KubeConfig.from_file(kubeconfig) if kubeconfig else KubeConfig.from_env()
        if context is not None and conf.get(context) is None:
            raise KubeError(f"ops.kube.context {context!r} is not in the kubeconfig; contexts: {', '.join(conf.contexts)}")
        return conf
    except (LightkubeConfigError, OSError) as exc:
        where = f"kubeconfig {kubeconfig}" if kubeconfig else "in-cluster service account, KUBECONFIG or ~/.kube/config"
        raise KubeError(f"no usable Kubernetes config ({where}): {exc}; set ops.kube.kubeconfig") from exc


class KubeClient:
    """Typed async access to one cluster. Construct with `connect()`; close with `aclose()`."""

    def __init__(self, api: AsyncClient) -> None:
        self._api = api

    @classmethod
    def connect(cls, kubeconfig: Path | None = None, context: str | None = None, *, timeout_s: float = 10.0) -> KubeClient:
        conf = load_config(kubeconfig, context)
        single = conf.get(context) if context else conf
        api = AsyncClient(config=single, timeout=httpx2.Timeout(timeout_s), field_manager=FIELD_MANAGER, trust_env=False)
        return cls(api)

    async def aclose(self) -> None:
        await self._api.close()

    # ---- reads -------------------------------------------------------------------------------

    async def get(self, ref: ObjectRef) -> Obj:
        """One object; raises `KubeRequestError` (status 404 when absent)."""
        try:
            obj = await self._api.get(_resource(ref.kind), ref.name, namespace=ref.namespace)
        except (ApiError, httpx2.HTTPError, LoadResourceError, DecodeError) as exc:
            raise _translate(exc, f"get {ref}") from exc
        return _plain(obj)

    async def find(self, ref: ObjectRef) -> Obj | None:
        """One object, or None when it does not exist."""
        try:
            return await self.get(ref)
        except KubeRequestError as exc:
            if exc.not_found:
                return None
            raise

    async def list(
        self, kind: Kind, namespace: str | None = None, *, labels: Mapping[str, str] | None = None, fields: Mapping[str, str] | None = None
    ) -> list[Obj]:
        """Objects of `kind` (all namespaces when `namespace` is None), filtered by label/field selectors."""
        res = _resource(kind)
        ns = "*" if namespace is None and kind not in CLUSTER_SCOPED else namespace
        try:
            items = [_plain(o) async for o in self._api.list(res, namespace=ns, labels=dict(labels) if labels else None, fields=dict(fields) if fields else None)]
        except (ApiError, httpx2.HTTPError, LoadResourceError, DecodeError) as exc:
            raise _translate(exc, f"list {kind}" + (f" in {namespace}" if namespace else "")) from exc
        return items

    async def logs(self, pod: str, namespace: str, *, container: str | None = None, previous: bool = False, tail_lines: int | None = 200) -> str:
        """A container's log text; `previous` reads the last terminated instance (what crashed)."""
        params: dict[str, Any] = {"container": container, "tailLines": tail_lines, "previous": previous or None}
        try:
            # The library's log() has no `previous`; its own request builder is used so auth and TLS stay the library's.
            inner = self._api._client  # noqa: SLF001
            req = inner.build_adapter_request(inner.prepare_request("get", PodLog, name=pod, namespace=namespace, params=params))
            # lightkube leaves send() and raise_for_status() unannotated.
            resp = await inner.send(req)  # type: ignore[no-untyped-call]
            inner.raise_for_status(resp)  # type: ignore[no-untyped-call]
            return str(resp.text)
        except (ApiError, httpx2.HTTPError) as exc:
            raise _translate(exc, f"logs of {namespace}/{pod}" + (" (previous)" if previous else "")) from exc

    # ---- writes: each takes the Approval policy minted for exactly this action -------------------

    def _check(self, approval: Approval, kind: str, ref: ObjectRef) -> None:
        if not isinstance(approval, Approval):
            raise PermissionError("a cluster change needs an Approval from policy.submit()")
        if not approval.permits(kind, ref.key):
            raise PermissionError(f"approval {approval.action_id} is for {approval.kind} on {approval.target}, not {kind} on {ref}")

    async def patch(self, ref: ObjectRef, patch: Obj | builtins.list[Obj], *, approval: Approval, action: str, patch_type: PatchKind = "merge") -> Obj:
        """Patch one object; `action` is the action kind the approval must be for."""
        self._check(approval, action, ref)
        try:
            obj = await self._api.patch(
                _resource(ref.kind), ref.name, patch, namespace=ref.namespace, patch_type=_PATCH_TYPES[patch_type], dry_run=approval.dry_run
            )
        except (ApiError, httpx2.HTTPError, LoadResourceError, DecodeError) as exc:
            raise _translate(exc, f"patch {ref}") from exc
        return _plain(obj)

    async def delete(self, ref: ObjectRef, *, approval: Approval, action: str, grace_period: int | None = None) -> None:
        """Delete one object; dependents are removed in the background (as kubectl does)."""
        self._check(approval, action, ref)
        try:
            await self._api.delete(
                _resource(ref.kind), ref.name, namespace=ref.namespace, grace_period=grace_period, cascade=CascadeType.BACKGROUND, dry_run=approval.dry_run
            )
        except (ApiError, httpx2.HTTPError, LoadResourceError, DecodeError) as exc:
            raise _translate(exc, f"delete {ref}") from exc

    async def evict(self, pod: ObjectRef, *, approval: Approval, action: str) -> None:
        """Evict a pod through the eviction API; a PodDisruptionBudget refusal is status 429."""
        self._check(approval, action, pod)
        body = PodEviction(apiVersion="policy/v1", kind="Eviction", metadata=ObjectMeta(name=pod.name, namespace=pod.namespace))
        try:
            await self._api.create(body, pod.name, namespace=pod.namespace, dry_run=approval.dry_run)
        except (ApiError, httpx2.HTTPError, LoadResourceError, DecodeError) as exc:
            raise _translate(exc, f"evict {pod}") from exc


def _plain(obj: Any) -> Obj:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    if not isinstance(data, dict):
        raise KubeRequestError(f"unexpected API answer of type {type(obj).__name__}")
    return data
