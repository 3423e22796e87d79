"""A local stand-in for Grafana's annotations HTTP API (tests and the demo), as strict as Grafana.

Mirrors pkg/api/annotations.go (`POST /api/annotations`, `GET /api/annotations`) of Grafana's legacy
HTTP API: a service account token in `Authorization: Bearer <token>` (else 401), the permission
`annotations:create` (else 403), a JSON body decoded into PostAnnotationsCmd — `time`/`timeEnd` int64
epoch milliseconds, `tags` a list of strings, `text` a non-empty string (else 400 "Failed to save
annotation"), unknown fields ignored as Go's encoding/json does; success is 200
`{"message": "Annotation added", "id": N}`. `time` 0 or absent means now. Annotations without a
`dashboardUID` are organization annotations; `GET /api/annotations?tags=a&tags=b` returns those carrying
every tag (AND), newest first — what a dashboard's Grafana-datasource annotation query by tags shows.

    with GrafanaStandIn(token="glsa_x") as grafana:
        grafana.url          # http://127.0.0.1:PORT
        grafana.annotations  # [{"id": 1, "time": ..., "tags": [...], "text": ...}, ...]
        grafana.requests     # every request: method, path, headers, raw body
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_INT64 = (-(2**63), 2**63 - 1)


def decode_command(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """PostAnnotationsCmd from the body, or (None, why) as Grafana's JSON binding refuses it."""
    try:
        doc = json.loads(raw or b"null")
    except ValueError:
        return None, "bad request data"
    if not isinstance(doc, dict) or not _binds(doc):
        return None, "bad request data"
    if not doc.get("text"):
        return None, "Failed to save annotation"  # "text field should not be empty"
    return doc, ""


def _binds(doc: dict[str, Any]) -> bool:
    """Whether Go's encoding/json would decode `doc` into PostAnnotationsCmd (types, int64 range)."""
    for key in ("time", "timeEnd", "dashboardId", "panelId"):
        value = doc.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or not _INT64[0] <= value <= _INT64[1]:
            return False
    tags = doc.get("tags", [])
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        return False
    return all(doc.get(key) is None or isinstance(doc[key], str) for key in ("text", "dashboardUID"))


class GrafanaStandIn:
    def __init__(self, *, token: str, can_create: bool = True, status: int | None = None) -> None:
        self.token, self.can_create, self.status = token, can_create, status
        self.annotations: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        grafana = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                grafana.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers),
                                         "body": raw})
                self._answer(*grafana.create(self.path, self.headers.get("Authorization"), raw))

            def do_GET(self) -> None:
                self._answer(*grafana.find(self.path, self.headers.get("Authorization")))

            def _answer(self, status: int, doc: Any) -> None:
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="grafana", daemon=True)

    def _authorized(self, header: str | None) -> bool:
        return header == f"Bearer {self.token}"

    def create(self, path: str, authorization: str | None, raw: bytes) -> tuple[int, dict]:
        if urlsplit(path).path != "/api/annotations":
            return 404, {"message": "Not found"}
        if self.status is not None:
            return self.status, {"message": "stand-in failure"}
        if not self._authorized(authorization):
            return 401, {"message": "Unauthorized"}
        if not self.can_create:
            return 403, {"message": "You'll need additional permissions to perform this action. "
                                    "Permissions needed: annotations:create"}
        cmd, why = decode_command(raw)
        if cmd is None:
            return 400, {"message": why}
        item = {"id": len(self.annotations) + 1, "time": cmd.get("time") or int(time.time() * 1000),
                "timeEnd": cmd.get("timeEnd") or 0, "tags": list(cmd.get("tags") or []), "text": cmd["text"],
                "dashboardUID": cmd.get("dashboardUID") or ""}
        self.annotations.append(item)
        return 200, {"message": "Annotation added", "id": item["id"]}

    def find(self, path: str, authorization: str | None) -> tuple[int, Any]:
        if not self._authorized(authorization):
            return 401, {"message": "Unauthorized"}
        wanted = parse_qs(urlsplit(path).query).get("tags", [])
        found = [a for a in self.annotations if all(t in a["tags"] for t in wanted)]
        return 200, sorted(found, key=lambda a: (-a["time"], -a["id"]))

    def __enter__(self) -> GrafanaStandIn:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()
