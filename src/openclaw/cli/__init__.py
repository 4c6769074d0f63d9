"""The `openclaw` command line. Modules here import only typer at the top; everything heavy is
imported inside the command that needs it, so `openclaw --help` starts fast."""
