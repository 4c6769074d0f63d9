"""Runs pods on their nodes: container starts, readiness, crashes with back-off, completion, termination, logs."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from openclaw.sandbox.kube import events
from openclaw.sandbox.kube.controllers.base import Controller, Key
from openclaw.sandbox.kube.controllers.scheduler import node_ready
from openclaw.sandbox.kube.faults import VOLUME_ATTACHMENTS, attachment_name, rwo_volumes, volume_attachment
from openclaw.sandbox.kube.meta import timestamp
from openclaw.sandbox.kube.runtime import Runtime
from openclaw.sandbox.kube.store import Change

RUN_SECONDS = "sandbox.openclaw.dev/run-seconds"
# How often the attach/detach controller retries a volume it cannot attach, at most (its back-off cap is 2m2s).
ATTACH_RETRY_MAX = 120.0


def _app_lines(pod: dict[str, Any], container: dict[str, Any]) -> list[str]:
    image = container.get("image", "")
    port = next((p.get("containerPort") for p in container.get("ports") or []), None)
    lines = [f"[Info] Bootstrap: Starting {container['name']} ({image})", f"[Info] Bootstrap: Pod {pod['metadata']['name']} on {pod['spec'].get('nodeName')}"]
    if port:
        lines.append(f"[Info] Microsoft.Hosting.Lifetime: Now listening on: http://[::]:{port}")
    lines.append("[Info] Microsoft.Hosting.Lifetime: Application started.")
    return lines


class Kubelet(Controller):
    name = "kubelet"
    resync_kinds = ("pods",)

    def __init__(self, rt: Runtime) -> None:
        super().__init__(rt)
        self._ips: dict[str, str] = {}
        # Pods waiting for a volume attached to another node: uid -> (namespace, name, {volume: attacher}).
        self._attaching: dict[str, tuple[str, str, dict[str, str]]] = {}
        self._next_ip = 10
        rt.faults.on_change(self._faults_changed)

    # ---- routing ------------------------------------------------------------------------------
    def keys_for(self, change: Change) -> Iterable[Key]:
        if change.rtype.kind == "Pod":
            if change.type == "DELETED":
                uid = change.obj["metadata"]["uid"]
                self.rt.logs.forget(uid)
                self._ips.pop(uid, None)
                for c in change.obj["spec"].get("containers") or []:
                    for what in ("start", "crash", "finish"):
                        self.rt.timers.cancel(f"kubelet/{uid}/{c['name']}/{what}")
                self.rt.timers.cancel(f"kubelet/{uid}/kill")
                self._attaching.pop(uid, None)
            elif change.obj["spec"].get("nodeName"):
                yield (change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])
        elif change.rtype.kind == "VolumeAttachment" and change.type == "DELETED":
            self._retry_attach(str(((change.obj.get("spec") or {}).get("source") or {}).get("persistentVolumeName") or ""))
        elif change.rtype.kind == "Node" and change.type == "MODIFIED":
            node = change.obj["metadata"]["name"]
            for pod in self.store.list("pods", field_selector=f"spec.nodeName={node}"):
                yield (pod["metadata"]["namespace"], pod["metadata"]["name"])

    def _faults_changed(self) -> None:
        for pod in self.store.list("pods"):
            if pod["spec"].get("nodeName"):
                self.enqueue(pod["metadata"]["namespace"], pod["metadata"]["name"])

    def _now(self) -> str:
        return timestamp(self.rt.clock.now())

    def _pod_ip(self, pod: dict[str, Any]) -> str:
        uid = pod["metadata"]["uid"]
        if uid not in self._ips:
            node = self.store.find("nodes", None, pod["spec"]["nodeName"]) or {}
            if pod["spec"].get("hostNetwork"):
                self._ips[uid] = self._host_ip(node)
            else:
                octet = int((node.get("metadata", {}).get("annotations") or {}).get("sandbox.openclaw.dev/pod-cidr-octet", "0"))
                self._ips[uid] = f"10.42.{octet}.{self._next_ip}"
                self._next_ip = self._next_ip + 1 if self._next_ip < 250 else 10
        return self._ips[uid]

    @staticmethod
    def _host_ip(node: dict[str, Any]) -> str:
        for addr in node.get("status", {}).get("addresses") or []:
            if addr.get("type") == "InternalIP":
                return str(addr["address"])
        return "192.168.1.10"

    # ---- reconcile ----------------------------------------------------------------------------
    def reconcile(self, namespace: str, name: str) -> None:
        pod = self.store.find("pods", namespace, name)
        if pod is None or not pod["spec"].get("nodeName"):
            return
        uid = pod["metadata"]["uid"]
        if pod["metadata"].get("deletionTimestamp"):
            if not self.rt.timers.pending(f"kubelet/{uid}/kill"):
                grace = int(pod["metadata"].get("deletionGracePeriodSeconds") or 0)
                for c in pod["spec"]["containers"]:
                    self.rt.logs.write(uid, c["name"], self.rt.clock.now(), "[Info] Received SIGTERM, shutting down")
                    events.record(self.store, pod, "Killing", f"Stopping container {c['name']}", host=pod["spec"]["nodeName"])
                self.rt.timers.after(min(grace, self.rt.timing.pod_stop), f"kubelet/{uid}/kill", lambda: self._kill(namespace, name, uid))
            return
        if not pod.get("status", {}).get("containerStatuses"):
            self._admit(pod)
            return
        self.store.mutate("pods", namespace, name, self._refresh_readiness)
        for cs in pod["status"]["containerStatuses"]:
            unready = self.rt.faults.for_container(pod, cs["name"], "unready")
            if unready is not None and "running" in cs.get("state", {}):
                # the probe keeps failing: the kubelet reports each failure (one Event, its count bumped)
                events.record(self.store, pod, "Unhealthy", unready.message, type_="Warning", host=pod["spec"]["nodeName"])
        if pod["spec"].get("restartPolicy", "Always") == "Always":
            for cs in pod["status"]["containerStatuses"]:
                key = f"kubelet/{uid}/{cs['name']}/crash"
                crash = self.rt.faults.for_container(pod, cs["name"], "crashloop")
                if crash is not None and "running" in cs.get("state", {}) and not self.rt.timers.pending(key):
                    self.rt.timers.after(self.rt.timing.crash_after, key, functools.partial(self._exit, namespace, name, uid, cs["name"], crash.exit_code, crash.message, crash.reason))

    def _kill(self, namespace: str, name: str, uid: str) -> None:
        pod = self.store.find("pods", namespace, name)
        if pod is not None and pod["metadata"]["uid"] == uid:
            self.store.delete("pods", namespace, name, grace_period=0)

    def _admit(self, pod: dict[str, Any]) -> None:
        ns, name, uid = pod["metadata"]["namespace"], pod["metadata"]["name"], pod["metadata"]["uid"]
        node = self.store.find("nodes", None, pod["spec"]["nodeName"]) or {}
        now = self._now()

        def init(obj: dict[str, Any]) -> None:
            status = obj.setdefault("status", {})
            status.update(phase="Pending", hostIP=self._host_ip(node), hostIPs=[{"ip": self._host_ip(node)}], podIP=self._pod_ip(obj), startTime=now)
            status["podIPs"] = [{"ip": status["podIP"]}]
            status["conditions"] = [
                {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": None, "lastTransitionTime": now},
                {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": now},
                {"type": "Ready", "status": "False", "lastProbeTime": None, "lastTransitionTime": now, "reason": "ContainersNotReady", "message": "containers with unready status: [" + " ".join(c["name"] for c in obj["spec"]["containers"]) + "]"},
                {"type": "ContainersReady", "status": "False", "lastProbeTime": None, "lastTransitionTime": now, "reason": "ContainersNotReady"},
                {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": obj["metadata"]["creationTimestamp"]},
            ]
            status["containerStatuses"] = [
                {"name": c["name"], "image": c["image"], "imageID": "", "ready": False, "restartCount": 0, "started": False, "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {}}
                for c in obj["spec"]["containers"]
            ]
            status["qosClass"] = "Burstable" if any((c.get("resources") or {}).get("requests") for c in obj["spec"]["containers"]) else "BestEffort"

        self.store.mutate("pods", ns, name, init)
        for c in pod["spec"]["containers"]:
            self.rt.timers.after(self.rt.timing.container_start, f"kubelet/{uid}/{c['name']}/start", functools.partial(self._pull, ns, name, uid, c["name"], 0))

    def _pull(self, namespace: str, name: str, uid: str, container: str, attempt: int) -> None:
        """Pull the image (it is present unless a fault says the registry refuses it), then start."""
        pod = self._current(namespace, name, uid)
        if pod is None:
            return
        held = self._held_elsewhere(pod)
        if held:
            self._attach_failed(pod, container, held, attempt)
            return
        if uid in self._attaching:
            self._attached(pod)
        image = next(c["image"] for c in pod["spec"]["containers"] if c["name"] == container)
        node = pod["spec"]["nodeName"]
        why = self.rt.faults.pull_error(image)
        if why is None:
            events.record(self.store, pod, "Pulled", f'Container image "{image}" already present on machine', host=node)
            missing = self._missing_config(pod, container)
            if missing is None:
                self._start(namespace, name, uid, container)
                return
            self._config_error(pod, container, missing, attempt)
            return
        backoff = min(self.rt.timing.backoff_base * (2**attempt), self.rt.timing.backoff_max)
        reason = "ErrImagePull" if attempt == 0 else "ImagePullBackOff"
        message = f'failed to pull and unpack image "{image}": {why}' if attempt == 0 else f'Back-off pulling image "{image}"'

        def waiting(obj: dict[str, Any]) -> None:
            cs = next(s for s in obj["status"]["containerStatuses"] if s["name"] == container)
            cs["state"] = {"waiting": {"reason": reason, "message": message}}

        self.store.mutate("pods", namespace, name, waiting)
        events.record(self.store, pod, "Failed", f'Failed to pull image "{image}": {why}', type_="Warning", host=node)
        events.record(self.store, pod, "BackOff", f'Back-off pulling image "{image}"', host=node)
        self.rt.timers.after(backoff, f"kubelet/{uid}/{container}/start", functools.partial(self._pull, namespace, name, uid, container, attempt + 1))

    # ---- volumes attached elsewhere (the attach/detach controller's part) -----------------------
    def _held_elsewhere(self, pod: dict[str, Any]) -> dict[str, tuple[str, str]]:
        """The pod's ReadWriteOnce volumes attached to another node: volume -> (pod volume name, attacher)."""
        volumes = rwo_volumes(self.store, pod)
        if not volumes:
            return {}
        held: dict[str, tuple[str, str]] = {}
        for va in self.store.list(VOLUME_ATTACHMENTS):
            spec = va.get("spec") or {}
            volume = (spec.get("source") or {}).get("persistentVolumeName")
            if volume in volumes and spec.get("nodeName") != pod["spec"]["nodeName"] and (va.get("status") or {}).get("attached"):
                held[volume] = (volumes[volume], str(spec.get("attacher") or ""))
        return held

    def _attach_failed(self, pod: dict[str, Any], container: str, held: dict[str, tuple[str, str]], attempt: int) -> None:
        """What a real cluster shows: FailedAttachVolume from the attach/detach controller, then the
        kubelet's FailedMount; the container waits in ContainerCreating with no sandbox (no pod IP)."""
        ns, name, uid = pod["metadata"]["namespace"], pod["metadata"]["name"], pod["metadata"]["uid"]
        self._attaching[uid] = (ns, name, {volume: attacher for volume, (_, attacher) in held.items()})

        def no_sandbox(obj: dict[str, Any]) -> None:
            status = obj.setdefault("status", {})
            status.pop("podIP", None)
            status.pop("podIPs", None)
            for cond in status.get("conditions") or []:
                if cond["type"] == "PodReadyToStartContainers" and cond.get("status") != "False":
                    cond.update(status="False", lastTransitionTime=self._now())

        self.store.mutate("pods", ns, name, no_sandbox)
        for volume in sorted(held):
            events.record(self.store, pod, "FailedAttachVolume",
                          f'Multi-Attach error for volume "{volume}" Volume is already exclusively attached to one node and can\'t be attached to another',
                          type_="Warning", component="attachdetach-controller")
        if attempt > 0:
            names = " ".join(sorted(v for v, _ in held.values()))
            events.record(self.store, pod, "FailedMount", f"Unable to attach or mount volumes: unmounted volumes=[{names}], unattached volumes=[{names}]: "
                          "timed out waiting for the condition", type_="Warning", host=pod["spec"]["nodeName"])
        retry = min(self.rt.timing.backoff_base * (2**attempt), ATTACH_RETRY_MAX)
        self.rt.timers.after(retry, f"kubelet/{uid}/{container}/start", functools.partial(self._pull, ns, name, uid, container, attempt + 1))

    def _retry_attach(self, volume: str) -> None:
        """A detached volume is attached to its waiting pod's node at the controller's next pass."""
        for uid, (ns, name, volumes) in list(self._attaching.items()):
            pod = self._current(ns, name, uid)
            if pod is None or volume not in volumes:
                continue
            for c in pod["spec"]["containers"]:
                self.rt.timers.after(self.rt.timing.container_start, f"kubelet/{uid}/{c['name']}/start", functools.partial(self._pull, ns, name, uid, c["name"], 1))

    def _attached(self, pod: dict[str, Any]) -> None:
        ns, name, uid = pod["metadata"]["namespace"], pod["metadata"]["name"], pod["metadata"]["uid"]
        _, _, volumes = self._attaching.pop(uid)
        node = pod["spec"]["nodeName"]
        for volume, attacher in volumes.items():
            if self.store.find(VOLUME_ATTACHMENTS, None, attachment_name(volume, attacher, node)) is None:
                self.store.create(volume_attachment(volume, node, attacher))
            events.record(self.store, pod, "SuccessfulAttachVolume", f'AttachVolume.Attach succeeded for volume "{volume}"', component="attachdetach-controller")

        def sandbox_ready(obj: dict[str, Any]) -> None:
            status = obj.setdefault("status", {})
            status["podIP"] = self._pod_ip(obj)
            status["podIPs"] = [{"ip": status["podIP"]}]
            for cond in status.get("conditions") or []:
                if cond["type"] == "PodReadyToStartContainers" and cond.get("status") != "True":
                    cond.update(status="True", lastTransitionTime=self._now())

        self.store.mutate("pods", ns, name, sandbox_ready)

    def _missing_config(self, pod: dict[str, Any], container: str) -> str | None:
        """The kubelet's words for a Secret or ConfigMap the container needs that does not exist."""
        ns = pod["metadata"]["namespace"]
        spec = next(c for c in pod["spec"]["containers"] if c["name"] == container)
        refs: list[tuple[str, str, bool]] = []
        for env in spec.get("env") or []:
            source = env.get("valueFrom") or {}
            for key, kind in (("secretKeyRef", "secret"), ("configMapKeyRef", "configmap")):
                if source.get(key):
                    refs.append((kind, source[key].get("name", ""), bool(source[key].get("optional"))))
        for env_from in spec.get("envFrom") or []:
            for key, kind in (("secretRef", "secret"), ("configMapRef", "configmap")):
                if env_from.get(key):
                    refs.append((kind, env_from[key].get("name", ""), bool(env_from[key].get("optional"))))
        for kind, ref_name, optional in refs:
            store_key = "secrets" if kind == "secret" else "configmaps"
            if not optional and self.store.find(store_key, ns, ref_name) is None:
                return f'{kind} "{ref_name}" not found'
        return None

    def _config_error(self, pod: dict[str, Any], container: str, message: str, attempt: int) -> None:
        """CreateContainerConfigError, retried with back-off until the object appears."""
        ns, name, uid = pod["metadata"]["namespace"], pod["metadata"]["name"], pod["metadata"]["uid"]

        def waiting(obj: dict[str, Any]) -> None:
            cs = next(s for s in obj["status"]["containerStatuses"] if s["name"] == container)
            cs["state"] = {"waiting": {"reason": "CreateContainerConfigError", "message": message}}

        self.store.mutate("pods", ns, name, waiting)
        events.record(self.store, pod, "Failed", f"Error: {message}", type_="Warning", host=pod["spec"]["nodeName"])
        backoff = min(self.rt.timing.backoff_base * (2**attempt), self.rt.timing.backoff_max)
        self.rt.timers.after(backoff, f"kubelet/{uid}/{container}/start", functools.partial(self._pull, ns, name, uid, container, attempt + 1))

    def _current(self, namespace: str, name: str, uid: str) -> dict[str, Any] | None:
        pod = self.store.find("pods", namespace, name)
        if pod is None or pod["metadata"]["uid"] != uid or pod["metadata"].get("deletionTimestamp"):
            return None
        return pod

    def _start(self, namespace: str, name: str, uid: str, container: str) -> None:
        pod = self._current(namespace, name, uid)
        if pod is None:
            return
        spec = next(c for c in pod["spec"]["containers"] if c["name"] == container)
        now = self._now()
        clock_now = self.rt.clock.now()
        for line in _app_lines(pod, spec):
            self.rt.logs.write(uid, container, clock_now, line)
        unready = self.rt.faults.for_container(pod, container, "unready")

        def run(obj: dict[str, Any]) -> None:
            cs = next(s for s in obj["status"]["containerStatuses"] if s["name"] == container)
            cs.update(state={"running": {"startedAt": now}}, started=True, ready=unready is None, containerID=f"containerd://{uid.replace('-', '')}{cs['restartCount']:02d}", imageID=f"{spec['image']}@sha256:{uid.replace('-', '')[:32]}")
            self._refresh_readiness(obj)

        self.store.mutate("pods", namespace, name, run)
        events.record(self.store, pod, "Created", f"Created container {container}", host=pod["spec"]["nodeName"])
        events.record(self.store, pod, "Started", f"Started container {container}", host=pod["spec"]["nodeName"])
        if unready is not None:
            events.record(self.store, pod, "Unhealthy", unready.message, type_="Warning", host=pod["spec"]["nodeName"])
        crash = self.rt.faults.for_container(pod, container, "crashloop")
        if pod["spec"].get("restartPolicy", "Always") != "Always":
            seconds = float((pod["metadata"].get("annotations") or {}).get(RUN_SECONDS, self.rt.timing.job_duration))
            self.rt.timers.after(seconds, f"kubelet/{uid}/{container}/finish", lambda: self._finish(namespace, name, uid, container))
        elif crash is not None:
            self.rt.timers.after(self.rt.timing.crash_after, f"kubelet/{uid}/{container}/crash", lambda: self._exit(namespace, name, uid, container, crash.exit_code, crash.message, crash.reason))

    def _finish(self, namespace: str, name: str, uid: str, container: str) -> None:
        pod = self._current(namespace, name, uid)
        if pod is None:
            return
        fault = self.rt.faults.for_container(pod, container, "jobfail") or self.rt.faults.for_container(pod, container, "crashloop")
        if fault is None:
            self.rt.logs.write(uid, container, self.rt.clock.now(), "done: completed successfully")
            self._exit(namespace, name, uid, container, 0, "")
        else:
            self._exit(namespace, name, uid, container, fault.exit_code, fault.message)

    def _exit(self, namespace: str, name: str, uid: str, container: str, code: int, message: str, reason: str = "Error") -> None:
        pod = self._current(namespace, name, uid)
        if pod is None:
            return
        now = self._now()
        if message:
            self.rt.logs.write(uid, container, self.rt.clock.now(), message)
        policy = pod["spec"].get("restartPolicy", "Always")
        restart = policy == "Always" or (policy == "OnFailure" and code != 0)
        cs_before = next(s for s in pod["status"]["containerStatuses"] if s["name"] == container)
        restarts = int(cs_before.get("restartCount", 0))
        backoff = min(self.rt.timing.backoff_base * (2 ** restarts), self.rt.timing.backoff_max)
        started = (cs_before.get("state", {}).get("running") or {}).get("startedAt", now)
        terminated = {"exitCode": code, "reason": "Completed" if code == 0 else reason, "startedAt": started, "finishedAt": now, "containerID": cs_before.get("containerID", "")}

        def stop(obj: dict[str, Any]) -> None:
            cs = next(s for s in obj["status"]["containerStatuses"] if s["name"] == container)
            cs["ready"] = False
            cs["started"] = False
            if restart:
                cs["lastState"] = {"terminated": terminated}
                cs["restartCount"] = restarts + 1
                cs["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": f"back-off {int(backoff)}s restarting failed container={container} pod={name}_{namespace}({uid})"}}
            else:
                cs["state"] = {"terminated": terminated}
            states = [s["state"] for s in obj["status"]["containerStatuses"]]
            if all("terminated" in s for s in states):
                obj["status"]["phase"] = "Succeeded" if all(s["terminated"]["exitCode"] == 0 for s in states) else "Failed"
            self._refresh_readiness(obj)
            if obj["status"]["phase"] in ("Succeeded", "Failed"):
                for cond in obj["status"]["conditions"]:
                    if cond["type"] in ("Ready", "ContainersReady"):
                        cond["reason"] = "PodCompleted"
                        cond.pop("message", None)

        self.store.mutate("pods", namespace, name, stop)
        if restart:
            self.rt.logs.restart(uid, container)
            events.record(self.store, pod, "BackOff", f"Back-off restarting failed container {container} in pod {name}_{namespace}({uid})", type_="Warning", host=pod["spec"]["nodeName"])
            self.rt.timers.after(backoff, f"kubelet/{uid}/{container}/start", lambda: self._start(namespace, name, uid, container))

    def _refresh_readiness(self, obj: dict[str, Any]) -> None:
        """Pod conditions from container states and the node's health (a NotReady node's pods are not ready)."""
        status = obj.get("status") or {}
        node = self.store.find("nodes", None, obj["spec"]["nodeName"])
        healthy = node is not None and node_ready(node)
        statuses = status.get("containerStatuses") or []
        if healthy:
            for cs in statuses:
                if "running" in cs.get("state", {}):
                    unready = self.rt.faults.for_container(obj, cs["name"], "unready")
                    cs["ready"] = unready is None
        else:
            for cs in statuses:
                cs["ready"] = False
        if status.get("phase") == "Pending" and any("running" in cs.get("state", {}) for cs in statuses):
            status["phase"] = "Running"
        if status.get("phase") == "Running" and statuses and all("terminated" in cs.get("state", {}) for cs in statuses):
            return
        ready = healthy and bool(statuses) and all(cs.get("ready") for cs in statuses)
        unready_names = " ".join(cs["name"] for cs in statuses if not cs.get("ready"))
        now = self._now()
        for cond in status.get("conditions") or []:
            if cond["type"] in ("Ready", "ContainersReady"):
                want = "True" if ready else "False"
                if cond.get("status") != want:
                    cond["status"] = want
                    cond["lastTransitionTime"] = now
                if ready:
                    cond.pop("reason", None)
                    cond.pop("message", None)
                elif status.get("phase") not in ("Succeeded", "Failed"):
                    cond["reason"] = "ContainersNotReady"
                    if cond["type"] == "Ready":
                        cond["message"] = f"containers with unready status: [{unready_names}]"

