"""The base of every model: frozen, strict about unknown fields, silent about input values."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["FrozenModel"]


class FrozenModel(BaseModel):
    """An immutable pydantic model that rejects unknown fields.

    ``hide_input_in_errors`` keeps personal data out of validation messages: a vendor's log
    of a rejected case names the field and the problem, never the value.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        use_enum_values=False,
        defer_build=True,  # validators are built on first use: a quick import
    )
