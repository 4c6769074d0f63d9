# syntax=docker/dockerfile:1
# openclaw gateway image: ghcr.io/openclaw/openclaw:<version>
#
# Runs as user "node" (UID/GID 1000, home /home/node) with a read-only root filesystem: the
# program writes only to its state dir (/home/node/.openclaw, the PVC in the pod) and /tmp.
# Nothing is compiled or cached at run time (bytecode is compiled here, at build time).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- builder: a self-contained virtualenv with openclaw and its dependencies ----
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY src ./src
# Build a wheel of the project, install it (non-editable) with its dependencies, and compile the
# bytecode of everything in the venv now, so the read-only runtime never tries to write .pyc files.
# Left out of the runtime: pip and setuptools (nothing installs at run time) and kubernetes-validate's
# non-strict schemas (openclaw validates only strictly; about half of that package's size).
RUN /opt/venv/bin/pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ./ \
    && /opt/venv/bin/pip install --no-cache-dir /wheels/*.whl \
    && /opt/venv/bin/pip uninstall --yes --quiet pip setuptools \
    && find /opt/venv/lib/python3.11/site-packages/kubernetes_validate/kubernetes-json-schema \
         -mindepth 1 -maxdepth 1 -type d -name 'v*-local' -exec rm -rf {} + \
    && /opt/venv/bin/python -m compileall -q /opt/venv

# ---- runtime ----
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="openclaw" \
      org.opencontainers.image.description="AI operations agent for homelab Kubernetes" \
      org.opencontainers.image.source="https://github.com/openclaw/openclaw" \
      org.opencontainers.image.licenses="MIT"

# The base image ships the standard library without bytecode; compile it here so a read-only
# root does not make every start (and every exec probe) recompile it in memory.
RUN groupadd --gid 1000 node \
    && useradd --uid 1000 --gid 1000 --home-dir /home/node --create-home --shell /usr/sbin/nologin node \
    && install -d -o 1000 -g 1000 -m 0700 /home/node/.openclaw \
    && install -d -o 1000 -g 1000 -m 0755 /usr/local/bin/tools \
    && python -m compileall -q -j 0 "$(python -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"

COPY --from=builder /opt/venv /opt/venv

# PYTHONDONTWRITEBYTECODE: no __pycache__ writes into the read-only venv.
# XDG_*: anything a library caches goes to /tmp, never into $HOME (read-only in the pod).
# /usr/local/bin/tools: kubectl and kubeconform, installed by `openclaw init` (the init container).
ENV PATH="/opt/venv/bin:/usr/local/bin/tools:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/home/node \
    OPENCLAW_STATE_DIR=/home/node/.openclaw \
    XDG_CACHE_HOME=/tmp/.cache \
    XDG_CONFIG_HOME=/tmp/.config \
    TMPDIR=/tmp

USER 1000:1000
WORKDIR /home/node
EXPOSE 18789

# Checks the JSON body, not just the status (the same check as the pod's liveness probe).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-I", "-c", "import http.client,json,sys;c=http.client.HTTPConnection('127.0.0.1',18789,timeout=4);c.request('GET','/healthz');r=c.getresponse();sys.exit(0 if r.status==200 and json.loads(r.read()).get('ok') is True else 1)"]

ENTRYPOINT ["openclaw"]
CMD ["gateway"]
