"""The gateway: the Starlette app, probes, webhooks, the WebSocket protocol, pairing."""
