"""ArgoCD awareness: is an object managed by GitOps, so that a spec change would be reverted by self-heal?"""

from __future__ import annotations

from openclaw.ops.refs import Obj, annotations_of, labels_of

TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"
# ArgoCD's label tracking uses app.kubernetes.io/instance by default (Helm sets it too; treating a
# Helm-only object as tracked errs on the side of proposing rather than applying).
TRACKING_LABELS = ("argocd.argoproj.io/instance", "app.kubernetes.io/instance")


def tracked_by(obj: Obj | None) -> str | None:
    """A short description of the ArgoCD app that owns `obj`, or None when nothing tracks it."""
    if obj is None:
        return None
    tracking = annotations_of(obj).get(TRACKING_ANNOTATION)
    if tracking:
        app = tracking.split(":", 1)[0]
        return f"ArgoCD app {app} (annotation {TRACKING_ANNOTATION})"
    labels = labels_of(obj)
    for label in TRACKING_LABELS:
        if labels.get(label):
            return f"ArgoCD app {labels[label]} (label {label})"
    return None
