"""The demo history (`flask tracker demo`, `make demo`): a separate database replayed from a scripted plan.

`script` reads the behaviour file, `planner` decides each item's life, `replay` plays it day by day through
the services and scheduler jobs, `build` makes the database, `cli` builds and serves it, `web` labels its pages.
"""
