"""Measures of a linkage: pairwise precision, recall and F1 against the truth, the error in the number of
persons, the exact keyed-hash baseline, and a frequency attack on encodings of common names."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from opennrm.linkage.normalise import QuasiIdentifiers, fold


@dataclass(frozen=True)
class PairwiseScore:
    precision: float
    recall: float
    f1: float
    persons_true: int
    persons_found: int

    @property
    def person_count_error(self) -> float:
        return abs(self.persons_found - self.persons_true) / max(self.persons_true, 1)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "persons_true": self.persons_true,
            "persons_found": self.persons_found,
            "person_count_error": round(self.person_count_error, 4),
        }


def _pairs(groups: dict[object, list[int]]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for members in groups.values():
        members = sorted(members)
        out.update((a, b) for x, a in enumerate(members) for b in members[x + 1 :])
    return out


def pairwise(truth: Sequence[object], found: Sequence[object]) -> PairwiseScore:
    """Pairwise scores over all record pairs: a pair is a link when both records are in one cluster."""
    true_groups: dict[object, list[int]] = defaultdict(list)
    found_groups: dict[object, list[int]] = defaultdict(list)
    for index, (t, f) in enumerate(zip(truth, found, strict=True)):
        true_groups[t].append(index)
        found_groups[f].append(index)
    true_pairs, found_pairs = _pairs(true_groups), _pairs(found_groups)
    both = len(true_pairs & found_pairs)
    precision = both / len(found_pairs) if found_pairs else 1.0
    recall = both / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScore(precision, recall, f1, len(true_groups), len(found_groups))


def exact_keys(people: Sequence[QuasiIdentifiers], secret: bytes) -> list[str]:
    """The baseline: a keyed hash of the normalised given name, family name and birth date."""
    out = []
    for index, p in enumerate(people):
        if not (p.given_name or p.family_name) or p.birth_date is None:
            out.append(f"alone-{index}")  # nothing to match on
            continue
        text = f"{fold(p.given_name or '')}|{fold(p.family_name or '')}|{p.birth_date.isoformat()}"
        out.append(hmac.digest(secret, text.encode(), hashlib.sha256).hex())
    return out


@dataclass(frozen=True)
class AttackResult:
    name: str
    carriers: int
    predicted: int
    correct: int

    @property
    def reidentified(self) -> float:
        """The share of the name's carriers the attacker picks out, counted only when at least half of her
        picks are right (a guess right less often than not re-identifies no one)."""
        if not self.predicted or self.correct * 2 < self.predicted:
            return 0.0
        return self.correct / max(self.carriers, 1)


def frequency_attack(encodings: np.ndarray, name_of: Sequence[str], positions_per_name: int) -> AttackResult:
    """A frequency and pattern-mining attack on record-level encodings (after Christen et al. 2017, 2018).

    The attacker knows the most frequent name and its share of the population (public name statistics),
    and that a name's bits appear together. Among positions set in 5 to 50 % of encodings she grows groups of
    ``positions_per_name`` positions that co-occur tightly (Jaccard similarity of the sets of encodings that
    have them), one group from each of the 200 tightest pairs, keeps the group whose support is closest to
    the name's share, and claims every encoding that has all of its positions carries that name.
    ``name_of`` is the truth, for scoring (and the share) only."""
    bits = np.unpackbits(encodings, axis=1).astype(np.float32)
    counts = Counter(name_of)
    name, carriers = counts.most_common(1)[0]
    share = carriers / len(name_of)
    frequency = bits.mean(axis=0)
    usable = np.flatnonzero((frequency >= 0.05) & (frequency <= 0.5))
    sub = bits[:, usable]
    both = sub.T @ sub
    single = np.diag(both)
    jaccard = both / np.maximum(single[:, None] + single[None, :] - both, 1.0)
    np.fill_diagonal(jaccard, -1.0)
    flat = np.argsort(-np.triu(jaccard, 1), axis=None)[:200]
    best_group: list[int] = []
    best_gap = np.inf
    present = sub.astype(bool)
    for seed in flat:
        first, second = np.unravel_index(int(seed), jaccard.shape)
        group = [int(first), int(second)]
        closeness = np.minimum(jaccard[first], jaccard[second]).copy()
        while len(group) < positions_per_name:
            closeness[group] = -1.0
            nxt = int(np.argmax(closeness))
            group.append(nxt)
            closeness = np.minimum(closeness, jaccard[nxt])
        gap = abs(float(present[:, group].all(axis=1).mean()) - share)
        if gap < best_gap:
            best_group, best_gap = group, gap
    predicted = present[:, best_group].all(axis=1)
    truth = np.array([n == name for n in name_of])
    return AttackResult(name, carriers, int(predicted.sum()), int((predicted & truth).sum()))
