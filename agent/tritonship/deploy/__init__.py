"""Promotion to Kubernetes: manifests, preflight, the step engine, strategies, release ledger and lock.

Public surface:
- `engine.promote(world, request)` / `engine.rollback(world, request)` run a promotion or a rollback.
- `ledger` (release history in a ConfigMap), `lock` (a Lease per app and environment),
  `manifests.render_release` (the objects of one release), `preflight.run_preflight`.
- `strategies.STRATEGIES` maps a strategy name to its implementation (see that module's docstring).
"""
