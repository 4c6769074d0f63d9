"""The simulated API server's HTTP side: routing, bearer-token auth, uvicorn on a loopback port, kubeconfig."""

from __future__ import annotations

import base64
import contextlib
import hmac
import logging
import socket
from collections.abc import Awaitable, Callable, Generator
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from openclaw.sandbox.kube import errors
from openclaw.sandbox.kube.api import Api, status_response
from openclaw.sandbox.kube.errors import ApiError
from openclaw.sandbox.kube.openapi import gv_document
from openclaw.sandbox.kube.openapi import index as openapi_index
from openclaw.sandbox.kube.recorder import RecordedRequest, RequestLog
from openclaw.sandbox.kube.runtime import Runtime
from openclaw.sandbox.kube.tls import ServingCert

log = logging.getLogger(__name__)


def build_app(api: Api, token: str, requests: RequestLog | None = None) -> Starlette:
    """The Starlette app serving the Kubernetes REST paths for `api`, requiring `Authorization: Bearer <token>`.
    Every answered request is added to `requests` when given."""
    registry = api.store.registry

    def authorized(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and hmac.compare_digest(header[7:].encode(), token.encode())

    async def guarded(request: Request, handler: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await answer(request, handler)
        if requests is not None:
            requests.add(RecordedRequest(request.method, request.url.path, request.url.query, request.headers.get("content-type", ""), response.status_code, request.headers.get("user-agent", ""), api.store.clock.now(), bool(getattr(request.state, "dry_run", False))))
        return response

    async def answer(request: Request, handler: Callable[[Request], Awaitable[Response]]) -> Response:
        if not authorized(request):
            return status_response(ApiError(401, "Unauthorized", "Unauthorized"))
        try:
            return await handler(request)
        except ApiError as exc:
            return status_response(exc)

    async def version(request: Request) -> Response:
        async def h(_: Request) -> Response:
            return JSONResponse(api.version())

        return await guarded(request, h)

    async def core_versions(request: Request) -> Response:
        async def h(_: Request) -> Response:
            host = request.url.netloc
            return JSONResponse({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]})

        return await guarded(request, h)

    async def groups(request: Request) -> Response:
        async def h(_: Request) -> Response:
            return JSONResponse(registry.group_list())

        return await guarded(request, h)

    async def openapi(request: Request) -> Response:
        async def h(_: Request) -> Response:
            rest = request.path_params.get("rest", "")
            if rest == "v3":
                return JSONResponse(openapi_index(registry))
            parts = rest.split("/")
            doc = None
            if parts[:2] == ["v3", "api"] and len(parts) == 3:
                doc = gv_document(registry, "", parts[2])
            elif parts[:2] == ["v3", "apis"] and len(parts) == 4:
                doc = gv_document(registry, parts[2], parts[3])
            if doc is None:
                raise ApiError(404, "NotFound", "the server could not find the requested resource (only OpenAPI v3 discovery is served)")
            return JSONResponse(doc)

        return await guarded(request, h)

    async def resource(request: Request) -> Response:
        async def h(_: Request) -> Response:
            params = request.path_params
            group = params.get("group", "")
            version = params.get("version", "v1")
            parts = [p for p in params.get("rest", "").split("/") if p]
            if not parts:
                doc = registry.resource_list(group, version) if version else None
                if doc is None:
                    if group and registry.group_doc(group) is not None and not params.get("rest"):
                        return JSONResponse(registry.group_doc(group))
                    raise ApiError(404, "NotFound", "the server could not find the requested resource")
                return JSONResponse(doc)
            namespace: str | None = None
            if parts[0] == "namespaces" and len(parts) >= 3:
                candidate = registry.by_path(group, version, parts[2])
                if candidate is not None and candidate.namespaced:
                    namespace = parts[1]
                    parts = parts[2:]
            rtype = registry.by_path(group, version, parts[0])
            if rtype is None:
                raise ApiError(404, "NotFound", f"the server could not find the requested resource ({'/'.join(parts)})")
            if namespace is None and rtype.namespaced and len(parts) > 1:
                raise errors.bad_request(f"{rtype.plural} are namespaced: use /namespaces/<namespace>/{rtype.plural}/{parts[1]}")
            if len(parts) == 1:
                return await api.collection(request, rtype, namespace)
            return await api.item(request, rtype, namespace, parts[1], parts[2] if len(parts) > 2 else None)

        return await guarded(request, h)

    async def group_root(request: Request) -> Response:
        async def h(_: Request) -> Response:
            doc = registry.group_doc(request.path_params["group"])
            if doc is None:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return JSONResponse(doc)

        return await guarded(request, h)

    async def health(request: Request) -> Response:
        async def h(_: Request) -> Response:
            return PlainTextResponse("ok")

        return await guarded(request, h)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes = [
        Route("/healthz", health),
        Route("/livez", health),
        Route("/readyz", health),
        Route("/version", version),
        Route("/api", core_versions),
        Route("/apis", groups),
        Route("/openapi/{rest:path}", openapi),
        Route("/api/v1", resource, methods=methods),
        Route("/api/v1/{rest:path}", resource, methods=methods),
        Route("/apis/{group}", group_root),
        Route("/apis/{group}/{version}", resource, methods=methods),
        Route("/apis/{group}/{version}/{rest:path}", resource, methods=methods),
    ]
    return Starlette(routes=routes)


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process that embeds it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class KubeApiServer:
    """Serves `build_app` on a loopback port (0 picks a free one) in the running event loop."""

    def __init__(self, rt: Runtime, token: str, *, cert: ServingCert, host: str = "127.0.0.1", port: int = 0, bookmark_seconds: float = 60.0, requests: RequestLog | None = None) -> None:
        self.rt = rt
        self.cert = cert
        self.token = token
        self.host = host
        self.app = build_app(Api(rt, bookmark_seconds=bookmark_seconds), token, requests)
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only for sockets whose
        # proto says TCP; without it small responses wait ~40 ms for the client's delayed ACK (Nagle).
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.bind((host, port))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=1, ws="none", ssl_certfile=str(cert.cert_file), ssl_keyfile=str(cert.key_file))
        self._server = _QuietServer(config)
        self._task: Any = None

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    async def start(self) -> None:
        import asyncio

        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]), name="sandbox-kube-api")
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        self.rt.store.close_watches()
        self._server.should_exit = True
        if self._task is not None:
            await self._task
        self._sock.close()


def write_kubeconfig(path: Path, server: str, token: str, ca_pem: bytes, *, name: str = "openclaw-sandbox", namespace: str = "default") -> Path:
    """Write a kubeconfig for the sandbox (mode 0600) and return its path."""
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": base64.b64encode(ca_pem).decode()}}],
        "users": [{"name": name, "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name, "namespace": namespace}}],
        "current-context": name,
        "preferences": {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path
