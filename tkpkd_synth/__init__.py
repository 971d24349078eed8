"""A synthetic Kota Pontianak: agency extracts for all 14 sources of the input contract, with ground truth.

    from tkpkd_synth import generate
    summary = generate(Path("data/inbox"), Path("data/ground_truth"), scale="small", seed=42)

See `generator.generate` for the parameters and `python -m tkpkd_synth --help` for the command line.
"""

from tkpkd_synth.generator import (
    SCALES,
    GenerationSummary,
    InboxNotEmptyError,
    SourceSummary,
    count_rows,
    generate,
)

__all__ = ["SCALES", "GenerationSummary", "InboxNotEmptyError", "SourceSummary", "count_rows", "generate"]
