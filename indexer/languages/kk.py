"""Stand-in until the Kazakh analyser lands from the `kazakh` branch: words as written."""


def lemma(word: str) -> str:
    return word


def is_proper(word: str) -> bool:
    return False


def _readings(word: str) -> list[tuple[str, tuple[str, ...]]]:
    return []
