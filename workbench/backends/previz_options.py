"""The previz backend's options: design overrides a campaign may pin (e.g. `{body: wagon}`).

Imported when a campaign loads, so it needs nothing heavier than the previz module's name lists.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workbench.backends.previz import ARRANGEMENTS, BANNERS, BODIES, MASSIVE, MEDALLIONS, SKIRTS, TRIMS


class PrevizOptions(BaseModel):
    """What `choose_design` takes as overrides, checked when the campaign loads.

    Other keys are ignored, as previz has always ignored them: previz is what a campaign falls back
    to with `--backend previz`, and it keeps the options it has no use for (e.g. `batch_size`).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)
    body: Literal[BODIES] | None = None
    arrangement: Literal[ARRANGEMENTS] | None = None
    trim: Literal[TRIMS] | None = None
    medallion: Literal[MEDALLIONS] | None = None
    banner: Literal[BANNERS] | None = None
    skirt: Literal[SKIRTS] | None = None
    hero_motif: Literal[MASSIVE] | None = None
    # strict: the raw option goes to choose_design, which wants a whole number, not "4"
    wheels: int | None = Field(None, ge=2, le=6, strict=True)
