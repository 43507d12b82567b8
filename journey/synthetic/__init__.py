"""A large synthetic data set for benchmarks (`flask journey seed-synthetic`)."""
