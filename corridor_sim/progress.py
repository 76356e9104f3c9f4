"""Progress bars for long work (replications, calibration): tqdm on stderr, shown only on
a terminal or in Jupyter unless asked for."""

from __future__ import annotations

import sys
import warnings


def progress_enabled(enabled: bool | None) -> bool:
    """Whether to show progress: ``enabled`` None means only on a terminal or in Jupyter."""
    return sys.stderr.isatty() or "ipykernel" in sys.modules if enabled is None else enabled


def progress_bar(desc: str, enabled: bool | None, total: int | None = None, initial: int = 0,
                 unit: str = "run"):
    """A tqdm bar on stderr; ``enabled`` None: only on a terminal or in Jupyter."""
    enabled = progress_enabled(enabled)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tqdm.auto without ipywidgets falls back quietly
        from tqdm.auto import tqdm  # deferred: it warns on import (filtered here)

        return tqdm(total=total, initial=initial, desc=desc, unit=unit,
                    disable=not enabled, dynamic_ncols=True)
