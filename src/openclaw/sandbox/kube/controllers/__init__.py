"""Controllers that make the simulated cluster live, each reacting to store changes."""
