"""Synthetic national data: fictional organisations, workforce and casework with a known truth.

    from concerns.synth import SynthConfig, generate, write

    data = generate(SynthConfig(seed=7, years=3))     # frames in memory, plus data.truth
    write(SynthConfig(), Path("out/demo/data"))       # cases.csv, organisations.csv, workforce.csv, truth.json

The data are calibrated to NHS Resolution's published national picture and are
deterministic for a seed. `truth.json` records the targets, what the files realise,
the rate model and the planted clusters, so later layers can be tested against
what is known to be there. See `_plan` for the rate model and its calibration.
"""

from concerns.synth._config import DEFAULT_SEED, SynthConfig, SynthError
from concerns.synth._write import FORMATS, Synthetic, generate, write

__all__ = ["DEFAULT_SEED", "FORMATS", "SynthConfig", "SynthError", "Synthetic", "generate", "write"]
