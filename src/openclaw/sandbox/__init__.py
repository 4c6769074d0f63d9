"""The embedded homelab: a Kubernetes API, media apps and an alert source on loopback ports."""
