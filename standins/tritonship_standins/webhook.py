"""A local webhook receiver (tests and the demo): records every JSON body POSTed to it.

    with WebhookReceiver() as hook:
        hook.url      # http://127.0.0.1:PORT/hooks/demo
        hook.bodies   # [{"text": ..., "event": ...}, ...]
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    def __init__(self, *, status: int = 200, path: str = "/hooks/demo",
                 on_body: Callable[[dict], None] | None = None) -> None:
        self.bodies: list[dict] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    body = {"invalid": True}
                receiver.bodies.append(body)
                if on_body is not None:
                    on_body(body)
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}{path}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook", daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()
