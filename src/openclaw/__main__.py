from openclaw.cli.main import run

run()
