"""Where a claim's volume is attached, and whether an attachment is a stale one left by a lost node.

After a node is lost, its ReadWriteOnce volumes can stay attached to it (a VolumeAttachment the CSI
driver cannot detach from a node it cannot reach), and the replacement pod elsewhere waits in
ContainerCreating with `Multi-Attach error for volume "pvc-..."` events. This module reads that
picture once, for the policy rules, the `volume.detach` executor and the runbook alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from openclaw.ops import reads
from openclaw.ops.reader import KubeReader
from openclaw.ops.refs import Obj, ObjectRef, meta

MULTI_ATTACH = "Multi-Attach error for volume"
_MULTI_ATTACH_VOLUME = re.compile(r'Multi-Attach error for volume "([^"]+)"')


def multi_attach_volume(message: str) -> str | None:
    """The volume a FailedAttachVolume event's Multi-Attach message names, if it is one."""
    m = _MULTI_ATTACH_VOLUME.search(message)
    return m.group(1) if m else None


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str  # the VolumeAttachment's name (csi-<sha256>)
    node: str
    attached: bool
    node_ready: bool
    node_not_ready_since: datetime | None  # the node's Ready condition's last transition, while it is not Ready

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("VolumeAttachment", self.name)


@dataclass(frozen=True, slots=True)
class Mount:
    pod: str  # Pod/ns/name
    node: str | None
    node_ready: bool
    running: bool  # phase Running and not being deleted: its containers may be writing to the volume


@dataclass(frozen=True, slots=True)
class ClaimAttachments:
    claim: ObjectRef
    volume: str | None  # the bound PersistentVolume's name
    read_write_once: bool
    attachments: tuple[Attachment, ...]
    mounts: tuple[Mount, ...]
    multi_attach_pods: tuple[str, ...]  # pods with a Multi-Attach event for this volume
    last_multi_attach: datetime | None  # the newest such event: when the cluster last saw the attach fail

    @property
    def stale(self) -> tuple[Attachment, ...]:
        """Attachments to nodes that are not Ready: what a lost node left behind."""
        return tuple(a for a in self.attachments if not a.node_ready)

    @property
    def live_mounts(self) -> tuple[Mount, ...]:
        """Pods on Ready nodes that run with the claim mounted."""
        return tuple(m for m in self.mounts if m.running and m.node_ready)

    def not_ready_for_s(self) -> float | None:
        """How long the stale attachments' nodes had been NotReady when the attach last failed (the
        shortest of them). Both times are the cluster's, so a gateway's own clock never enters it."""
        if self.last_multi_attach is None:
            return None
        since = [a.node_not_ready_since for a in self.stale]
        if not since or any(s is None for s in since):
            return None
        return min((self.last_multi_attach - s).total_seconds() for s in since if s is not None)


def _not_ready_since(node: Obj | None) -> tuple[bool, datetime | None]:
    if node is None:
        return False, None
    ready = next((c for c in (node.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), None)
    if ready is not None and ready.get("status") == "True":
        return True, None
    return False, reads.parse_time((ready or {}).get("lastTransitionTime"))


def _mounts_claim(pod: Obj, claim: str) -> bool:
    return any((v.get("persistentVolumeClaim") or {}).get("claimName") == claim for v in (pod.get("spec") or {}).get("volumes") or [])


async def read(client: KubeReader, claim: ObjectRef) -> ClaimAttachments:
    """The claim's volume, its attachments with their nodes' health, the pods mounting it, and the
    Multi-Attach events about it."""
    pvc = await client.get(claim)
    volume = (pvc.get("spec") or {}).get("volumeName")
    modes = (pvc.get("spec") or {}).get("accessModes") or []
    nodes = {str(meta(n).get("name")): n for n in await client.list("Node")}
    attachments: list[Attachment] = []
    if volume:
        for va in await client.list("VolumeAttachment"):
            spec = va.get("spec") or {}
            if (spec.get("source") or {}).get("persistentVolumeName") != volume:
                continue
            node = str(spec.get("nodeName") or "")
            ready, since = _not_ready_since(nodes.get(node))
            attachments.append(Attachment(str(meta(va).get("name")), node, bool((va.get("status") or {}).get("attached")), ready, since))
    mounts: list[Mount] = []
    for pod in await client.list("Pod", claim.namespace):
        if not _mounts_claim(pod, claim.name):
            continue
        summary = reads.pod_summary(pod)
        node_ready = summary.node is not None and _not_ready_since(nodes.get(summary.node))[0]
        mounts.append(Mount(summary.ref.key, summary.node, node_ready, summary.phase == "Running" and not summary.deleting))
    pods, last = [], None
    if volume:
        needle = f'{MULTI_ATTACH} "{volume}"'
        for ev in await client.list("Event", claim.namespace):
            inv = ev.get("involvedObject") or {}
            if inv.get("kind") != "Pod" or ev.get("reason") != "FailedAttachVolume" or needle not in str(ev.get("message") or ""):
                continue
            pods.append(f"Pod/{claim.namespace}/{inv.get('name')}")
            seen = reads.parse_time(ev.get("lastTimestamp") or ev.get("eventTime") or meta(ev).get("creationTimestamp"))
            if seen is not None and (last is None or seen > last):
                last = seen
    return ClaimAttachments(claim, volume, "ReadWriteOnce" in modes, tuple(attachments), tuple(mounts), tuple(sorted(set(pods))), last)
