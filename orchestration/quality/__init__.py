"""Data-quality gates: the expectation suites of `expectations/` and how they run (Great Expectations 1.x)."""
