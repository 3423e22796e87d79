"""`tritonship perf`: measure a Triton model like perf_analyzer does, then gate on budgets and regressions.

Pure decisions live in `windows`, `stability`, `histogram`, `levels` and `gates`; I/O in `http_load`, `grpc_h2`,
`worker`, `loadgen` and `server_stats`; `measure` runs one load level and `runner` a whole sweep.
"""
