"""A minimal Docker token service (the Bearer half of registry auth) for a real `docker-registry`.

The registry is the real Debian one, configured with `auth: token`; this stands in for the token
service a hosted registry runs. It checks Basic credentials and issues RS256 JWTs signed with
openssl, carrying the cert in `x5c` so the registry verifies them against its `rootcertbundle`.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ISSUER = "tritonship-test-issuer"
SERVICE = "tritonship-test-registry"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_cert(directory: Path) -> tuple[Path, Path]:
    key, cert = directory / "token.key", directory / "token.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=tritonship-test-token"], check=True, capture_output=True)
    return key, cert


def _cert_der(cert: Path) -> bytes:
    return subprocess.run(["openssl", "x509", "-in", str(cert), "-outform", "DER"], check=True,
                          capture_output=True).stdout


class TokenService:
    def __init__(self, directory: Path, user: str, password: str) -> None:
        self.key, self.cert = make_cert(directory)
        self.x5c = base64.b64encode(_cert_der(self.cert)).decode()
        self.user, self.password = user, password
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TokenService:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def token(self, scope: str | None) -> str:
        access = []
        if scope:
            kind, name, actions = scope.split(":", 2)
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "x5c": [self.x5c]}
        claims = {"iss": ISSUER, "sub": self.user, "aud": SERVICE, "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": uuid.uuid4().hex, "access": access}
        payload = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", str(self.key)], input=payload.encode(),
                                   check=True, capture_output=True).stdout
        return f"{payload}.{_b64url(signature)}"

    def _handler(self):
        service = self
        expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = parse_qs(urlparse(self.path).query)
                service.requests.append({k: v[0] for k, v in query.items()})
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.end_headers()
                    return
                body = json.dumps({"token": service.token(query.get("scope", [None])[0])}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args) -> None:
                pass

        return Handler


def token_auth_config(service: TokenService) -> str:
    return (f"auth:\n  token:\n    realm: {service.url}\n    service: {SERVICE}\n    issuer: {ISSUER}\n"
            f"    rootcertbundle: {service.cert}\n")
