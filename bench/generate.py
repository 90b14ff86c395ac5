"""Deterministic generator of large synthetic corpora in the listing format, for benchmarks.

    python -m bench.generate --releases 100000 --out /tmp/corpus100k [--seed 0] [--per-file 500]

Why synthetic: the real sample is a few dozen releases; indexing and query benchmarks need
10k-1M releases whose statistics look like the real thing (Zipf word frequencies taken from
`wordfreq`, inflected Russian, Latin tokens and numbers inside Russian text, glued sentences
and source lines, a skewed agency distribution, ten years of dates).

Determinism: every file is generated from its own `numpy` generator seeded with
`(seed, file_index)`, so the bytes do not depend on the number of worker processes.
Memory: one file's text at a time per worker (a few MB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import multiprocessing
import os
import random
import re
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# ---------------------------------------------------------------------------------------------
# Fixed tables

FIRST_DAY = dt.date(2016, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
N_DAYS = (LAST_DAY - FIRST_DAY).days + 1
DATES = [(FIRST_DAY + dt.timedelta(days=d)).strftime("%d.%m.%Y") for d in range(N_DAYS)]

#: Ordered by popularity; the weight of rank r is 1 / (r + 1) (Zipf-like).
AGENCIES: tuple[str, ...] = (
    "economy", "almaty", "astana", "ecogeo", "mfa", "shymkent", "moa", "edu", "enbek",
    "minfin", "tsm", "mod", "energo", "mps", "transport", "adilet", "dsm", "water", "mti",
    "karaganda", "kostanay", "aktobe", "kyzylorda", "almobl", "akmola", "pavlodar",
    "turkestan", "zhambyl", "mangystau", "atyrau", "vko", "zko", "sko", "abay", "zhetysu",
    "ulytau", "sci", "mam", "mciac", "qogam", "mvd", "emer", "kgd", "primeminister",
    "kgd-akmola", "adilet-sko", "zhetysu-archive", "kgd-almaty", "dgd-karaganda",
    "akmola-uo", "astana-zhkh", "almaty-tourism", "shymkent-edu", "turkestan-dsm",
    "duisalmjetobl", "karaganda-saran", "kostanay-rudny", "aktobe-health",
    "pavlodar-ekibastuz", "mangystau-aktau",
)  # fmt: skip

CATEGORIES = (
    "Technology", "Law", "World", "Politics", "Science", "Business", "Economics", "Culture",
    "Tourism", "News",
)  # fmt: skip

SOURCE_URL = "https://www.gov.kz/memleket/entities/{agency}/press/news/details/{id}?lang={lang}"

#: Share of Russian releases (the rest are English).
RU_SHARE = 0.6
BODY_WORDS = (150, 600)
SENTENCE_WORDS = (8, 25)
TITLE_WORDS = (6, 20)
VOCAB_SIZE = 50_000  # dictionary words per language, by frequency rank

# Russian topic lemmas and phrases, inflected with pymorphy3 so that a lemma query hits many
# forms; each gets the given share of all tokens, split over its forms.
RU_TOPIC_LEMMAS = (
    "жильё", "инвестиция", "субсидия", "министерство", "акимат", "область", "строительство",
    "экономика", "развитие", "программа", "предприятие", "бюджет", "проект", "регион",
    "район", "услуга", "цифровизация", "образование", "здравоохранение", "водоснабжение",
    "дорога", "ремонт", "инфраструктура", "экспорт", "производство", "заседание",
    "правительство", "министр", "аким", "население", "школа", "больница", "фермер",
    "инвестиционный", "государственный", "экономический", "социальный", "строительный",
)  # fmt: skip
RU_TOPIC_PHRASES = (
    "квадратный метр", "сельское хозяйство", "малый бизнес", "государственная программа",
    "заработная плата", "питьевая вода", "социальная поддержка", "прямая инвестиция",
)  # fmt: skip
RU_FIXED = (
    "Казахстан", "Казахстана", "Казахстане", "Республики Казахстан", "Астаны", "Астане",
    "Алматы", "Шымкента", "Туркестанской области", "Алматинской области",
    "Касым-Жомарт Токаев", "Главы государства", "Премьер-министр", "Премьер-министра",
    "тенге", "млрд тенге", "млн тенге", "ЖКХ", "ВВП", "МСБ", "акимата", "Минэкономики",
)  # fmt: skip
RU_LATIN = (
    "EBRD", "KPI", "Fitch", "IT", "ESG", "ADB", "OECD", "Moody's", "S&P", "PPP", "eGov",
    "Astana Hub", "Wi-Fi", "COVID-19", "EXPO", "UNICEF", "Samruk-Kazyna", "Baiterek", "AIFC",
    "QazaqGaz", "KazMunayGas", "Halyk", "Kaspi", "GovTech", "SMART", "LED",
)  # fmt: skip
EN_TOPIC = (
    "housing", "investment", "investments", "investors", "construction", "subsidies",
    "subsidy", "ministry", "region", "regions", "regional", "development", "agriculture",
    "agricultural", "infrastructure", "budget", "project", "projects", "program",
    "programs", "enterprises", "enterprise", "export", "exports", "digitalization",
    "education", "healthcare", "water supply", "roads", "repair", "population", "meeting",
    "government", "minister", "economy", "economic", "economics", "square meters",
    "small business", "akimat", "akim", "oblast", "tenge", "billion tenge", "million tenge",
    "Kazakhstan", "Kazakhstan's", "Astana", "Almaty", "Shymkent", "Karaganda", "Kostanay",
    "Aktobe", "Kyzylorda", "Turkestan", "Zhambyl", "Tokayev", "Kassym-Jomart Tokayev",
    "Head of State", "Prime Minister", "Deputy Akim", "Vice Minister", "Samruk-Kazyna",
    "Baiterek", "EBRD", "KPI",
)  # fmt: skip

# Token-mass shares of the non-dictionary parts of the text.
SHARE_TOPIC = {"ru": 0.10, "en": 0.08}
SHARE_NUMBERS = 0.035
SHARE_LATIN_RU = 0.012
COMMA_P = 0.06  # a word is followed by a comma
GLUE_P = 0.3  # a sentence boundary has no space after the period ("2024.Among")
CAPS_TITLE_P = 0.03
DATE_NEXT_LINE_P = 0.10
URL_KK_P = 0.2  # source URL says ?lang=kk whatever the text language

_RE_WORD = {
    "ru": re.compile(r"[а-яё]+(?:-[а-яё]+)*"),
    "en": re.compile(r"[a-z]+(?:['-][a-z]+)*"),
}
_SHORT_OK = {"ru": {"в", "и", "с", "к", "о", "у", "а"}, "en": {"a"}}
# Obscene and chat-only words of wordfreq's (partly social-media) lists: no press release has them.
_BLOCKED = re.compile(
    r"fuck|shit|piss|bitch|cunt|dick|cock|puss|whore|slut|nigg|fag|bastard|asshole|porn|sex"
    r"|^i'|^lol$|^omg$|^wtf$|^ass(es)?$|^tits?$|^boobs?$"
    r"|ху[йеёяи]|пизд|^бля|^е[бп]а|^ёб|^еб[уеёил]|^за[её]б|^у[её]б|су[кч]а|^сук|мудак|пид[оа]р"
    r"|залуп|шлюх|дерьм|говн|^жоп|^срать|^сра[лт]"
)


# ---------------------------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True)
class Vocab:
    """Sampling tables for one language.

    `words` are the dictionary words by frequency rank (what query sets pick from);
    `forms[v, i]` is token i in spelling variant v (see `_variants`), so a whole file's
    tokens are one fancy-index; `cum`/`cum_title` are cumulative sampling probabilities
    (titles use a flatter distribution: fewer function words, as in real titles).
    """

    lang: str
    words: tuple[str, ...]
    freqs: tuple[float, ...]
    forms: np.ndarray
    cum: np.ndarray
    cum_title: np.ndarray


@functools.cache
def dictionary_words(lang: str, n: int = VOCAB_SIZE) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Top-n plain words of wordfreq's list and their frequencies.

    Frequencies come from wordfreq's centibel buckets (bucket b -> 10**(-b/100)), which is
    what `wordfreq.word_frequency` returns for these words, ~50x faster than calling it.
    """
    import wordfreq

    pattern, short_ok = _RE_WORD[lang], _SHORT_OK[lang]
    words: list[str] = []
    freqs: list[float] = []
    for bucket, bucket_words in enumerate(wordfreq.get_frequency_list(lang)):
        f = 10.0 ** (-bucket / 100)
        for w in bucket_words:
            if pattern.fullmatch(w) and (len(w) > 1 or w in short_ok) and not _BLOCKED.search(w):
                words.append(w)
                freqs.append(f)
                if len(words) == n:
                    return tuple(words), tuple(freqs)
    return tuple(words), tuple(freqs)


