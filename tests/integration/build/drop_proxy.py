"""A loopback TCP proxy in front of the real registry that drops one connection the way a network does:
when the Nth PATCH request starts, either before any of it reaches the registry, or after its headers and
`partial` bytes of its body."""

from __future__ import annotations

import contextlib
import socket
import threading


class DropProxy:
    def __init__(self, upstream: str, drop_patch: int, partial: int | None = None) -> None:
        host, _, port = upstream.rpartition(":")
        self.upstream = (host, int(port))
        self.drop_patch = drop_patch
        self.partial = partial  # None: drop before forwarding; N: forward headers and N body bytes, then drop
        self.patches = 0
        self.forwarded = 0  # client bytes that reached the registry
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.host = f"127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            threading.Thread(target=self._pump_up, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(upstream, client), daemon=True).start()

    def _pump_down(self, upstream: socket.socket, client: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := upstream.recv(65536):
                client.sendall(data)
        _close(client, upstream)

    def _pump_up(self, client: socket.socket, upstream: socket.socket) -> None:
        budget = None  # body bytes still forwarded before the drop
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                if budget is None and data.startswith(b"PATCH "):
                    with self.lock:
                        self.patches += 1
                        dropping = self.patches == self.drop_patch
                    if dropping and self.partial is None:
                        break
                    if dropping:
                        end = data.index(b"\r\n\r\n") + 4
                        budget = self.partial
                        self._send(upstream, data[:end])
                        data = data[end:]
                if budget is not None:
                    self._send(upstream, data[:budget])
                    budget -= len(data[:budget])
                    if budget <= 0:
                        break
                    continue
                self._send(upstream, data)
        _close(client, upstream)

    def _send(self, upstream: socket.socket, data: bytes) -> None:
        upstream.sendall(data)
        with self.lock:
            self.forwarded += len(data)


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
