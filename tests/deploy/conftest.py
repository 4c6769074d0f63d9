"""Fixtures for the deployment tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy_support import FileServer, serve_files


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[FileServer]:
    """A real HTTP server on 127.0.0.1 serving files the test puts there (tool downloads)."""
    root = tmp_path / "www"
    root.mkdir()
    with serve_files(root) as server:
        yield server
