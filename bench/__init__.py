"""Benchmark tooling: a synthetic corpus generator and a fixed query set."""
