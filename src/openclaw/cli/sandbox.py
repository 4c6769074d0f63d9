"""`openclaw sandbox`: run the simulated homelab on its own (Kubernetes API, media apps, alert source)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def sandbox(
    scenario: Optional[Path] = typer.Option(None, "--scenario", help="A scenario YAML to play (see docs/scenarios.md)."),
    speed: float = typer.Option(1.0, "--speed", min=0.001, help="Simulated seconds per wall second."),
    state_dir: Optional[str] = typer.Option(None, "--state-dir", help="Where the kubeconfig goes (default: OPENCLAW_STATE_DIR or ~/.openclaw)."),
    hooks: Optional[str] = typer.Option(None, "--hooks", help="Base URL of a gateway's webhooks, e.g. http://127.0.0.1:18789/hooks."),
    hooks_token: Optional[str] = typer.Option(None, "--hooks-token", envvar="OPENCLAW_HOOKS_TOKEN", help="Token the apps send to --hooks."),
    until: Optional[str] = typer.Option(None, "--until", help="With --scenario: stop once 'expected' (alerts/webhooks seen) or 'outcome' holds; exit 1 if not."),
    json_out: bool = typer.Option(False, "--json", help="Print the endpoints (and the scenario result) as JSON."),
) -> None:
    """Run the sandbox homelab standalone; prints the kubeconfig path and the app URLs and keys."""
    import asyncio

    from openclaw.cli.output import fail, print_json
    from openclaw.config import paths
    from openclaw.sandbox import scenario as scenarios
    from openclaw.sandbox.embedded import describe, kubeconfig_path
    from openclaw.sandbox.runtime import Sandbox, SandboxOptions

    if until not in (None, "expected", "outcome"):
        fail(f"--until: expected 'expected' or 'outcome', got {until!r}", code=2)
    if until and not scenario:
        fail("--until needs --scenario", code=2)
    loaded = None
    if scenario is not None:
        try:
            loaded = scenarios.load(scenario)
        except scenarios.ScenarioError as exc:
            fail(str(exc), code=2)
    kubeconfig = kubeconfig_path(paths.ensure_private_dir(paths.state_dir(state_dir)))

    async def main() -> int:
        box = Sandbox(SandboxOptions(speed=speed, kubeconfig=kubeconfig))
        await box.start()
        if hooks:
            box.send_webhooks_to(hooks, hooks_token)
        info = describe(box)
        if json_out and until is None:
            print_json(info)
        elif not json_out:
            typer.echo(f"sandbox homelab running (speed x{speed:g}); kubeconfig: {info['kubeconfig']}")
            typer.echo(f"  try: kubectl --kubeconfig {info['kubeconfig']} get pods -A")
            for app, entry in info["media"].items():
                secret = f"apiKey {entry['apiKey']}" if "apiKey" in entry else f"login {entry['username']} / {entry['password']}"
                typer.echo(f"  {app:<12} {entry['url']}  ({secret})")
            typer.echo(f"  {'kubernetes':<12} {info['urls']['kubernetes']}")
        try:
            if loaded is not None and until is not None:
                result = await scenarios.play(box, loaded, until="expected" if until == "expected" else "outcome")
                report = result.expectations if until == "expected" else result.outcome
                if json_out:
                    print_json({**info, "scenario": result.name, "ok": report.ok, "problems": report.problems, "simulatedSeconds": result.elapsed})
                else:
                    typer.echo(f"scenario {result.name}: {'ok' if report.ok else 'NOT met'} after {result.elapsed:.0f} simulated seconds")
                    for problem in report.problems:
                        typer.echo(f"  - {problem}")
                return 0 if report.ok else 1
            if loaded is not None:
                scenarios.ScenarioRun(loaded, box).install()
                typer.echo(f"scenario {loaded.name}: faults scheduled; Ctrl-C to stop")
            await asyncio.Event().wait()
            return 0
        finally:
            await box.stop()

    try:
        code = asyncio.run(main())
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
