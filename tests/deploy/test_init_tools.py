"""`openclaw init` installs pinned tools from their URLs, verified by sha256, idempotently."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import yaml
from typer.testing import CliRunner

from openclaw.cli.main import app

from deploy_support import FileServer

KUBECTL = b"\x7fELF fake kubectl build\n" * 100
KUBECONFORM = b"\x7fELF fake kubeconform build\n" * 100


def tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def write_manifest(path: Path, tools: list[dict[str, object]]) -> Path:
    path.write_text(yaml.safe_dump({"tools": tools}))
    return path


def standard_tools(server: FileServer) -> list[dict[str, object]]:
    kubectl_sum = server.put("kubectl", KUBECTL)
    archive_sum = server.put("kubeconform-linux-amd64.tar.gz", tar_gz({"LICENSE": b"Apache-2.0\n", "kubeconform": KUBECONFORM}))
    return [
        {"name": "kubectl", "url": server.url("kubectl"), "sha256": kubectl_sum, "mode": "0755"},
        {"name": "kubeconform", "url": server.url("kubeconform-linux-amd64.tar.gz"), "sha256": archive_sum, "archive": "tar.gz", "member": "kubeconform"},
    ]


def run_init(tmp_path: Path, manifest: Path) -> tuple[int, dict]:
    args = ["init", "--state-dir", str(tmp_path / "state"), "--tools-manifest", str(manifest), "--tools-dir", str(tmp_path / "tools"), "--json"]
    result = CliRunner().invoke(app, args)
    return result.exit_code, json.loads(result.stdout)


def test_tools_are_downloaded_verified_and_made_executable(tmp_path: Path, file_server: FileServer) -> None:
    manifest = write_manifest(tmp_path / "tools.yaml", standard_tools(file_server))
    code, out = run_init(tmp_path, manifest)
    assert code == 0, out
    assert [(r["name"], r["outcome"]) for r in out["tools"]["results"]] == [("kubectl", "installed"), ("kubeconform", "installed")]
    tools = tmp_path / "tools"
    assert (tools / "kubectl").read_bytes() == KUBECTL
    assert (tools / "kubeconform").read_bytes() == KUBECONFORM
    assert (tools / "kubectl").stat().st_mode & 0o777 == 0o755
    assert (tools / "kubeconform").stat().st_mode & 0o777 == 0o755
    assert not (tools / "LICENSE").exists()  # only the named member is extracted
    assert not [p.name for p in tools.iterdir() if p.name.endswith((".download", ".extract", ".tmp"))]


def test_a_rerun_with_the_tools_present_downloads_nothing(tmp_path: Path, file_server: FileServer) -> None:
    manifest = write_manifest(tmp_path / "tools.yaml", standard_tools(file_server))
    run_init(tmp_path, manifest)
    file_server.requests.clear()
    code, out = run_init(tmp_path, manifest)
    assert code == 0
    assert [r["outcome"] for r in out["tools"]["results"]] == ["present", "present"]
    assert file_server.requests == []


def test_a_tampered_installed_tool_is_replaced(tmp_path: Path, file_server: FileServer) -> None:
    manifest = write_manifest(tmp_path / "tools.yaml", standard_tools(file_server))
    run_init(tmp_path, manifest)
    (tmp_path / "tools" / "kubeconform").write_bytes(b"something else")
    code, out = run_init(tmp_path, manifest)
    assert code == 0
    assert [r["outcome"] for r in out["tools"]["results"]] == ["present", "installed"]
    assert (tmp_path / "tools" / "kubeconform").read_bytes() == KUBECONFORM


def test_a_checksum_mismatch_fails_and_leaves_no_file(tmp_path: Path, file_server: FileServer) -> None:
    tools = standard_tools(file_server)
    wrong = hashlib.sha256(b"what the manifest pinned").hexdigest()
    tools[0]["sha256"] = wrong
    code, out = run_init(tmp_path, write_manifest(tmp_path / "tools.yaml", tools))
    assert code == 1 and out["ok"] is False
    failed = out["tools"]["results"][0]
    assert failed["outcome"] == "failed"
    assert "sha256 mismatch" in failed["detail"] and wrong in failed["detail"]
    assert hashlib.sha256(KUBECTL).hexdigest() in failed["detail"]
    assert out["errors"] == [failed["detail"]]
    # the other tool still installs; the failed one leaves nothing behind, not even a temp file
    assert out["tools"]["results"][1]["outcome"] == "installed"
    assert sorted(p.name for p in (tmp_path / "tools").iterdir()) == [".openclaw-tools.json", "kubeconform"]


def test_a_checksum_mismatch_keeps_the_previously_installed_version(tmp_path: Path, file_server: FileServer) -> None:
    tools = standard_tools(file_server)
    run_init(tmp_path, write_manifest(tmp_path / "tools.yaml", tools))
    file_server.put("kubectl-next", b"a newer build")
    tools[0] = {**tools[0], "url": file_server.url("kubectl-next"), "sha256": "0" * 64}
    code, _ = run_init(tmp_path, write_manifest(tmp_path / "tools.yaml", tools))
    assert code == 1
    assert (tmp_path / "tools" / "kubectl").read_bytes() == KUBECTL


def test_a_download_error_is_reported_with_the_url(tmp_path: Path, file_server: FileServer) -> None:
    tools = [{"name": "kubectl", "url": file_server.url("missing"), "sha256": "a" * 64}]
    code, out = run_init(tmp_path, write_manifest(tmp_path / "tools.yaml", tools))
    assert code == 1
    assert "HTTP 404" in out["errors"][0] and file_server.url("missing") in out["errors"][0]
    assert [p.name for p in (tmp_path / "tools").iterdir() if not p.name.startswith(".openclaw")] == []


def test_an_archive_without_the_named_member_is_refused(tmp_path: Path, file_server: FileServer) -> None:
    digest = file_server.put("other.tar.gz", tar_gz({"README": b"no binary here"}))
    tools = [{"name": "kubeconform", "url": file_server.url("other.tar.gz"), "sha256": digest, "archive": "tar.gz"}]
    code, out = run_init(tmp_path, write_manifest(tmp_path / "tools.yaml", tools))
    assert code == 1
    assert "no member 'kubeconform'" in out["errors"][0]
    assert not (tmp_path / "tools" / "kubeconform").exists()


def test_a_bad_manifest_names_the_field(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "tools.yaml", [{"name": "kubectl", "url": "ftp://x/kubectl", "sha256": "abc"}])
    code, out = run_init(tmp_path, manifest)
    assert code == 1
    assert "tools.0.url" in out["errors"][0] and "tools.0.sha256" in out["errors"][0]
    assert not (tmp_path / "tools").exists()


def test_a_tool_name_with_a_path_is_refused(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "tools.yaml", [{"name": "../kubectl", "url": "https://example.invalid/k", "sha256": "a" * 64}])
    code, out = run_init(tmp_path, manifest)
    assert code == 1 and "tools.0.name" in out["errors"][0]


def test_the_shipped_tools_manifest_pins_kubectl_and_kubeconform() -> None:
    from openclaw.init import load_manifest

    from deploy_support import DEPLOY

    manifest = load_manifest(DEPLOY / "kustomize" / "config" / "tools.yaml")
    by_name = {t.name: t for t in manifest.tools}
    assert set(by_name) == {"kubectl", "kubeconform"}
    assert all(t.url.startswith("https://") for t in manifest.tools)
    assert by_name["kubeconform"].archive == "tar.gz"


def test_an_unquoted_yaml_mode_means_the_same_octal_mode(tmp_path: Path, file_server: FileServer) -> None:
    digest = file_server.put("kubectl", KUBECTL)
    manifest = tmp_path / "tools.yaml"
    manifest.write_text(f"tools:\n  - name: kubectl\n    url: {file_server.url('kubectl')}\n    sha256: {digest}\n    mode: 0750\n")
    code, _ = run_init(tmp_path, manifest)
    assert code == 0
    assert (tmp_path / "tools" / "kubectl").stat().st_mode & 0o777 == 0o750


def test_a_damaged_install_record_only_means_tools_are_checked_again(tmp_path: Path, file_server: FileServer) -> None:
    manifest = write_manifest(tmp_path / "tools.yaml", standard_tools(file_server))
    run_init(tmp_path, manifest)
    (tmp_path / "tools" / ".openclaw-tools.json").write_text('{"kubeconform": "not an object"}')
    code, out = run_init(tmp_path, manifest)
    assert code == 0
    assert [r["outcome"] for r in out["tools"]["results"]] == ["present", "installed"]