def _ru_topic_forms() -> list[list[str]]:
    """Inflected forms of the Russian topic lemmas and adjective+noun phrases."""
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer()
    cases = ("nomn", "gent", "datv", "accs", "ablt", "loct")
    groups: list[list[str]] = []
    for lemma in RU_TOPIC_LEMMAS:
        p = morph.parse(lemma)[0]
        forms = [f.word for f in p.lexeme if f.tag.POS == p.tag.POS and "Infr" not in f.tag]
        groups.append(list(dict.fromkeys(forms)))
    for phrase in RU_TOPIC_PHRASES:
        adj_word, noun_word = phrase.split()
        adj = next(p for p in morph.parse(adj_word) if p.tag.POS == "ADJF")
        noun = next(p for p in morph.parse(noun_word) if p.tag.POS == "NOUN")
        forms = []
        for number in ("sing", "plur"):
            for case in cases:
                n = noun.inflect({number, case})
                if n is None:
                    continue
                extra = {n.tag.animacy} if n.tag.animacy and case == "accs" else set()
                a = adj.inflect({number, case, *extra})
                if a is not None:
                    forms.append(f"{a.word} {n.word}")
        groups.append(list(dict.fromkeys(forms)))
    return groups


def _number_tokens(lang: str, count: int = 3000) -> list[str]:
    """A fixed pool of number expressions ("19 млн", "6,8%", "$541 million", "2024 году")."""
    rnd = random.Random(f"numbers-{lang}")
    dec = "," if lang == "ru" else "."
    if lang == "ru":
        units = ("млн", "млрд тенге", "млн тенге", "тыс", "км", "га", "тонн", "человек")
        year_fmt = ("{y} году", "{y} года", "{y}-{y2} годы", "{y}")
    else:
        units = ("million", "billion tenge", "million tenge", "thousand", "km", "hectares",
                 "tons", "people")  # fmt: skip
        year_fmt = ("{y}", "in {y}", "{y}-{y2}")
    out: list[str] = []
    for _ in range(count):
        kind = rnd.random()
        a, b = rnd.randint(1, 999), rnd.randint(1, 9)
        if kind < 0.25:
            y = rnd.randint(2010, 2030)
            out.append(rnd.choice(year_fmt).format(y=y, y2=y + 1))
        elif kind < 0.45:
            out.append(f"{a}%" if rnd.random() < 0.5 else f"{a % 100}{dec}{b}%")
        elif kind < 0.75:
            unit = rnd.choice(units)
            out.append(f"{a}{dec}{b} {unit}" if a < 100 else f"{a} {unit}")
        elif kind < 0.82:
            out.append(f"${a} {'млн' if lang == 'ru' else 'million'}")
        else:
            out.append(str(rnd.choice((a, a * 10 + b, rnd.randint(1000, 99999)))))
    return out


