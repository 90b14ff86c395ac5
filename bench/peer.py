"""The benchmark's peer: the same corpus and query set in tantivy, for ratios govpress / tantivy.

tantivy (PyPI `tantivy`, a Rust search library) is what a fast engine does with the same
work, measured in the same run on the same machine, so the ratios hold on a loaded machine
where absolute figures do not. Both engines index the same releases: the project's own
readers parse the listings (`indexer.sources`, `indexer.records`, with the same rules for
duplicates, cut-off copies and garbled text as `govpress index`), and each release's
detected language picks its fields: Russian text gets tantivy's Snowball Russian stemmer,
English the English one, Kazakh (tantivy has no Kazakh stemmer) lower-cased words.

A query is tantivy's top-10 hits (with their stored ids and titles) plus the count of
matches per agency (a terms aggregation on a fast field), with the agency and date filters
as filters; words must all match, in a title (boosted 2.5, as govpress does) or a body;
`word*` matches the terms that begin with the word's stem. Match counts differ from
govpress's somewhat (stemmers against lemmas, no Kazakh analysis, no name keys), which
`compare` prints beside each other.
"""

from __future__ import annotations

import re
import shutil
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import tantivy

from bench.queries import Query
from bench.stats import percentile
from indexer.records import build_release, looks_garbled, within_limits
from indexer.release import Release
from indexer.sources import iter_corpus_files, read_corpus_file

LANGUAGES = ("ru", "en", "kk")
TITLE_BOOST = 2.5
TOP = 10
FRESH_SEARCHERS = 3  # first runs of each query, each on a newly opened index
MAX_TOKEN = 40  # longer "words" (base64, glued URLs) are dropped, as tantivy's default does
WRITER_HEAP = 256_000_000
GOAL = 10.0  # issue #13: the full page's first-run p95 within 10x of tantivy's at 100k
GOAL_SIZE = 100_000
_PARTS = re.compile(r'"([^"]*)"|(\S+)')
_AGENCY_COUNTS = {"agencies": {"terms": {"field": "agency", "size": 100_000}}}


def _analyzer(lang: str) -> tantivy.TextAnalyzer:
    builder = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
               .filter(tantivy.Filter.remove_long(MAX_TOKEN))
               .filter(tantivy.Filter.lowercase()))
    if lang != "kk":
        builder = builder.filter(tantivy.Filter.stemmer("russian" if lang == "ru" else "english"))
    return builder.build()


ANALYZERS = {lang: _analyzer(lang) for lang in LANGUAGES}
TEXT_FIELDS = tuple(f"{part}_{lang}" for lang in LANGUAGES for part in ("title", "body"))


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        # Stored, as govpress stores title and body for its snippets (one language a doc).
        builder.add_text_field(name, stored=True, tokenizer_name=f"peer_{name[-2:]}")
    builder.add_text_field("agency", fast=True, tokenizer_name="raw")
    builder.add_integer_field("date", fast=True, indexed=True)
    return builder.build()


def open_index(index_dir: Path, schema: tantivy.Schema | None = None) -> tantivy.Index:
    """The index in `index_dir` (a new one when `schema` is given), analyzers registered."""
    index = (tantivy.Index(schema, path=str(index_dir), reuse=False) if schema is not None
             else tantivy.Index.open(str(index_dir)))
    for lang, analyzer in ANALYZERS.items():
        index.register_tokenizer(f"peer_{lang}", analyzer)
    return index


def corpus_releases(corpus: Path) -> Iterator[Release]:
    """The releases `govpress index` indexes from `corpus` into a fresh index, by its
    rules: an id seen before is a duplicate, garbled text is skipped, and a cut-off copy is
    taken last, only when no complete release has its title and date."""
    seen: set[str] = set()
    complete: set[tuple[str, object]] = set()
    cut_off: list[Release] = []

    def taken(release: Release) -> bool:
        if release.id in seen:
            return False
        seen.add(release.id)
        return not looks_garbled(f"{release.title}\n{release.body}")

    for path in iter_corpus_files([corpus]):
        parsed = read_corpus_file(path).result
        for raw in parsed.releases if parsed is not None else ():
            release = build_release(within_limits(raw)[0])
            if release.incomplete:
                cut_off.append(release)
            elif release.id not in seen:
                complete.add((release.title, release.date))
                if taken(release):
                    yield release
    for release in cut_off:
        if (release.title, release.date) not in complete and taken(release):
            yield release


@dataclass(frozen=True)
class Built:
    releases: int
    seconds: float | None  # reading and parsing the listings included; None: not measured
    size: int  # bytes on disk

    @property
    def throughput(self) -> float | None:
        """Releases indexed a second."""
        return self.releases / self.seconds if self.seconds else None


