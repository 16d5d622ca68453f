"""The search benchmarks' query mix: 100 queries per class, the same in every run.

Words are the seeded vocabulary of bench/lib/seed.sh (word(1) is the most common).
Used by bench/search-scale.sh.
"""
import hashlib
import random

CLASSES = ("common", "rare", "pair", "phrase", "exclusion")


def word(n):
    return hashlib.md5(str(n).encode()).hexdigest()[:7].translate(str.maketrans("0123456789", "ghijklmnop"))


def queries(per_class=100):
    """{class: [websearch query, ...]}, in websearch syntax (quotes, -word)."""
    rng = random.Random(20261202)
    make = {
        "common": lambda: word(rng.randint(1, 100)),
        "rare": lambda: word(rng.randint(1500, 5000)),
        "pair": lambda: f"{word(rng.randint(1, 300))} {word(rng.randint(1, 300))}",
        "phrase": lambda: f'"{word(rng.randint(1, 30))} {word(rng.randint(1, 30))}"',
        "exclusion": lambda: f"{word(rng.randint(1, 100))} -{word(rng.randint(1, 300))}",
    }
    return {c: [make[c]() for _ in range(per_class)] for c in CLASSES}
