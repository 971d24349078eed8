"""Identity resolution: which person is this row? (docs/identity.md).

`names` normalises personal names the same way in Python and in SQL; `linkage` links person rows without a usable
NIK to the people known by NIK, with Splink on its own in-memory DuckDB; `scoring` measures the result against the
generator's ground truth. Nothing heavy is imported here: splink loads only when a linkage runs.
"""
