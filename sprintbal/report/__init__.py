"""Report writers: JSON report, CSV tables, OpenSim TRC, terminal summary (and later HTML, overlay).

Each writer takes results and a path and writes atomically; nothing here computes physics.
"""
