import os
import sys
from pathlib import Path

import matplotlib
from hypothesis import HealthCheck, settings

# The scripts (and bookinfo, the book layout they share with the tests) are importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

matplotlib.use("Agg")  # tests draw figures without a screen

# Few, fast examples by default. On CI (CI=true) the examples are derandomised, so a
# run is reproducible; `HYPOTHESIS_PROFILE=thorough pytest tests` digs deeper.
settings.register_profile("default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))
