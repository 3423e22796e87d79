"""The presentation layer: one module per verb turns that verb's typed result into what people and
Jenkins see — terminal text, the result.json document, JUnit XML and HTML.

`validate`, `build`, `smoke`, `perf`, `promote` (and `rollback`, the same result), `status`, `history`,
`render`, `seed`, `init` and `plan` each have a module here with a `to_outcome` (or, for older ones,
the pieces of one); `common` holds the `Outcome`, the JSON envelope and `emit`; `junit` the JUnit
writer. Domain packages (`repository`, `image`, `smoke`, `perf`, `deploy`, ...) return typed results
and never import this package (tests/unit/test_import_direction.py scans their imports); command
modules call it.
"""
