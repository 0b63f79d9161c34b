"""Benchmarks: printed figures (p50/p95, wall time, peak memory), never asserted in tests."""