def build(corpus: Path, index_dir: Path) -> Built:
    """Index `corpus` into a new tantivy index in `index_dir`."""
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    started = time.perf_counter()
    index = open_index(index_dir, _schema())
    writer = index.writer(WRITER_HEAP, 0)
    count = 0
    for release in corpus_releases(corpus):
        writer.add_document(tantivy.Document(**{
            "id": release.id,
            f"title_{release.lang}": release.title,
            f"body_{release.lang}": release.body,
            "agency": release.agency,
            "date": int(release.date.strftime("%Y%m%d")),
        }))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())
    return Built(count, seconds, size)


def _prefix(index: tantivy.Index, word: str) -> tantivy.Query:
    """`word*`: in each text field, the terms that begin with the word, and the word's own
    stem in that field (`digital*` → `digitalis`, and `digit` for `digital` itself), as
    govpress matches the lemmas that begin with a prefix and the prefix's own lemma.

    A phrase prefix of one word is tantivy's range of terms from the prefix on: as many
    matches as a regular expression `word.*`, without compiling an automaton per field
    (1.5-10 ms a query at 10k, 10-100x the search itself).
    """
    alternatives = []
    for name in TEXT_FIELDS:
        boost = TITLE_BOOST if name.startswith("title") else 1.0
        found = [tantivy.Query.phrase_prefix_query(index.schema, name, [word.lower()])]
        found += [tantivy.Query.term_query(index.schema, name, stem)
                  for stem in ANALYZERS[name[-2:]].analyze(word)[:1]]
        alternatives += [(tantivy.Occur.Should, tantivy.Query.boost_query(q, boost))
                         for q in found]
    return tantivy.Query.boolean_query(alternatives)


def to_query(index: tantivy.Index, query: Query) -> tantivy.Query:
    """The tantivy query with the meaning of a benchmark query: every word, phrase and
    prefix must match, within the filters."""
    must: list[tantivy.Query] = []
    plain = []
    for phrase, word in _PARTS.findall(query.q):
        if word.endswith("*") and len(word) > 1:
            must.append(_prefix(index, word[:-1]))
        else:
            plain.append(f'"{phrase}"' if phrase else word)
    if plain:
        boosts = {name: TITLE_BOOST for name in TEXT_FIELDS if name.startswith("title")}
        must.append(index.parse_query(" ".join(plain), list(TEXT_FIELDS), boosts,
                                      conjunction_by_default=True))
    if query.agencies:
        must.append(tantivy.Query.term_set_query(index.schema, "agency", list(query.agencies)))
    if query.date_from or query.date_to:
        day = [int(d.replace("-", "")) if d else None for d in (query.date_from, query.date_to)]
        must.append(tantivy.Query.range_query(index.schema, "date", tantivy.FieldType.Integer,
                                              *day))
    if not must:
        return tantivy.Query.all_query()
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])


@dataclass(frozen=True)
class Page:
    """Top hits and counts per agency: what the peer answers for a query."""

    total: int
    ids: list[str]
    titles: list[str]
    agencies: dict[str, int]


def page(searcher: tantivy.Searcher, tq: tantivy.Query, browse: bool) -> Page:
    """Top-10 (newest first when there are no words, as govpress browses) and counts."""
    order = {"order_by_field": "date"} if browse else {}
    found = searcher.search(tq, TOP, count=True, **order)
    docs = [searcher.doc(address) for _, address in found.hits]
    titles = [next((doc[f"title_{lang}"][0] for lang in LANGUAGES if doc[f"title_{lang}"]), "")
              for doc in docs]
    buckets = searcher.aggregate(tq, _AGENCY_COUNTS)["agencies"]["buckets"]
    return Page(found.count, [doc["id"][0] for doc in docs], titles,
                {bucket["key"]: bucket["doc_count"] for bucket in buckets})


def kind(query: Query) -> str:
    """Which table row a query belongs to, as `bench.run` sorts them."""
    if not query.q.strip():
        return "browse"
    return "filtered" if query.agencies or query.date_from or query.date_to else "page"


@dataclass
class Timings:
    """Per query: its kind, its runs (the first, then repeats) in seconds, its match count."""

    kinds: dict[str, str] = field(default_factory=dict)
    runs: dict[str, list[float]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, query_kind: str, runs: list[float], total: int) -> None:
        self.kinds[label] = query_kind
        self.runs[label] = runs
        self.totals[label] = total

    def first(self, query_kind: str) -> list[float]:
        return [runs[0] for label, runs in self.runs.items() if self.kinds[label] == query_kind]

    def repeats(self, query_kind: str) -> list[float]:
        return [t for label, runs in self.runs.items() if self.kinds[label] == query_kind
                for t in runs[1:]]

    def worst(self) -> tuple[str, float]:
        label = max(self.runs, key=lambda name: self.runs[name][0])
        return label, self.runs[label][0]


