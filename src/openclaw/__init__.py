"""openclaw: an AI operations agent for homelab Kubernetes.

Data flows one way: ingress (webhooks, UI, CLI, Slack, schedules) -> events -> incidents ->
runbooks or the agent -> policy -> actions -> audit log and notifications.
"""

__version__ = "0.1.0"
