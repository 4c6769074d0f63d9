"""The app object's own layer: what every capability builds on and none owns (notices, ...)."""
