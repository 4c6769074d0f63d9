"""Image benchmark: how big `make image` makes the image, what takes the room, and how long it builds.

Builds with deploy/image/build.sh into a podman storage of its own (so the base is made too, as on
a fresh machine), then reads the sizes podman reports and the largest folders of the venv. Root is
needed (debootstrap, podman). Writes the "Image size" section of docs/BENCHMARKS.md.

    .venv/bin/python bench/image_size.py
"""

from __future__ import annotations

import datetime
import gzip
import os
import subprocess
import tempfile
import time
from pathlib import Path

from report import write_section  # bench/ is on sys.path when a script runs

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Image size"
IMAGE = "localhost/openclaw-bench:latest"
BASE = "localhost/openclaw-base:bookworm-python3.11"
TARGET_MB = 150


def mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="openclaw-image-bench-") as tmp:
        podman = ["podman", "--root", f"{tmp}/storage", "--runroot", f"{tmp}/run", "--runtime", "runc", "--cgroup-manager", "cgroupfs"]
        env = {**os.environ, "PODMAN": " ".join(podman), "IMAGE": IMAGE, "BASE_IMAGE": BASE}
        try:
            started = time.monotonic()
            subprocess.run([str(REPO / "deploy" / "image" / "build.sh")], env=env, cwd=REPO, check=True, capture_output=True)
            first = time.monotonic() - started
            # Again with the base in place and nothing else cached: what a rebuild after a code change costs.
            subprocess.run([*podman, "rmi", "--force", IMAGE], check=True, capture_output=True)
            subprocess.run([*podman, "image", "prune", "--force"], check=True, capture_output=True)
            started = time.monotonic()
            subprocess.run([str(REPO / "deploy" / "image" / "build.sh")], env=env, cwd=REPO, check=True, capture_output=True)
            rebuild = time.monotonic() - started

            def size(ref: str) -> int:
                out = subprocess.run([*podman, "image", "inspect", "--format", "{{.Size}}", ref], check=True, capture_output=True, text=True)
                return int(out.stdout.strip())

            image, base = size(IMAGE), size(BASE)
            archive = Path(tmp) / "image.tar"
            subprocess.run([*podman, "save", "--format", "oci-archive", "-o", str(archive), IMAGE], check=True, capture_output=True)
            with archive.open("rb") as raw:
                compressed = len(gzip.compress(raw.read(), compresslevel=6))
            du = subprocess.run([*podman, "run", "--rm", "--ulimit", "nofile=16384:16384", "--ulimit", "nproc=8192:8192",
                                 "--network", "none", "--entrypoint", "sh", IMAGE, "-c",
                                 # two du runs: one du counts a folder once, so the venv would hide its parts
                                 "du -sk /opt/venv; du -sk /opt/venv/lib/python3.11/site-packages/* | sort -rn | head -n 6"],
                                check=True, capture_output=True, text=True).stdout.split("\n")
        finally:
            # Not `podman system reset`: that also drops networks, which are host-wide, not per storage.
            subprocess.run([*podman, "rmi", "--all", "--force"], capture_output=True)
    rows = [line.split("\t") for line in du if line.strip()]
    parts = ", ".join(f"{Path(path).name} {int(kb) / 1000:.0f} MB" for kb, path in rows[1:])
    verdict = "met" if image < TARGET_MB * 1e6 else "**not met**"
    body = f"""Measured by `bench/image_size.py` ({datetime.date.today()}, podman {subprocess.run(['podman', '--version'], capture_output=True, text=True).stdout.split()[-1]},
2 CPUs x86_64, machine shared with other work). `make image` on a fresh storage: debootstrap of
bookworm minbase with python3.11 as the base, then the Dockerfile.

| Figure | Value | Target |
|---|---|---|
| Image, uncompressed (podman's size) | {mb(image)} | < {TARGET_MB} MB: {verdict} |
| of which the Debian base | {mb(base)} | |
| Image as one gzip'd archive (about what a registry stores) | {mb(compressed)} | |
| Build on a fresh machine (base + image) | {first:.0f} s | |
| Rebuild with the base in place | {rebuild:.0f} s | |

The venv is {int(rows[0][0]) / 1000:.0f} MB with its bytecode (compiled at build time for the read-only
root); the largest parts: {parts}. The Debian base (dpkg, apt, coreutils, libc, Python's standard
library) alone takes most of the 150 MB; the rest of the size is the dependencies, the model SDKs
and the Kubernetes schemas kept for strict validation first.
"""
    write_section(SECTION, body)
    print(body)


if __name__ == "__main__":
    main()
