"""A fixed query set for benchmarks over corpora from `bench.generate`.

Why fixed: timings are only comparable across commits if the queries are the same. The
words are picked by rule from the same wordfreq lists the generator samples from, at fixed
frequency ranks (frequent ~100-500, mid ~1000-4000, rare ~15000-45000), so every query
hits a generated corpus and the mix spans long and short posting lists.

    python -m bench.queries        # print the set
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from bench.generate import dictionary_words


@dataclass(frozen=True)
class Query:
    """One benchmark query, with the same meaning as the HTTP/CLI parameters."""

    label: str
    q: str
    agencies: tuple[str, ...] = field(default=())
    date_from: str | None = None  # ISO YYYY-MM-DD, inclusive
    date_to: str | None = None  # ISO YYYY-MM-DD, inclusive

    def params(self) -> dict[str, str | list[str]]:
        """GET parameters of `/api/search` for this query."""
        out: dict[str, str | list[str]] = {"q": self.q}
        if self.agencies:
            out["agency"] = list(self.agencies)
        if self.date_from:
            out["from"] = self.date_from
        if self.date_to:
            out["to"] = self.date_to
        return out


FREQ_RANKS = (100, 250, 500)
MID_RANKS = (1000, 2000, 4000)
RARE_RANKS = (15000, 25000, 45000)


def pick(lang: str, rank: int) -> str:
    """The first content-looking word (6+ letters, no hyphen) at or after `rank`."""
    words = dictionary_words(lang)[0]
    return next(w for w in words[rank:] if len(w) >= 6 and "-" not in w)


@functools.cache
def build_queries() -> tuple[Query, ...]:
    """The query set; deterministic for a given wordfreq version."""
    qs: list[Query] = []
    for lang in ("ru", "en"):
        f = [pick(lang, r) for r in FREQ_RANKS]
        m = [pick(lang, r) for r in MID_RANKS]
        r = [pick(lang, r) for r in RARE_RANKS]
        qs += [
            Query(f"{lang}-1w-freq-a", f[0]),
            Query(f"{lang}-1w-freq-b", f[2]),
            Query(f"{lang}-1w-mid-a", m[0]),
            Query(f"{lang}-1w-mid-b", m[2]),
            Query(f"{lang}-1w-rare-a", r[0]),
            Query(f"{lang}-1w-rare-b", r[2]),
            Query(f"{lang}-2w-freq+freq", f"{f[0]} {f[1]}"),
            Query(f"{lang}-2w-freq+rare", f"{f[1]} {r[1]}"),
            Query(f"{lang}-3w-freq+mid+rare", f"{f[2]} {m[1]} {r[0]}"),
            Query(f"{lang}-1w-freq+agency", f[1], agencies=("economy",)),
            Query(f"{lang}-1w-mid+agencies", m[1], agencies=("almaty", "astana", "shymkent")),
            Query(f"{lang}-1w-freq+year", f[0], date_from="2020-01-01", date_to="2020-12-31"),
        ]
    qs += [
        # Russian lemmas: documents hold inflected forms (жилья, жильём, инвестиций, ...).
        Query("ru-lemma-zhilyo", "жильё"),
        Query("ru-lemma-investitsiya", "инвестиция"),
        Query("ru-lemma-2w", "субсидия фермер"),
        Query("ru-phrase-kv-metr", '"квадратный метр"'),
        Query("ru-phrase-selkhoz", '"сельское хозяйство"'),
        Query("en-phrase-square-meters", '"square meters"'),
        Query("en-phrase-prime-minister", '"Prime Minister"'),
        Query("ru-prefix-invest", "инвест*"),
        Query("ru-prefix-stroit", "строител*"),
        Query("en-prefix-econom", "econom*"),
        Query("en-prefix-digital", "digital*"),
        Query("ru-latin-kpi", "KPI"),
        Query("ru-latin-2w", "EBRD Fitch"),
        Query("ru-1w-freq+agency-rare", pick("ru", 500), agencies=("zhetysu-archive",)),
        Query("ru-lemma+from", "жильё", date_from="2024-01-01"),
        Query("en-1w-freq+to", pick("en", 100), date_to="2017-06-30"),
        Query("ru-1w-mid+month", pick("ru", 2000), date_from="2023-03-01", date_to="2023-03-31"),
        Query(
            "ru-prefix+agency+years",
            "инвест*",
            agencies=("economy", "minfin"),
            date_from="2021-01-01",
            date_to="2022-12-31",
        ),
        Query("ru-phrase+agency", '"квадратный метр"', agencies=("astana",)),
        Query("browse-agency+year", "", agencies=("almaty",), date_from="2025-01-01"),
        Query("no-hits", "zqxwvjk"),
    ]
    return tuple(qs)


QUERIES: tuple[Query, ...] = build_queries()


if __name__ == "__main__":
    for query in QUERIES:
        filters = []
        if query.agencies:
            filters.append("agency=" + ",".join(query.agencies))
        if query.date_from or query.date_to:
            filters.append(f"date={query.date_from or ''}..{query.date_to or ''}")
        print(f"{query.label:28} {query.q!r:36} {' '.join(filters)}")
