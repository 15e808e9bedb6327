"""Run as `python bench/<script>.py`, a script sees bench/ on sys.path, not the project: add it."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for `bench.harness` and `webapp`
