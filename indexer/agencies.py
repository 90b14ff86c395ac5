"""Display names of publishing agencies, from the slug in their gov.kz address.

The names live in `data/agencies.json` so that adding an agency is a data change, not a
code change. Unknown slugs are shown as the slug itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class AgencyName:
    ru: str
    en: str

    def in_language(self, lang: str) -> str:
        return self.en if lang == "en" else self.ru


@cache
def _table() -> dict[str, AgencyName]:
    raw = json.loads(resources.files("indexer").joinpath("data/agencies.json").read_text("utf-8"))
    return {slug: AgencyName(ru=names["ru"], en=names["en"]) for slug, names in raw.items()}


def agency_name(slug: str) -> AgencyName:
    """The Russian and English display names of an agency; the slug itself when unknown."""
    return _table().get(slug) or AgencyName(ru=slug, en=slug)


def known_agencies() -> dict[str, AgencyName]:
    return dict(_table())