def _variants(token: str) -> tuple[str, ...]:
    """Spelling variants: plain, comma, period, glued period; then the same capitalized.

    `\\x01` marks a glued sentence end; the space after it is removed when a body is joined.
    """
    cap = token[:1].upper() + token[1:]
    return (
        token,
        token + ",",
        token + ".",
        token + ".\x01",
        cap,
        cap + ",",
        cap + ".",
        cap + ".\x01",
    )


@functools.cache
def vocab(lang: str) -> Vocab:
    """Build (once per process) the sampling tables for `lang` ("ru" or "en")."""
    words, freqs = dictionary_words(lang)
    base = np.asarray(freqs, dtype=np.float64)
    base *= 1.0 / base.sum()
    tokens = list(words)
    # Token-mass share of each block; the dictionary gets what is left.
    blocks: list[tuple[list[str], np.ndarray]] = []
    if lang == "ru":
        groups = _ru_topic_forms() + [[w] for w in RU_FIXED]
        topic_tokens = [f for g in groups for f in g]
        topic_w = np.concatenate([np.full(len(g), 1.0 / len(g)) for g in groups])
        blocks.append((topic_tokens, topic_w / topic_w.sum() * SHARE_TOPIC["ru"]))
        latin = list(RU_LATIN)
        lw = 1.0 / np.arange(1, len(latin) + 1)
        blocks.append((latin, lw / lw.sum() * SHARE_LATIN_RU))
    else:
        topic = list(EN_TOPIC)
        tw = 1.0 / np.sqrt(np.arange(1, len(topic) + 1))
        blocks.append((topic, tw / tw.sum() * SHARE_TOPIC["en"]))
    numbers = _number_tokens(lang)
    blocks.append((numbers, np.full(len(numbers), SHARE_NUMBERS / len(numbers))))
    rest = 1.0 - sum(float(w.sum()) for _, w in blocks)
    weights = [base * rest]
    for toks, w in blocks:
        tokens.extend(toks)
        weights.append(w)
    p = np.concatenate(weights)
    cum = np.cumsum(p)
    cum /= cum[-1]
    pt = p**0.6
    cum_title = np.cumsum(pt)
    cum_title /= cum_title[-1]
    forms = np.empty((8, len(tokens)), dtype=object)
    for i, t in enumerate(tokens):
        forms[:, i] = _variants(t)
    return Vocab(lang, words, freqs, forms, cum, cum_title)


