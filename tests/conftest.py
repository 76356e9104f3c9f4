import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
TEST_SCENARIOS = Path(__file__).resolve().parent / "scenarios"


@pytest.fixture
def small_path() -> Path:
    return TEST_SCENARIOS / "small.yaml"


@pytest.fixture
def run_cli():
    """Run ``corridor-sim`` in a subprocess; return the CompletedProcess."""
    import subprocess

    def run(*args: str, cwd: Path = ROOT):
        code = "import sys; from corridor_sim.cli import main; sys.exit(main())"
        return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd,
                              capture_output=True, text=True, timeout=120)

    return run
