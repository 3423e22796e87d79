"""What `tritonship history` shows: the ledger's releases, newest first, as JSON data and a table, and
whether the ledger is signed (`ledger`); `history --sign` adds what the signing did (`signing`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tritonship.present.common import Outcome

if TYPE_CHECKING:
    from rich.console import Console

    from tritonship.deploy.ledger_sign_step import SignResult


def to_outcome(app: str, env_name: str, namespace: str, releases: list[dict[str, Any]],
               ledger: dict[str, Any] | None = None) -> Outcome:
    data = {"app": app, "env": env_name, "namespace": namespace, "releases": releases}
    if ledger is not None:
        data["ledger"] = ledger

    def show(console: Console) -> None:
        render(console, app, env_name, releases)
        if ledger is not None:
            console.print(ledger_line(ledger, env_name, namespace), markup=False, soft_wrap=True)

    return Outcome("history", "passed", 0, data, render=show)


def ledger_line(ledger: dict[str, Any], env_name: str, namespace: str) -> str:
    if ledger["signed"]:
        return f"ledger {ledger['configmap']}: signed (HMAC-SHA256, key from Secret {ledger['secret']})"
    return (f"ledger {ledger['configmap']}: unsigned (SHA-256 checksum only: whoever may write ConfigMaps in "
            f"{namespace} can forge it; set environments.{env_name}.ledger.signing_secret to sign it)")


def signed_outcome(app: str, env_name: str, namespace: str, done: SignResult, *, dry_run: bool) -> Outcome:
    releases = [r.summary() for r in reversed(done.ledger.releases)]
    signing = {"configmap": done.configmap, "secret": done.secret, "was": done.was, "written": done.written,
               "dry_run": dry_run, "problems": list(done.problems)}
    data = {"app": app, "env": env_name, "namespace": namespace, "releases": releases,
            "ledger": {"configmap": done.configmap, "signed": True, "secret": done.secret,
                       "signature": "valid" if done.written else done.was},
            "signing": signing}
    status = "dry-run" if dry_run else "passed"

    def show(console: Console) -> None:
        render(console, app, env_name, releases)
        console.print(sign_line(done, dry_run), markup=False, soft_wrap=True)
        for problem in done.problems:
            console.print(f"  refuses the signing: {problem}", markup=False, soft_wrap=True)

    return Outcome("history", status, 0, data, render=show)


WAS = {"missing": "it was unsigned", "mismatch": "its signature did not match this key (key rotated, or changed "
       "without it)", "valid": "it already verifies", "new": "there is no history yet"}


def sign_line(done: SignResult, dry_run: bool) -> str:
    count = len(done.ledger.releases)
    if dry_run:
        verb = "would refuse to sign" if done.problems else "would sign"
        return f"{verb} {done.configmap} ({count} revision(s)) with the key from Secret {done.secret}: " \
               f"{WAS[done.was]}; nothing written"
    if done.written:
        return f"signed {done.configmap}: {count} revision(s), key from Secret {done.secret} ({WAS[done.was]})"
    return f"nothing to sign in {done.configmap}: {WAS[done.was]}"


def render(console: Console, app: str, env_name: str, releases: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title=f"{app} in {env_name}", show_lines=False)
    for col in ("rev", "kind", "outcome", "image", "strategy", "step", "started", "by", "reason"):
        table.add_column(col, overflow="fold")
    for r in releases:
        digest = runs(r)
        outcome = r["outcome"] if r["phase"] in ("", r["outcome"]) else f"{r['outcome']} ({r['phase']})"
        table.add_row(str(r["revision"]), r["kind"], outcome, digest, r["strategy"], r["step"],
                      r["started_at"][:19], r["started_by"], (r["reason"] or "").split("\n", 1)[0] +
                      (f" [skipped preflight: {', '.join(r['skipped_preflight'])}]" if r["skipped_preflight"]
                       else ""))
    console.print(table if releases else f"no releases of {app} in {env_name} yet")


def runs(release: dict[str, Any]) -> str:
    """The image column: the digest, or for modelcar the pair (model image + Triton image, and the delivery)."""
    def short(image: str | None) -> str:
        return (image or "?").rsplit("@", 1)[-1].split(":")[-1][:12]

    if release.get("layout") != "modelcar":
        return short(release["digest"])
    return f"models {short(release.get('model_image'))} + triton {short(release.get('triton_image'))} " \
           f"({release.get('delivery') or 'init-container'})"
