"""The whole tritonship.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from tritonship.spec.environment import Environment
from tritonship.spec.image import ImageSpec
from tritonship.spec.perf import PerfSpec
from tritonship.spec.smoke import SmokeSpec
from tritonship.spec.types import Strict


class GrafanaAnnotations(Strict):
    url: str | None = Field(None, description="Grafana's base URL; TRITONSHIP_GRAFANA_URL overrides. The token "
                                              "comes only from TRITONSHIP_GRAFANA_TOKEN.")
    events: list[Literal["start", "pause", "abort", "rollback", "success"]] = Field(
        default_factory=lambda: ["success", "rollback", "abort"], description="Events that become annotations.")

    @field_validator("url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("notifications.grafana.url must start with http:// or https://")
        return value


class Notifications(Strict):
    webhook: str | None = Field(None, description="URL; TRITONSHIP_WEBHOOK_URL overrides (keep secrets there).")
    events: list[str] = Field(default_factory=lambda: ["start", "pause", "abort", "rollback", "success"])
    grafana: GrafanaAnnotations | None = Field(None, description=(
        "Promotions as Grafana annotations (POST /api/annotations), tagged tritonship, app, environment, event."))


class Spec(Strict):
    version: int = Field(1, description="Schema version of this file.")
    project: str = Field(..., description="Project (app) name: labels, image name, ledger key.")
    model_repository: str = Field("model_repository", description="Triton model repository, relative to this file.")
    image: ImageSpec = Field(default_factory=ImageSpec)
    smoke: SmokeSpec = Field(default_factory=SmokeSpec)
    perf: PerfSpec = Field(default_factory=PerfSpec)
    environments: dict[str, Environment] = Field(default_factory=dict)
    notifications: Notifications = Field(default_factory=Notifications)

    _path: Path | None = PrivateAttr(None)

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != 1:
            raise ValueError("this tritonship understands spec version 1")
        return value

    @field_validator("project")
    @classmethod
    def _dns_name(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"[a-z]([-a-z0-9]{0,50}[a-z0-9])?", value):
            raise ValueError(
                f"{value!r} must be a DNS label (DNS-1035: it names Services): a lower-case letter first, then "
                "lower-case letters, digits and '-', at most 52 characters (room for '-baseline' within 63)"
            )
        return value

    @model_validator(mode="after")
    def _environment_names(self) -> Spec:
        """Environment names go into object names and label values (`{project}-{env}`, at most 63)."""
        from tritonship.spec.k8s_names import DNS1123_LABEL

        for name in self.environments:
            if not DNS1123_LABEL.fullmatch(name):
                raise ValueError(f"environment name {name!r} must be lower-case letters, digits and '-'")
            if len(f"{self.project}-{name}") > 63:
                raise ValueError(f"label value '{self.project}-{name}' (app.kubernetes.io/instance) is longer than "
                                 "63 characters: shorten the project or the environment name")
        return self

    @model_validator(mode="after")
    def _from_refers_to_env(self) -> Spec:
        for name, env in self.environments.items():
            if env.promote_from is not None and env.promote_from not in self.environments:
                raise ValueError(f"environments.{name}.from names {env.promote_from!r}, which is not an environment")
        for name in self.environments:
            chain = [name]
            while (source := self.environments[chain[-1]].promote_from) is not None:
                if source in chain:
                    loop = " -> ".join([*chain[chain.index(source):], source])
                    raise ValueError(f"environments.{name}.from makes a loop ({loop})")
                chain.append(source)
        return self

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def base_dir(self) -> Path:
        return self._path.parent if self._path else Path.cwd()

    def repository_path(self) -> Path:
        return (self.base_dir / self.model_repository).resolve()

    def environment(self, name: str) -> Environment:
        from tritonship.errors import BadInput
        from tritonship.spec.suggest import did_you_mean

        if name not in self.environments:
            known = ", ".join(self.environments) or "none"
            raise BadInput(
                f"{self._path or 'tritonship.yaml'}: no environment {name!r}{did_you_mean(name, self.environments)}",
                hint=f"environments defined: {known}",
            )
        return self.environments[name]