def _agency_cum() -> np.ndarray:
    w = 1.0 / np.arange(1, len(AGENCIES) + 1)
    c = np.cumsum(w)
    return c / c[-1]


# ---------------------------------------------------------------------------------------------
# Generation


def _sample(cum: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
    idx = np.searchsorted(cum, rng.random(n), side="right")
    return np.minimum(idx, len(cum) - 1)


def _bodies(v: Vocab, rng: np.random.Generator, targets: np.ndarray) -> list[str]:
    """Bodies of about `targets` words each, made of whole sentences of 8-25 words.

    One stream of sentences for all bodies of the file; body i ends at the first sentence
    end at or after the running target, so its length is target +/- 24 words.
    """
    if len(targets) == 0:
        return []
    lo, hi = SENTENCE_WORDS
    goal = np.cumsum(targets)
    sent = rng.integers(lo, hi + 1, int(goal[-1]) // lo + 2)
    sent_end = np.cumsum(sent)
    k = np.searchsorted(sent_end, goal, side="left")
    body_end = sent_end[k]
    n_words = int(body_end[-1])
    ends = sent_end[: k[-1] + 1] - 1
    starts = np.concatenate(([0], ends[:-1] + 1))
    idx = _sample(v.cum, rng, n_words)
    variant = (rng.random(n_words) < COMMA_P).astype(np.int8)
    variant[ends] = 2 + (rng.random(len(ends)) < GLUE_P)
    variant[body_end - 1] = 2  # the body's last period is never glued to the next body
    variant[starts] += 4
    toks = v.forms[variant, idx].tolist()
    out: list[str] = []
    begin = 0
    for end in body_end.tolist():
        out.append(" ".join(toks[begin:end]).replace("\x01 ", ""))
        begin = end
    return out


def _titles(v: Vocab, rng: np.random.Generator, lengths: np.ndarray) -> list[str]:
    if len(lengths) == 0:
        return []
    bounds = np.cumsum(lengths)
    idx = _sample(v.cum_title, rng, int(bounds[-1]))
    variant = np.zeros(len(idx), dtype=np.int8)
    variant[bounds - lengths] = 4
    toks = v.forms[variant, idx].tolist()
    out: list[str] = []
    begin = 0
    for end in bounds.tolist():
        out.append(" ".join(toks[begin:end]))
        begin = end
    return out


def render_file(seed: int, file_index: int, first_release: int, count: int) -> str:
    """The text of one listing file holding releases first_release .. first_release+count-1."""
    return _render(seed, file_index, first_release, count)[0]


def _render(seed: int, file_index: int, first_release: int, count: int) -> tuple[str, int]:
    """(file text, number of Russian releases in it)."""
    rng = np.random.default_rng([seed, file_index])
    is_ru = rng.random(count) < RU_SHARE
    body_len = rng.integers(BODY_WORDS[0] + 24, BODY_WORDS[1] - 24 + 1, count)
    title_len = rng.integers(TITLE_WORDS[0], TITLE_WORDS[1] + 1, count)
    agency = np.searchsorted(_agency_cum(), rng.random(count), side="right")
    day = rng.integers(0, N_DAYS, count)
    date_next_line = rng.random(count) < DATE_NEXT_LINE_P
    caps = rng.random(count) < CAPS_TITLE_P
    source_mode = rng.random(count)
    url_kk = rng.random(count) < URL_KK_P
    id_jitter = rng.integers(0, 4, count)
    sep_mode = rng.random()  # file-level: no blank lines, blank lines, or a mix
    blank_p = 0.0 if sep_mode < 0.5 else (1.0 if sep_mode < 0.85 else 0.5)
    blank = rng.random(count) < blank_p
    category = CATEGORIES[int(rng.integers(len(CATEGORIES)))]

    per_lang: dict[bool, tuple[list[str], list[str]]] = {}
    for ru in (True, False):
        mask = is_ru == ru
        v = vocab("ru" if ru else "en")
        per_lang[ru] = (_titles(v, rng, title_len[mask]), _bodies(v, rng, body_len[mask]))
    cursor = {True: 0, False: 0}

    parts: list[str] = [category, "\n\n"]
    for i in range(count):
        ru = bool(is_ru[i])
        j = cursor[ru]
        cursor[ru] = j + 1
        title, body = per_lang[ru][0][j], per_lang[ru][1][j]
        if caps[i]:
            title = title.upper()
        date = DATES[day[i]]
        lang = "kk" if url_kk[i] else ("ru" if ru else "en")
        rid = 100_000 + (first_release + i) * 4 + int(id_jitter[i])
        url = SOURCE_URL.format(agency=AGENCIES[agency[i]], id=rid, lang=lang)
        m = source_mode[i]
        glue = "" if m < 0.5 else (" " if m < 0.75 else "\n")
        parts += (
            title,
            "\n" if date_next_line[i] else " ",
            date,
            "\n",
            body,
            glue,
            "Source : ",
            url,
            "\n\n" if blank[i] else "\n",
        )
    return "".join(parts), int(is_ru.sum())


def _write_file(task: tuple[int, int, int, int, str]) -> tuple[int, int, int]:
    """Worker: render and write one file; returns (releases, ru releases, bytes)."""
    seed, file_index, first, count, path = task
    text, n_ru = _render(seed, file_index, first, count)
    data = text.encode("utf-8")
    Path(path).write_bytes(data)
    return count, n_ru, len(data)


@dataclass(frozen=True)
class Summary:
    releases: int
    russian: int
    files: int
    bytes: int
    seconds: float
    jobs: int

    def line(self, out: Path, seed: int) -> str:
        rate = self.releases / self.seconds if self.seconds else float("inf")
        return (
            f"wrote {self.releases} releases (ru {self.russian}, "
            f"en {self.releases - self.russian}) in {self.files} files, "
            f"{self.bytes / 1e6:.1f} MB, to {out} in {self.seconds:.1f} s "
            f"({rate:.0f} releases/s, {self.jobs} jobs, seed {seed})"
        )


def plan(releases: int, per_file: int) -> list[tuple[int, int, int]]:
    """(file_index, first_release, count) for every file."""
    return [
        (i, first, min(per_file, releases - first))
        for i, first in enumerate(range(0, releases, per_file))
    ]


def generate(
    releases: int, out: Path, seed: int = 0, per_file: int = 500, jobs: int | None = None
) -> Summary:
    """Write the corpus into `out` (created if needed); stale `listing_*.txt` files beyond
    the new count are removed so a directory never mixes two corpora."""
    if releases < 0 or per_file < 1:
        raise ValueError("releases must be >= 0 and per_file >= 1")
    out.mkdir(parents=True, exist_ok=True)
    files = plan(releases, per_file)
    names = {f"listing_{i:05d}.txt" for i, _, _ in files}
    for stale in sorted(out.glob("listing_*.txt")):
        if stale.name not in names:
            stale.unlink()
    tasks = [
        (seed, i, first, count, str(out / f"listing_{i:05d}.txt")) for i, first, count in files
    ]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))
    start = time.perf_counter()
    vocab("ru"), vocab("en")  # built once here; forked workers inherit it
    if jobs == 1:
        results = list(map(_write_file, tasks))
    else:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            results = list(pool.map(_write_file, tasks, chunksize=1))
    n_ru = sum(r[1] for r in results)
    total = sum(r[2] for r in results)
    return Summary(releases, n_ru, len(tasks), total, time.perf_counter() - start, jobs)


def main(argv: Sequence[str] | None = None) -> int:
    doc = (__doc__ or "").strip().split("\n")[0]
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=doc)
    ap.add_argument("--releases", type=int, required=True, help="number of releases")
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-file", type=int, default=500, help="releases per listing file")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    args = ap.parse_args(argv)
    if args.releases < 0 or args.per_file < 1:
        ap.error("--releases must be >= 0 and --per-file >= 1")
    summary = generate(args.releases, args.out, args.seed, args.per_file, args.jobs)
    print(summary.line(args.out, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
