"""The corpus models that ship inside PyPI packages (`trtlab.corpus`), with inputs for the precision tests."""

from __future__ import annotations

import numpy as np

from trtlab.feeds import random_feeds

from tests.real_models import load_corpus

def load_real(name: str):
    """(trtlab Model, feeds) for the corpus model `name` (`trtlab.corpus`): its own real values
    where it has some, random ones for the rest; skips naming the package when it is missing."""
    model, fixed = load_corpus(name)
    feeds = random_feeds(model)
    feeds.update(fixed or {})
    return model, feeds


def cosine(a, b) -> float:
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
