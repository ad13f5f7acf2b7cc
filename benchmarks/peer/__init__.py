"""Helpers of benchmarks/peer_aws_toolkit.py (the side-by-side benchmark against AWS's toolkit).

servers.py  how each server is started (environment, folders, the peer's model directory)
launch_aws_toolkit.py  the peer's entrypoint, run in .venv/peer
measure.py  one server's phases: cold start, sequential, load, stop; answers compared
tree.py     a process tree from /proc: peak RSS, CPU time, listeners, the stop
contention.py  one busy process per core
sentences.py   the 200 inputs
report.py   the markdown table and the PASS/FAIL lines
"""
