"""Run every benchmark of bench/ (each prints its own numbers). Not part of the test suite:
speed is measured here, never asserted in timed tests."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    failed = 0
    for script in sorted(HERE.glob("*_bench.py")):
        print(f"== {script.name}", flush=True)
        failed |= subprocess.call([sys.executable, str(script)], env=env, cwd=HERE.parent)
    sys.exit(failed)