def measure(index_dir: Path, queries: list[Query], rounds: int) -> Timings:
    """Each query `rounds` times on each of `FRESH_SEARCHERS` freshly opened indexes.

    A query's first run is the first time it runs on a searcher, as govpress's is; its
    figure is the median over the fresh searchers, since one run of a millisecond is at the
    mercy of the scheduler on a shared machine. Its repeats are the other runs.
    """
    runs: dict[str, list[list[float]]] = {query.label: [] for query in queries}
    totals: dict[str, int] = {}
    for _ in range(FRESH_SEARCHERS):
        index = open_index(index_dir)
        searcher = index.searcher()
        for query in queries:
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                answer = page(searcher, to_query(index, query), kind(query) == "browse")
                samples.append(time.perf_counter() - started)
            runs[query.label].append(samples)
            totals[query.label] = answer.total
    timings = Timings()
    for query in queries:
        done = runs[query.label]
        timings.add(query.label, kind(query),
                    [statistics.median(samples[0] for samples in done)]
                    + [t for samples in done for t in samples[1:]],
                    totals[query.label])
    return timings


def _ms(samples: list[float], p: float) -> float:
    return percentile(samples, p) * 1000


def _row(name: str, ours: float, theirs: float, unit: str) -> str:
    ratio = "n/a" if not theirs else f"{ours / theirs:.{1 if ours >= theirs else 2}f}×"
    return f"| {name} | {ours:,.1f} {unit} | {theirs:,.1f} {unit} | {ratio} |"


def compare(size: int, govpress: Timings, peer: Timings, ours: Built, built: Built) -> list[str]:
    """The Markdown tables: each figure of both engines and govpress / tantivy, the goal of
    issue #13, and the match counts of both side by side."""
    lines = [f"\n#### {size:,} releases: govpress / tantivy {version('tantivy')} (same corpus, "
             "same queries, same run)\n",
             "| measure | govpress | tantivy | govpress / tantivy |", "| --- | --- | --- | --- |"]
    lines.append(f"| releases indexed | {ours.releases:,} | {built.releases:,} | "
                 f"{ours.releases / built.releases:.2f}× |")
    if ours.throughput is None:
        lines.append("| indexing | n/a (the index was reused) | "
                     f"{built.throughput:,.0f} releases/s | n/a |")
    else:
        lines.append(_row("indexing", ours.throughput, built.throughput, "releases/s"))
    lines.append(_row("index size", ours.size / 2**20, built.size / 2**20, "MB"))
    pairs = [
        ("first run: full page vs top-10 + agency counts", govpress.first("page"),
         peer.first("page")),
        ("first run, filtered", govpress.first("filtered"), peer.first("filtered")),
        ("repeated: full page vs top-10 + agency counts", govpress.repeats("page"),
         peer.repeats("page")),
    ]
    for name, ours, theirs in pairs:
        if ours and theirs:
            for p in (0.50, 0.95):
                lines.append(_row(f"{name}, p{p * 100:.0f}", _ms(ours, p), _ms(theirs, p), "ms"))
    (our_label, our_worst), (their_label, their_worst) = govpress.worst(), peer.worst()
    lines.append(f"| worst single query, first run | {our_worst * 1000:,.1f} ms ({our_label}) | "
                 f"{their_worst * 1000:,.1f} ms ({their_label}) | {our_worst / their_worst:.1f}× |")
    lines.append(f"\nA first run: govpress's, once after `warm_up`; tantivy's, the median of "
                 f"{FRESH_SEARCHERS} first runs, each on a newly opened index. Indexing "
                 "includes parsing the listings for both; govpress's also its start-up.")
    ratio = _ms(govpress.first("page"), 0.95) / _ms(peer.first("page"), 0.95)
    verdict = "met" if ratio <= GOAL else "missed"
    where = "" if size == GOAL_SIZE else f" (the goal is set at {GOAL_SIZE:,}; this is {size:,})"
    lines.append(f"\nGoal (issue #13): full page first-run p95 within {GOAL:g}× of tantivy's "
                 f"top-10-with-counts p95: **{ratio:.1f}×, {verdict}**{where}.")
    lines += ["\nMatches per query, as a check that the peer searches the same thing. They "
              "differ somewhat: Snowball stems against govpress's lemmas (gardener and garden "
              "are one stem, made and make one lemma), no Kazakh analysis and no name keys "
              "in tantivy, prefixes on stems.\n",
              "| query | govpress | tantivy |", "| --- | --- | --- |"]
    lines += [f"| {label} | {total:,} | {peer.totals.get(label, 0):,} |"
              for label, total in govpress.totals.items()]
    return lines
