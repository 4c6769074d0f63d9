#!/usr/bin/env bash
# Builds the openclaw image from the Dockerfile with podman, on a base made from Debian's own
# packages: debootstrap of bookworm (minbase) plus its python3.11, imported as $BASE_IMAGE and
# passed as the Dockerfile's PYTHON_IMAGE. Needs root (debootstrap, podman's default storage).
#
#   IMAGE        the tag to build (default ghcr.io/openclaw/openclaw:<the tag deploy/helm/values.yaml runs>)
#   BASE_IMAGE   the base's tag (default localhost/openclaw-base:bookworm-python3.11); made once,
#                reused while it exists (remove it to make it again)
#   PODMAN       the podman command with any global options (the tests pass --root/--runroot)
#   BUILD_CA     a CA bundle pip in the build must trust, for a network behind a TLS-inspecting
#                proxy (default: $PIP_CERT when set); mounted for the build only, never in the image
#   DEBIAN_MIRROR  default http://deb.debian.org/debian
set -euo pipefail
cd "$(dirname "$0")/../.."

tag=$(sed -n 's/^ *tag: "\(.*\)"$/\1/p' deploy/helm/values.yaml | head -n 1)
IMAGE=${IMAGE:-ghcr.io/openclaw/openclaw:${tag}}
BASE_IMAGE=${BASE_IMAGE:-localhost/openclaw-base:bookworm-python3.11}
read -r -a podman <<<"${PODMAN:-podman}"
BUILD_CA=${BUILD_CA:-${PIP_CERT:-}}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=build/image
mkdir -p "$work"

make_base() {
  local rootfs
  rootfs=$(mktemp -d "$PWD/$work/rootfs.XXXXXX")  # one per run: two builds may make a base at once
  mkdir -p "$work/debs"
  # python3-distutils: python3.11-venv depends on the python3.11-distutils it provides, which
  # debootstrap does not resolve by itself.
  debootstrap --variant=minbase --cache-dir="$PWD/$work/debs" \
    --include=python3.11,python3.11-venv,python3-distutils,python-is-python3,ca-certificates \
    bookworm "$rootfs" "$DEBIAN_MIRROR"
  # What an image never uses: package lists and downloaded .debs, docs, man pages, translations.
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/debootstrap \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
  tar --numeric-owner -C "$rootfs" -c . \
    | "${podman[@]}" import --change 'CMD ["python3"]' --change 'ENV LANG=C.UTF-8' - "$BASE_IMAGE"
  rm -rf "$rootfs"
}

if ! "${podman[@]}" image exists "$BASE_IMAGE"; then
  make_base
fi

mounts=()
if [ -n "$BUILD_CA" ]; then
  pip_conf=$(mktemp "$PWD/$work/pip.conf.XXXXXX")
  trap 'rm -f "$pip_conf"' EXIT
  printf '[global]\ncert = /run/build-ca/ca.crt\n' >"$pip_conf"
  chmod 0644 "$pip_conf"
  mounts+=(--volume "$(realpath "$BUILD_CA"):/run/build-ca/ca.crt:ro,z" --volume "$pip_conf:/etc/pip.conf:ro,z")
fi
# Host network for the build's pip (the RUN steps need only outbound HTTPS to the package index);
# chroot isolation runs the RUN steps without an OCI runtime or cgroups, so the build also works
# inside a container or a CI sandbox.
"${podman[@]}" build --isolation chroot --network host --build-arg "PYTHON_IMAGE=$BASE_IMAGE" "${mounts[@]}" -t "$IMAGE" .
echo "built $IMAGE"
