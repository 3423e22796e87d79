"""A small OCI distribution API client: ping, manifests, blobs, pushes, with auth and retries.

`RegistryClient(host, insecure=..., credentials=...)` talks to `https://host/v2/` (plain HTTP only with
`insecure=True`, meant for loopback registries). Basic auth and the Bearer token flow are answered
from the `WWW-Authenticate` challenge. Connection errors, 429 and 5xx are retried by tritonship/retry.py
(capped exponential backoff); what still fails becomes `InfraError` (exit 3). Credentials never appear in a message.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin

from tritonship.errors import InfraError
from tritonship.image.auth import Challenge, parse_challenge, token_from_response, token_scope
from tritonship.image.credentials import Credentials
from tritonship.image.reference import ImageRef, parse_reference
from tritonship.image.verify import check_distribution_api, check_manifest, is_digest
from tritonship.retry import RETRY_STATUS, RetryPolicy, call_with_retries

if TYPE_CHECKING:
    import requests

__all__ = ["MANIFEST_TYPES", "ImageRef", "Manifest", "RegistryClient", "parse_reference"]

MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
_RETRY_STATUS = RETRY_STATUS


@dataclass(frozen=True)
class Manifest:
    media_type: str
    digest: str
    body: bytes

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


class RegistryClient:
    def __init__(
        self,
        host: str,
        *,
        insecure: bool = False,
        credentials: Credentials | None = None,
        session: requests.Session | None = None,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import requests

        self.host = host
        self.base = f"{'http' if insecure else 'https'}://{host}"
        self.credentials = credentials
        self.session = session or requests.Session()
        self._local = threading.local()  # parallel uploads: one session (connection pool) per thread
        self._local.session = self.session
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self.sleep = sleep
        self._authorization: dict[str, str] = {}  # scope -> Authorization header

    # -- public API ---------------------------------------------------------------------------------
    def ping(self) -> None:
        """Raise InfraError unless the registry answers /v2/ (authenticating when it asks) as a distribution API."""
        response = self._request("GET", "/v2/", scope="")
        check_distribution_api(self.host, response.headers, response.content)

    def manifest_digest(self, repository: str, reference: str) -> str | None:
        """The manifest digest that `reference` (tag or digest) names, or None when it does not exist."""
        response = self._request("HEAD", _manifest_path(repository, reference), scope=_pull(repository),
                                 headers={"Accept": ", ".join(MANIFEST_TYPES)}, allow={404})
        if response.status_code == 404:
            return None
        digest = response.headers.get("Docker-Content-Digest")
        if digest and not is_digest(reference):
            return digest
        return self.get_manifest(repository, reference).digest  # by digest: fetched, hashed, compared

    def get_manifest(self, repository: str, reference: str) -> Manifest:
        response = self._request("GET", _manifest_path(repository, reference), scope=_pull(repository),
                                 headers={"Accept": ", ".join(MANIFEST_TYPES)}, allow={404})
        if response.status_code == 404:
            raise InfraError(f"{self.host}/{repository}:{reference}: no such manifest in the registry")
        body = response.content
        digest, media_type = check_manifest(self.host, repository, reference, response.headers, body,
                                            media_types=MANIFEST_TYPES)
        return Manifest(media_type, digest, body)

    def get_blob(self, repository: str, digest: str) -> bytes:
        response = self._request("GET", f"/v2/{repository}/blobs/{digest}", scope=_pull(repository), allow={404})
        if response.status_code == 404:
            raise InfraError(f"{self.host}/{repository}: no blob {digest}")
        data = response.content
        if digest.startswith("sha256:") and hashlib.sha256(data).hexdigest() != digest[7:]:
            raise InfraError(f"{self.host}/{repository}: blob {digest} arrived corrupted")
        return data

    def open_blob(self, repository: str, digest: str) -> requests.Response:
        """GET a blob as a stream (the caller reads `iter_content`, verifies the digest and closes it)."""
        response = self._request("GET", f"/v2/{repository}/blobs/{digest}", scope=_pull(repository), allow={404},
                                 stream=True)
        if response.status_code == 404:
            response.close()
            raise InfraError(f"{self.host}/{repository}: no blob {digest}")
        return response

    def get_config(self, repository: str, reference: str) -> dict[str, Any]:
        """The image config (labels, entrypoint, env...) of a single-platform image."""
        manifest = self.get_manifest(repository, reference).json()
        if "config" not in manifest:
            raise InfraError(f"{self.host}/{repository}:{reference} is an index, not a single image")
        return json.loads(self.get_blob(repository, manifest["config"]["digest"]))

    def blob_exists(self, repository: str, digest: str) -> bool:
        response = self._request("HEAD", f"/v2/{repository}/blobs/{digest}", scope=_pull(repository), allow={404})
        return response.status_code != 404

    def upload_blob(self, repository: str, digest: str, source: Path | bytes) -> None:
        """Monolithic upload (POST then PUT ?digest=); the registry verifies the digest."""
        scope = _push(repository)
        start = self._request("POST", f"/v2/{repository}/blobs/uploads/", scope=scope, expect={202})
        self.finish_upload(repository, urljoin(self.base + "/", start.headers.get("Location", "")), digest, source)

    def start_upload(self, repository: str, mount: str | None = None, from_repository: str | None = None) -> str | None:
        """POST /v2/<name>/blobs/uploads/, with `?mount=<digest>&from=<repo>` for a cross-repository mount.

        Returns None when the registry mounted the blob (201), else the upload session's URL (202): a registry
        that cannot mount starts an ordinary upload instead (OCI distribution spec, "Mounting a blob").
        """
        query = f"?{urlencode({'mount': mount, 'from': from_repository})}" if mount and from_repository else ""
        scope = _push(repository) + (f" {_pull(from_repository)}" if query else "")
        response = self._request("POST", f"/v2/{repository}/blobs/uploads/{query}", scope=scope, expect={201, 202})
        if response.status_code == 201:
            return None
        return urljoin(self.base + "/", response.headers.get("Location", ""))

    def upload_chunk(self, repository: str, location: str, data: bytes, start: int) -> str:
        """PATCH one chunk at `start` (Content-Range, inclusive); returns the URL for the next request.

        Not retried here: after a dropped connection the registry may hold part of the chunk, so the caller
        asks `upload_offset` where to resume.
        """
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(len(data)),
                   "Content-Range": f"{start}-{start + len(data) - 1}"}
        response = self._request("PATCH", location, scope=_push(repository), headers=headers, body=data,
                                 expect={202}, retry=False)
        return urljoin(self.base + "/", response.headers.get("Location", location))

    def upload_offset(self, repository: str, location: str) -> tuple[int, str] | None:
        """GET the upload's status: (bytes the registry holds, URL for the next request), None when the
        registry no longer knows the upload (BLOB_UPLOAD_UNKNOWN / BLOB_UPLOAD_INVALID)."""
        response = self._request("GET", location, scope=_push(repository), expect={204}, allow={400, 404})
        if response.status_code != 204:
            return None
        end = response.headers.get("Range", "").rpartition("-")[2]
        offset = int(end) + 1 if end.isdigit() and int(end) > 0 else 0  # distribution says 0-0 for nothing held
        return offset, urljoin(self.base + "/", response.headers.get("Location", location))

    def finish_upload(self, repository: str, location: str, digest: str, body: Path | bytes = b"") -> None:
        """PUT <location>?digest=: closes the upload (with its last bytes, if any); the registry checks the digest."""
        separator = "&" if "?" in location else "?"
        size = body.stat().st_size if isinstance(body, Path) else len(body)
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        self._request("PUT", location + separator + urlencode({"digest": digest}), scope=_push(repository),
                      headers=headers, body=body, expect={201})

    def put_manifest(self, repository: str, reference: str, body: bytes, media_type: str) -> str:
        """PUT a manifest under a digest or tag; returns its digest."""
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        self._request("PUT", _manifest_path(repository, reference), scope=_push(repository),
                      headers={"Content-Type": media_type}, body=body, expect={201})
        return digest

    # -- transport ----------------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path_or_url: str,
        *,
        scope: str,
        headers: dict[str, str] | None = None,
        body: Path | bytes | None = None,
        allow: set[int] | frozenset[int] = frozenset(),
        expect: set[int] | None = None,
        retry: bool = True,
        stream: bool = False,
    ) -> requests.Response:
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.base + path_or_url
        retries = self.retries if retry else 0
        response = self._send(method, url, scope, headers, body, retries=retries, stream=stream)
        if response.status_code == 401:
            self._authorize(response, scope)
            response = self._send(method, url, scope, headers, body, retries=retries, stream=stream)
            if response.status_code == 401:
                raise self._rejected(scope)
        if response.status_code == 403:
            raise InfraError(f"registry {self.host} denied access ({scope or 'catalog'})",
                             hint="the credentials are valid but lack permission for this repository")
        ok = expect or set(range(200, 300))
        if response.status_code not in ok and response.status_code not in allow:
            raise InfraError(f"registry {self.host}: {method} {_path_of(url)} answered "
                             f"HTTP {response.status_code}{_error_detail(response)}")
        return response

    def _send(self, method: str, url: str, scope: str, headers: dict[str, str] | None,
              body: Path | bytes | None, *, retries: int, stream: bool = False) -> requests.Response:
        import requests

        all_headers = dict(headers or {})
        if scope in self._authorization or "" in self._authorization:
            all_headers["Authorization"] = self._authorization.get(scope, self._authorization.get("", ""))
        policy = RetryPolicy(attempts=retries + 1, backoff=self.backoff, max_backoff=self.max_backoff,
                             retry_status=_RETRY_STATUS)
        try:
            return call_with_retries(lambda: self._once(method, url, all_headers, body, stream), policy,
                                     sleep=self.sleep, retryable=_transient, status=lambda r: r.status_code)
        except requests.exceptions.SSLError as exc:
            raise InfraError(f"TLS handshake with registry {self.host} failed",
                             hint="a private CA: --ca-file / image.ca_file; a plain-HTTP loopback registry: "
                                  "--insecure-registry") from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise InfraError(f"cannot reach registry {self.base} after {retries + 1} attempts",
                             hint="check the address, and that the registry is running") from exc

    def _once(self, method: str, url: str, headers: dict[str, str], body: Path | bytes | None,
              stream: bool = False) -> requests.Response:
        session = self._thread_session()
        if isinstance(body, Path):
            with body.open("rb") as handle:
                return session.request(method, url, headers=headers, data=handle, timeout=self.timeout,
                                       verify=session.verify)
        # verify per request: requests lets REQUESTS_CA_BUNDLE override a session's own CA file (psf/requests#3829)
        return session.request(method, url, headers=headers, data=body, timeout=self.timeout, verify=session.verify,
                               stream=stream)

    def _thread_session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = self._local.session = requests.Session()
            session.verify, session.proxies = self.session.verify, self.session.proxies
        return session

    def _authorize(self, response: requests.Response, scope: str) -> None:
        challenge = parse_challenge(response.headers.get("WWW-Authenticate"))
        if challenge is None or (self.credentials is None and challenge.scheme == "basic"):
            raise self._rejected(scope)
        if challenge.scheme == "basic":
            self._authorization[""] = self.credentials.basic()  # basic covers every scope
        elif challenge.scheme == "bearer":
            self._authorization[scope] = "Bearer " + self._fetch_token(challenge, scope)
        else:
            raise InfraError(f"registry {self.host} asks for unsupported auth scheme {challenge.scheme!r}")

    def _fetch_token(self, challenge: Challenge, scope: str) -> str:
        import requests

        realm = challenge.params.get("realm")
        if not realm:
            raise InfraError(f"registry {self.host} sent a Bearer challenge without a realm")
        # several scopes (a mount also pulls from the source repository) go as repeated `scope` parameters
        query = {k: v for k, v in (("service", challenge.params.get("service")), ("scope", scope.split())) if v}
        headers = {"Authorization": self.credentials.basic()} if self.credentials else {}
        try:
            answer = self._thread_session().get(realm, params=query, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise InfraError(f"cannot reach the token server of registry {self.host}") from exc
        if answer.status_code != 200:
            raise self._rejected(scope)
        try:
            token = token_from_response(answer.json())
        except ValueError:
            token = None
        if not token:
            raise InfraError(f"the token server of registry {self.host} sent no token")
        return token

    def _rejected(self, scope: str) -> InfraError:
        if self.credentials is None:
            return InfraError(f"registry {self.host} requires authentication ({scope or 'login'})",
                              hint="set TRITONSHIP_REGISTRY_USER and TRITONSHIP_REGISTRY_PASSWORD, "
                                   "or log in so the docker config file holds credentials")
        return InfraError(f"registry {self.host} rejected the credentials of user {self.credentials.username!r} "
                          f"(from {self.credentials.source})",
                          hint="check TRITONSHIP_REGISTRY_USER/TRITONSHIP_REGISTRY_PASSWORD or the docker config")


def _transient(exc: Exception) -> bool:
    """A connection error or timeout is retried; a failed TLS handshake (also a ConnectionError) is not."""
    import requests

    return isinstance(exc, requests.ConnectionError | requests.Timeout) and \
        not isinstance(exc, requests.exceptions.SSLError)


def _pull(repository: str) -> str:
    return token_scope(repository, "pull")


def _push(repository: str) -> str:
    return token_scope(repository, "pull,push")


def _manifest_path(repository: str, reference: str) -> str:
    return f"/v2/{repository}/manifests/{reference}"


def _path_of(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]


def _error_detail(response: requests.Response) -> str:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return ""
    codes = [f"{e.get('code')}: {e.get('message')}" for e in errors if isinstance(e, dict)]
    return f" ({'; '.join(codes)})" if codes else ""
