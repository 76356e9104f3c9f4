"""Error types for scenario problems, each pointing at file, line, column and field path."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in a scenario."""

    message: str
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    path: str = ""
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field_part = f" {self.path}:" if self.path else ""
        return f"{where}: {self.severity}:{field_part} {self.message}"


@dataclass
class ScenarioError(Exception):
    """Raised when a scenario cannot be loaded; carries every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or "invalid scenario"


class ScenarioWarning(UserWarning):
    """Something in a scenario that runs but probably not as meant (e.g. a disruption
    outside the simulated period)."""

