"""`python -m tritonship_standins.kube serve --kubeconfig PATH [...]`: run the simulator in the foreground."""

from __future__ import annotations

import signal
import sys
import threading

import click


@click.group()
def main() -> None:
    """Local Kubernetes API simulator (for tests and demos; not a Kubernetes)."""


@main.command()
@click.option("--kubeconfig", required=True, type=click.Path(dir_okay=False), help="Write a kubeconfig for it here.")
@click.option("--nodes", default=2, show_default=True, type=click.IntRange(min=0))
@click.option("--gpus-per-node", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--node-cpu", default="8", show_default=True)
@click.option("--node-memory", default="32Gi", show_default=True)
@click.option("--crashloop-image", default=None, help="Regex: pods of matching images never become ready.")
@click.option("--pull-fail-image", default=None, help="Regex: pods of matching images cannot pull (ImagePullBackOff).")
@click.option("--ready-delay", default=1.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds from scheduling to Ready.")
@click.option("--namespace", "namespaces", multiple=True, help="Namespace to create (repeatable).")
@click.option("--port", default=0, show_default=True, type=click.IntRange(min=0, max=65535), help="0: a free port.")
@click.option("--kubernetes-version", default="1.30.0", show_default=True, help="What GET /version answers "
                                                                                "(MAJOR.MINOR.PATCH).")
@click.option("--image-volume", is_flag=True, help="The ImageVolume feature gate is on (from 1.31).")
def serve(*, kubeconfig: str, nodes: int, gpus_per_node: int, node_cpu: str, node_memory: str,
          crashloop_image: str | None, pull_fail_image: str | None, ready_delay: float, namespaces: tuple[str, ...],
          port: int, kubernetes_version: str, image_volume: bool) -> None:
    """Serve until SIGINT/SIGTERM; prints the URL once the kubeconfig is written."""
    import re

    from tritonship_standins.kube import KubeSimulator

    if not re.fullmatch(r"\d+\.\d+\.\d+", kubernetes_version):
        raise click.BadParameter("write MAJOR.MINOR.PATCH, e.g. 1.31.0", param_hint="--kubernetes-version")
    sim = KubeSimulator(nodes=nodes, gpus_per_node=gpus_per_node, node_cpu=node_cpu, node_memory=node_memory,
                        ready_delay=ready_delay, crashloop_image=crashloop_image, namespaces=namespaces, port=port,
                        version=kubernetes_version, image_volume=image_volume)
    sim.behaviour.pull_fail_image = pull_fail_image
    sim.start()
    sim.write_kubeconfig(kubeconfig)
    click.echo(f"kubernetes simulator listening on {sim.url} (kubeconfig {kubeconfig})", err=True)
    sys.stdout.flush()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    sim.stop()


if __name__ == "__main__":
    main()
