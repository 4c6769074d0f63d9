"""`openclaw eval`: the shipped scenarios (or any folder of them) end to end, each on a fresh
sandbox homelab with a fresh gateway and the configured brain, judged and reported."""
