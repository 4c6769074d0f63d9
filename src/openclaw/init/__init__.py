"""`openclaw init`: the init container's job — seed the workspace, install the pinned tools."""

from __future__ import annotations

from openclaw.init.tools import ToolInstallError, ToolOutcome, ToolResult, ToolSpec, ToolsManifest, install_tools, load_manifest
from openclaw.init.workspace import FileResult, Outcome, WorkspaceReport, manifest_path, seed_workspace

__all__ = [
    "FileResult",
    "Outcome",
    "ToolInstallError",
    "ToolOutcome",
    "ToolResult",
    "ToolSpec",
    "ToolsManifest",
    "WorkspaceReport",
    "install_tools",
    "load_manifest",
    "manifest_path",
    "seed_workspace",
]
