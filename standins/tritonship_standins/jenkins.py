"""A local stand-in for the Jenkins endpoints python-jenkins calls while seeding (used by tests and the demo).

It is not Jenkins: it stores items (folders and jobs) with their config.xml and answers

- `GET /` with the `X-Jenkins` version header; `GET /crumbIssuer/api/json`; `GET /me/api/json`;
- `GET [job/F/]*api/json` (item info, `jobs` of the root or a folder, nested as `?tree=jobs[...]` asks);
- `GET|POST .../job/NAME/config.xml`; `POST [job/F/]*createItem?name=NAME`; `POST .../job/NAME/doDelete`;

like Jenkins does:

- basic auth with API tokens (401 for a wrong token, 403 for anonymous users when auth is required);
- CSRF crumbs on every POST (403 "No valid crumb was included in the request") EXCEPT for requests
  authenticated with an API token, which Jenkins exempts from the crumb since 2.96 (a user's password, i.e. a
  web session, still needs one);
- 404 for missing items or folders, 400 when creating an item that exists, 500 for a config.xml that is not
  XML or that changes the item's class (`AbstractItem.updateByXml`: "Expecting class X but got class Y
  instead");
- stored XML is re-serialised as XStream writes it: its own `<?xml version='1.1' encoding='UTF-8'?>`
  declaration, two-space indentation, `plugin="name@version"` on plugin classes, `<x/>` for empty elements,
  `&apos;`/`&quot;` in text; so a seeder must compare canonically, never textually;
- saving a multibranch project triggers branch indexing: its branch jobs (and tag jobs, when it discovers
  tags) appear as children, named as Jenkins encodes them (`release%2F1.0`), listed in its `jobs`.

`edit_config` changes an item "by hand in the web UI" without counting as a write; `writes` records every
successful POST.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tritonship_standins.jenkins_xml import as_jenkins_writes_it, strip_declaration

VERSION = "2.479.1"
FOLDER_TAG = "com.cloudbees.hudson.plugins.folder.Folder"
MULTIBRANCH_TAG = "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"
BRANCH_JOB_TAG = "org.jenkinsci.plugins.workflow.job.WorkflowJob"
CONTAINER_TAGS = (FOLDER_TAG, MULTIBRANCH_TAG)
CRUMB_FIELD = "Jenkins-Crumb"
JSON = "application/json;charset=utf-8"
TEXT = "text/plain;charset=utf-8"


@dataclass
class Item:
    config: str

    @property
    def root_tag(self) -> str:
        match = re.search(r"<([A-Za-z_][\w.$-]*)", strip_declaration(self.config))
        return match.group(1) if match else ""

    @property
    def is_container(self) -> bool:
        return self.root_tag in CONTAINER_TAGS


@dataclass
class JenkinsState:
    users: dict[str, str] = field(default_factory=dict)  # user -> API token
    passwords: dict[str, str] = field(default_factory=dict)  # user -> password (a web session: crumbs needed)
    branches: tuple[str, ...] = ("main",)  # heads every multibranch project finds when it indexes
    tags: tuple[str, ...] = ()  # tags it finds (only when it discovers tags)
    require_auth: bool = True
    reject_crumbs: bool = False  # crumbs are issued but never accepted (e.g. a proxy dropping the session)
    items: dict[str, Item] = field(default_factory=dict)  # full name -> item
    crumbs: set[str] = field(default_factory=set)
    writes: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of successful POSTs
    lock: threading.Lock = field(default_factory=threading.Lock)


class JenkinsStandIn:
    """`with JenkinsStandIn(users={'admin': 'token'}) as jenkins: jenkins.url ...`"""

    def __init__(self, users: dict[str, str] | None = None, *, require_auth: bool = True,
                 passwords: dict[str, str] | None = None) -> None:
        self.state = JenkinsState(users=dict(users or {}), require_auth=require_auth, passwords=dict(passwords or {}))
        self._server = _Server(self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, name="jenkins-stand-in", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> JenkinsStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> JenkinsStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what a person does in the web UI, and what tests look at -------------------------------------------
    def edit_config(self, name: str, config: str) -> None:
        with self.state.lock:
            self.state.items[name].config = as_jenkins_writes_it(config)

    def add_item(self, name: str, config: str) -> None:
        with self.state.lock:
            self.state.items[name] = Item(as_jenkins_writes_it(config))

    def config(self, name: str) -> str:
        return self.state.items[name].config

    @property
    def names(self) -> list[str]:
        return sorted(self.state.items)

    @property
    def writes(self) -> list[tuple[str, str]]:
        return list(self.state.writes)


def _branch_job(head: str) -> str:
    return (f"<{BRANCH_JOB_TAG}><actions/><description/><keepDependencies>false</keepDependencies>"
            f"<properties/><disabled>false</disabled><!-- {head} --></{BRANCH_JOB_TAG}>")


def _split_path(path: str) -> tuple[str, str]:
    """'/job/a/job/b/config.xml' -> ('a/b', 'config.xml'); '/job/a/createItem' -> ('a', 'createItem')."""
    parts = [unquote(p) for p in path.strip("/").split("/") if p]
    names, rest = [], []
    i = 0
    while i < len(parts):
        if parts[i] == "job" and i + 1 < len(parts):
            names.append(parts[i + 1])
            i += 2
        else:
            rest = parts[i:]
            break
    return "/".join(names), "/".join(rest)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: JenkinsState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *_args) -> None:  # keep test output quiet
        pass

    @property
    def state(self) -> JenkinsState:
        return self.server.state

    # --- plumbing ---------------------------------------------------------------------------------------------
    def _send(self, code: int, body: str = "", ctype: str = "text/plain;charset=utf-8") -> None:
        data = body.encode("utf-8")
        self.send_response(code)
        self.send_header("X-Jenkins", VERSION)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8") if length else ""

    def _user(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, token = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except ValueError:
            return ("", "")
        return user, token

    def _authenticated(self) -> str | None:
        """'token', 'password' or 'anonymous' when the request may go on; None once refused."""
        creds = self._user()
        if creds is not None:
            user, secret = creds
            if secret and self.state.users.get(user) == secret:
                return "token"
            if secret and self.state.passwords.get(user) == secret:
                return "password"
            self._send(401, "Invalid password/token for user: " + user)
            return None
        if self.state.require_auth:
            self._send(403, "Access Denied: anonymous is missing the Overall/Read permission")
            return None
        return "anonymous"

    def _crumb_ok(self, auth: str) -> bool:
        if auth == "token":  # API-token requests are exempt from CSRF protection (Jenkins 2.96+)
            return True
        crumb = self.headers.get(CRUMB_FIELD)
        if self.state.reject_crumbs or crumb not in self.state.crumbs:
            self._send(403, "No valid crumb was included in the request")
            return False
        return True

    # --- GET --------------------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        if self._authenticated() is None:
            return
        name, rest = _split_path(urlsplit(self.path).path)
        with self.state.lock:
            code, body, ctype = self._get(name, rest)
        self._send(code, body, ctype)

    def _get(self, name: str, rest: str) -> tuple[int, str, str]:
        if rest == "api/json" and (not name or name in self.state.items):
            return 200, json.dumps(self._info(name)), JSON
        if not name:
            return self._get_root(rest)
        if name in self.state.items and rest == "config.xml":
            return 200, self.state.items[name].config, "application/xml;charset=utf-8"
        return 404, "Not Found", TEXT

    def _get_root(self, rest: str) -> tuple[int, str, str]:
        if rest == "crumbIssuer/api/json":
            crumb = secrets.token_hex(16)
            self.state.crumbs.add(crumb)
            doc = {"_class": "hudson.security.csrf.DefaultCrumbIssuer", "crumb": crumb,
                   "crumbRequestField": CRUMB_FIELD}
            return 200, json.dumps(doc), JSON
        if rest == "me/api/json":
            user = (self._user() or ("anonymous", ""))[0]
            return 200, json.dumps({"_class": "hudson.model.User", "id": user, "fullName": user}), JSON
        if rest == "":
            return 200, "<html>Dashboard [Jenkins]</html>", "text/html;charset=utf-8"
        return 404, "Not Found", TEXT

    def _info(self, name: str) -> dict:
        base = self._base_url()
        doc: dict = {"_class": "hudson.model.Hudson", "url": base} if not name else self._entry(name, base)
        if not name or self.state.items[name].is_container:
            doc["jobs"] = self._children(name, base)
        return doc

    def _entry(self, name: str, base: str) -> dict:
        short = name.rsplit("/", 1)[-1]
        url = base + "".join(f"job/{p}/" for p in name.split("/"))
        item = self.state.items[name]
        match = re.search(r"<description>(.*?)</description>", item.config, re.S)
        return {"_class": item.root_tag, "name": short, "fullName": name, "url": url,
                "color": "notbuilt", "description": match.group(1) if match else ""}

    def _children(self, name: str, base: str) -> list[dict]:
        prefix = name + "/" if name else ""
        out = []
        for full in sorted(self.state.items):
            if full.startswith(prefix) and "/" not in full[len(prefix):]:
                entry = self._entry(full, base)
                if self.state.items[full].is_container:
                    entry["jobs"] = self._children(full, base)
                out.append(entry)
        return out

    def _base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    # --- POST -------------------------------------------------------------------------------------------------
    def do_POST(self) -> None:
        auth = self._authenticated()
        if auth is None:
            return
        body = self._body()
        if not self._crumb_ok(auth):
            return
        url = urlsplit(self.path)
        name, rest = _split_path(url.path)
        with self.state.lock:
            code, text = self._post(name, rest, parse_qs(url.query), body)
            if code == 200:
                self.state.writes.append(("POST", url.path))
        self._send(code, text)

    def _post(self, name: str, rest: str, query: dict, body: str) -> tuple[int, str]:
        items = self.state.items
        if rest == "createItem":
            return self._create(name, (query.get("name") or [""])[0], body)
        if name not in items:
            return 404, "Not Found"
        if rest == "config.xml":
            return self._update(name, body)
        if rest == "doDelete":
            for full in [n for n in items if n == name or n.startswith(name + "/")]:
                del items[full]
            return 200, ""
        return 404, "Not Found"

    def _create(self, folder: str, short: str, body: str) -> tuple[int, str]:
        items = self.state.items
        if folder and (folder not in items or not items[folder].is_container):
            return 404, "Not Found"
        if not re.fullmatch(r"[^/\\?*%<>|\"\[\]:;]+", short or ""):
            return 400, f"‘{short}’ is an unsafe character"
        full = f"{folder}/{short}" if folder else short
        if full in items:
            return 400, f"A job already exists with the name ‘{short}’"
        try:
            items[full] = Item(as_jenkins_writes_it(body))
        except ET.ParseError as exc:
            return 500, f"java.io.IOException: Unable to read config.xml: {exc}"
        self._index(full)
        return 200, ""

    def _update(self, name: str, body: str) -> tuple[int, str]:
        item = self.state.items[name]
        try:
            new = Item(as_jenkins_writes_it(body))
        except ET.ParseError:
            return 500, "java.io.IOException: Failed to persist config.xml"
        if new.root_tag != item.root_tag:
            return 500, f"java.io.IOException: Expecting class {item.root_tag} but got class {new.root_tag} instead"
        item.config = new.config
        self._index(name)
        return 200, ""

    def _index(self, name: str) -> None:
        """Saving a multibranch project schedules branch indexing: its heads become child jobs."""
        item = self.state.items[name]
        if item.root_tag != MULTIBRANCH_TAG:
            return
        heads = list(self.state.branches)
        if "TagDiscoveryTrait" in item.config:
            heads += list(self.state.tags)
        for head in heads:
            child = f"{name}/{quote(head, safe='')}"
            self.state.items.setdefault(child, Item(as_jenkins_writes_it(_branch_job(head))))


def main(argv: list[str] | None = None) -> None:
    """`python -m tritonship_standins.jenkins --user admin [--url-file F]`: serve until interrupted.

    The user's API token is read from TRITONSHIP_JENKINS_TOKEN (the variable `tritonship seed` reads).
    """
    import argparse
    import os
    import time

    parser = argparse.ArgumentParser(prog="python -m tritonship_standins.jenkins", description=main.__doc__)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--url-file", help="write the URL here once serving")
    args = parser.parse_args(argv)
    token = os.environ.get("TRITONSHIP_JENKINS_TOKEN")
    if not token:
        parser.error("set TRITONSHIP_JENKINS_TOKEN to the token the user signs in with")
    with JenkinsStandIn(users={args.user: token}) as server:
        if args.url_file:
            with open(args.url_file, "w", encoding="utf-8") as fh:
                fh.write(server.url + "\n")
        print(f"Jenkins stand-in serving {server.url} (user {args.user}); Ctrl-C stops it", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
