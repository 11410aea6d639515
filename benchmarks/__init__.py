"""benchmarks of mbn-zoo (zoo.benchmarks)."""
