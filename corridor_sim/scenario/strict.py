"""The base of every scenario model: unknown keys are errors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base for every scenario model: unknown keys are errors; fields may be given by name
    or alias (``from``); defaults are validated too."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_default=True)
