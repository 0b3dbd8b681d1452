"""Starting the shipped deploy files' engines (Debian's nginx, Pushpin with zurl) on free ports in a private prefix:
used by ``make cluster`` (deploy/cluster.py), the deploy tests (tests/deploy/) and the benchmarks (bench/)."""
