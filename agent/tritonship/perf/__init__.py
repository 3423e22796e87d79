"""`tritonship perf`: measure a Triton model like perf_analyzer does, then gate on budgets and regressions.

Pure decisions live in `windows`, `stability`, `histogram`, `levels`, `gates` and `h2_frames`; I/O in
`http_load`, `grpc_h2`, `grpc_target`, `worker`, `loadgen` and `server_stats`; `measure` runs one load level
and `runner` a whole sweep.
"""
