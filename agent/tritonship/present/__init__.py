"""The presentation layer: one module per verb turns that verb's typed result into what people and
Jenkins see — terminal text, the result.json document, JUnit XML and HTML.

Domain packages (`repository`, `image`, `smoke`, `perf`, `deploy`, ...) return typed results and never
import this package (a test scans their imports); command modules call it. `common` holds the
`Outcome`, the JSON envelope and `emit`; `junit` the JUnit XML writer.
"""
