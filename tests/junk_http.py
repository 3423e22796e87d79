"""A local HTTP server that answers what the test tells it to: an HTML login page by default (a proxy or SSO
portal in front of the API), or fixed bytes and headers for a path. For tests of "an endpoint that does not
speak its protocol"."""

from __future__ import annotations

import http.server
import threading
from contextlib import contextmanager

LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>login</body></html>"


@contextmanager
def junk_server(routes: dict[str, tuple[int, dict[str, str], bytes]] | None = None):
    """Yield the base URL; `routes` maps a path to (status, headers, body); anything else gets LOGIN_PAGE."""
    routes = routes or {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            status, headers, body = routes.get(self.path, (200, {"Content-Type": "text/html"}, LOGIN_PAGE))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
