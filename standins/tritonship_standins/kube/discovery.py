"""The simulator's API discovery: /api, /apis, /api/v1 and /apis/GROUP/VERSION, as the API server
answers them (APIVersions, APIGroupList, APIResourceList), with kinds that can be made absent.

`Discovery.absent` holds kind names this cluster does not serve (e.g. "ServiceMonitor" when the
Prometheus Operator's CRD is not installed): they vanish from discovery, a group left with no kinds
vanishes from /apis, and every request for them is 404 NotFound "the server could not find the
requested resource", exactly what a real cluster without the CRD answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tritonship_standins.kube.store import KINDS, Kind, StatusError

VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


@dataclass
class Discovery:
    absent: set[str] = field(default_factory=set)

    def served(self) -> list[Kind]:
        return [k for k in KINDS if k.kind not in self.absent]

    def check(self, kind: Kind, path: str) -> None:
        if kind.kind in self.absent:
            raise StatusError(404, "NotFound", f"the server could not find the requested resource ({path})")

    def serve(self, path: str) -> dict | None:
        """The discovery document for `path`, None when it is not a discovery path."""
        parts = [p for p in path.split("/") if p]
        if parts == ["api"]:
            return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
        if parts == ["apis"]:
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": self._groups()}
        if parts == ["api", "v1"]:
            return self._resources("v1")
        if len(parts) == 3 and parts[0] == "apis":
            return self._resources(f"{parts[1]}/{parts[2]}")
        return None

    def _groups(self) -> list[dict]:
        versions: dict[str, list[str]] = {}
        for k in self.served():
            if "/" in k.group_version:
                group, version = k.group_version.split("/")
                versions.setdefault(group, [])
                if version not in versions[group]:
                    versions[group].append(version)
        return [{"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                 "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]}}
                for g, vs in sorted(versions.items())]

    def _resources(self, group_version: str) -> dict:
        kinds = [k for k in self.served() if k.group_version == group_version]
        if not kinds:
            raise StatusError(404, "NotFound", "the server could not find the requested resource")
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
                "resources": [{"name": k.plural, "singularName": k.kind.lower(), "namespaced": k.namespaced,
                               "kind": k.kind, "verbs": VERBS} for k in kinds]}
