"""A loopback reverse proxy that makes the gateway see a remote client: an ingress or HTTPRoute
in front of the pod, for the browser tests and the CLI's `--url` tests."""

from __future__ import annotations

import socket
import threading


class ForwardingProxy:
    """A TCP reverse proxy that adds `X-Forwarded-For: <client_ip>` to every request it passes
    to the gateway, as an ingress or HTTPRoute does. Non-upgrade requests get `Connection: close`
    so each connection carries exactly one request and every request gets the header; WebSocket
    upgrades are passed through and then piped both ways."""

    def __init__(self, client_ip: str, upstream_port: int = 0) -> None:
        self.upstream_port = upstream_port  # may be set after the gateway it fronts has started
        self.client_ip = client_ip
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="forwarding-proxy", daemon=True)
        self._thread.start()

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _rewrite(self, head: bytes) -> bytes:
        lines = head.split(b"\r\n")
        upgrade = any(line.lower().startswith(b"upgrade:") for line in lines[1:])
        kept = [line for line in lines[1:] if not line.lower().startswith((b"x-forwarded-for:",) if upgrade else (b"x-forwarded-for:", b"connection:"))]
        extra = [f"X-Forwarded-For: {self.client_ip}".encode()]
        if not upgrade:
            extra.append(b"Connection: close")
        return b"\r\n".join([lines[0], *kept, *extra])

    def _handle(self, client: socket.socket) -> None:
        try:
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = client.recv(65536)
                if not chunk:
                    client.close()
                    return
                buf += chunk
            head, rest = buf.split(b"\r\n\r\n", 1)
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            client.close()
            return
        try:
            upstream.sendall(self._rewrite(head) + b"\r\n\r\n" + rest)
        except OSError:
            client.close()
            upstream.close()
            return
        back = threading.Thread(target=self._pipe, args=(upstream, client), daemon=True)
        back.start()
        self._pipe(client, upstream)
        back.join()
        client.close()
        upstream.close()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(2)
