"""Display names of publishing agencies, from the slug in their gov.kz address.

The names (Kazakh, Russian, English) live in `data/agencies.json` so that adding an
agency is a data change, not a code change. Its `unknown` row names the agency of a
release whose source is not a gov.kz address, or that has no source at all ("agency not
stated" in each language, never the bare word). Slugs the table lacks are shown as the
slug itself: it is the only name known, and it is what the `agency` filter takes.
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
    kk: str

    def in_language(self, lang: str) -> str:
        """The name in an interface language (`ru` for any other)."""
        return {"en": self.en, "kk": self.kk}.get(lang, self.ru)


@cache
def _table() -> dict[str, AgencyName]:
    raw = json.loads(resources.files("indexer").joinpath("data/agencies.json").read_text("utf-8"))
    return {slug: AgencyName(ru=names["ru"], en=names["en"], kk=names["kk"])
            for slug, names in raw.items()}


def agency_name(slug: str) -> AgencyName:
    """The display names of an agency; the slug itself when unknown."""
    return _table().get(slug) or AgencyName(ru=slug, en=slug, kk=slug)

