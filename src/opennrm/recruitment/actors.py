"""Joining ads into actors, and the network numbers a reviewer sorts by.

Two ads belong to the same actor when they share a contact identifier (phone, e-mail, chat handle) or a
near-duplicate template, directly or through a chain of other ads: the closure that a union-find computes,
here as connected components of the link graph (``scipy.sparse.csgraph``, linear time, arrays only).

An identifier shared by more than ``hub_limit`` ads (a platform's own hotline, a placeholder such as
"QQ:00000") would join unrelated ads, so it is reported as a hub and not used for linking.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from opennrm.recruitment.features import NETWORK_FEATURES
from opennrm.recruitment.templates import THRESHOLD, shared_key_edges, template_edges

HUB_LIMIT = 10_000
NO_TEMPLATE = -1


def stable_hash(text: str) -> int:
    """A 64-bit hash that is the same in every process (Python's ``hash`` is salted per process)."""
    if not text:
        return 0
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little") or 1


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label of each of ``n`` nodes, given undirected edges."""
    if n == 0:
        return np.empty(0, dtype=np.int64)
    graph = coo_matrix(
        (np.ones(len(left), dtype=np.int8), (left.astype(np.int64), right.astype(np.int64))), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels, dtype=np.int64)


def _size_of(labels: np.ndarray) -> np.ndarray:
    _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    return counts[inverse]


def _distinct_per(labels: np.ndarray, values: np.ndarray, ignore_zero: bool = True) -> np.ndarray:
    """For each element: how many distinct non-zero ``values`` its label has."""
    mask = values != 0 if ignore_zero else np.ones(len(values), dtype=bool)
    result = np.zeros(len(labels), dtype=np.int64)
    if not mask.any():
        return result
    pairs = np.unique(np.stack([labels[mask], values[mask].view(np.int64)], axis=1), axis=0)
    label_ids, counts = np.unique(pairs[:, 0], return_counts=True)
    lookup = np.searchsorted(label_ids, labels)
    lookup = np.clip(lookup, 0, len(label_ids) - 1)
    found = label_ids[lookup] == labels
    result[found] = counts[lookup[found]]
    return result


@dataclass(frozen=True, slots=True)
class LinkInputs:
    """Compact per-ad arrays the linker needs (a few hundred bytes per ad)."""

    signatures: np.ndarray  # (n, NUM_PERM) uint32
    eligible: np.ndarray  # (n,) bool: text long enough for template comparison
    identifier_ad: np.ndarray  # (m,) int64: ad position of each identifier occurrence
    identifier_key: np.ndarray  # (m,) uint64: hashed identifier key
    employer: np.ndarray  # (n,) uint64 hash, 0 = unknown
    title: np.ndarray  # (n,) uint64 hash
    city: np.ndarray  # (n,) uint64 hash, 0 = unknown


@dataclass(frozen=True, slots=True)
class Links:
    """What linking found, per ad position."""

    template: np.ndarray  # component label among template-linked ads, NO_TEMPLATE if none
    template_size: np.ndarray
    actor: np.ndarray
    actor_size: np.ndarray
    network: np.ndarray  # (n, len(NETWORK_FEATURES)) float32
    shared_identifier_employers: np.ndarray  # most employers sharing one of the ad's identifiers
    template_employers: np.ndarray
    actor_cities: np.ndarray
    hubs: int
    template_candidates: int
    template_pairs: int
    identifier_pairs: int


def link(inputs: LinkInputs, threshold: float = THRESHOLD, hub_limit: int = HUB_LIMIT) -> Links:
    """Templates, actors and network features for a whole batch of ads."""
    n = len(inputs.employer)
    found = template_edges(inputs.signatures, inputs.eligible, threshold)
    template_label = components(n, found.left, found.right)
    template_size = _size_of(template_label)
    template = np.where(template_size > 1, template_label, NO_TEMPLATE)

    keys, ads = inputs.identifier_key, inputs.identifier_ad
    hubs = 0
    if len(keys):
        unique_pairs = np.unique(np.stack([keys.view(np.int64), ads], axis=1), axis=0)
        keys, ads = unique_pairs[:, 0].view(np.uint64), unique_pairs[:, 1]
        _, key_inverse, key_counts = np.unique(keys, return_inverse=True, return_counts=True)
        usable = key_counts[key_inverse] <= hub_limit
        hubs = int((key_counts > hub_limit).sum())
        id_left, id_right = shared_key_edges(keys[usable], ads[usable])
        key_employers = _distinct_per(key_inverse, inputs.employer[ads])
        shared = np.zeros(n, dtype=np.int64)
        np.maximum.at(shared, ads, np.where(usable, key_employers, 0))
    else:
        id_left = id_right = np.empty(0, dtype=np.int64)
        shared = np.zeros(n, dtype=np.int64)

    actor = components(n, np.concatenate((found.left, id_left)), np.concatenate((found.right, id_right)))
    actor_size = _size_of(actor)
    employer_known = inputs.employer != 0
    employer_ads = np.where(employer_known, _size_of(inputs.employer.view(np.int64)), 0)
    employer_titles = _distinct_per(inputs.employer.view(np.int64), inputs.title, ignore_zero=False)
    employer_titles = np.where(employer_known, employer_titles, 0)
    template_employers = np.where(template >= 0, _distinct_per(template_label, inputs.employer), 0)
    actor_employers = _distinct_per(actor, inputs.employer)
    actor_cities = _distinct_per(actor, inputs.city)

    nan = np.float32("nan")
    network = np.empty((n, len(NETWORK_FEATURES)), dtype=np.float32)
    columns = {
        "employer_ads_log": np.where(employer_known, np.log1p(employer_ads), nan),
        "employer_titles_log": np.where(employer_known, np.log1p(employer_titles), nan),
        "employer_title_diversity": np.where(
            employer_known, employer_titles / np.maximum(employer_ads, 1), nan
        ),
        "actor_size_log": np.log1p(actor_size),
        "actor_employers": actor_employers,
        "actor_cities": actor_cities,
        "template_size_log": np.where(template >= 0, np.log1p(template_size), 0.0),
        "template_employers": template_employers,
        "identifier_shared_across_employers": (shared >= 2).astype(np.float32),
    }
    for column, name in enumerate(NETWORK_FEATURES):
        network[:, column] = columns[name]
    return Links(
        template=template,
        template_size=np.where(template >= 0, template_size, 1),
        actor=actor,
        actor_size=actor_size,
        network=network,
        shared_identifier_employers=shared,
        template_employers=template_employers,
        actor_cities=actor_cities,
        hubs=hubs,
        template_candidates=found.candidates,
        template_pairs=len(found.left),
        identifier_pairs=len(id_left),
    )


def actor_risk(actor: np.ndarray, risk: np.ndarray, top: int = 3) -> np.ndarray:
    """Network-level risk per ad: the mean of the ``top`` highest ad risks in its actor.

    The mean of the top few (not the maximum, not a noisy-OR) keeps one outlier ad from dominating and does
    not grow just because an actor posts more ads; size and spread are reported beside it.
    """
    n = len(actor)
    if n == 0:
        return np.empty(0, dtype=np.float32)
    order = np.lexsort((-risk, actor))
    sorted_actor = actor[order]
    starts = np.concatenate(([0], np.flatnonzero(sorted_actor[1:] != sorted_actor[:-1]) + 1))
    rank = np.arange(n) - np.repeat(starts, np.diff(np.concatenate((starts, [n]))))
    keep = rank < top
    sums = np.zeros(n, dtype=np.float64)
    counts = np.zeros(n, dtype=np.float64)
    np.add.at(sums, sorted_actor[keep], risk[order][keep])
    np.add.at(counts, sorted_actor[keep], 1)
    return np.asarray(sums[actor] / np.maximum(counts[actor], 1), dtype=np.float32)
