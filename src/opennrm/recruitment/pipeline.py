"""The scan pipeline: pure per-partition functions, and the local streaming engine that runs them.

Three steps, the same on every engine:

1. ``scan_partition`` (per partition, pure): ads → ``ScannedAd`` (flags with evidence, identifiers, the
   ad-level features including the text model's logit, a MinHash signature, hashed link keys).
2. ``LinkCollector.finish`` (once, on compact arrays of a few hundred bytes per ad): templates, actors,
   network features, calibrated risk and network risk → a ``Finalisation``.
3. ``Finalisation.annotate`` (per partition, pure): the partial record of step 1 → the output record.

The local engine streams the input once, keeps only the compact arrays in memory and spools the partial
records to a temporary file, then streams that file into the output: memory grows with the number of ads
by those few hundred bytes, never with the text.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import tempfile
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from opennrm.recruitment.actors import (
    HUB_LIMIT,
    NO_TEMPLATE,
    LinkInputs,
    Links,
    actor_risk,
    link,
    stable_hash,
)
from opennrm.recruitment.ads import JobAd, MalformedRecord
from opennrm.recruitment.analysis import AdAnalysis, analyse_ad
from opennrm.recruitment.features import NETWORK_FLAG, ad_feature_names
from opennrm.recruitment.lexicon import load_lexicon
from opennrm.recruitment.model import RiskModel
from opennrm.recruitment.reading import read_ads
from opennrm.recruitment.templates import NUM_PERM, signatures

CHUNK = 256
LINKED_IDS_SHOWN = 20
MALFORMED_KEPT = 1000

Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class ScannedAd:
    """Step-1 result for one ad: the partial output record and the compact data linking needs."""

    position: int
    output: dict[str, Any]
    features: np.ndarray
    signature: np.ndarray
    eligible: bool
    identifier_keys: tuple[int, ...]
    employer: int
    title: int
    city: int
    model_text: str = ""
    """Kept only when asked (training and evaluation need it; scanning does not)."""


def _flag_record(hit: Any, weights: dict[str, float]) -> dict[str, Any]:
    return {
        "flag": hit.flag,
        "evidence": hit.evidence,
        "start": hit.start,
        "end": hit.end,
        "weight": weights.get(hit.flag, 0.0),
        "field": hit.field,
    }


def partial_output(analysis: AdAnalysis, weights: dict[str, float]) -> dict[str, Any]:
    """The output record without the fields that need the whole batch."""
    ad = analysis.ad
    return {
        "id": ad.id,
        "lang": analysis.lang,
        "flags": [_flag_record(hit, weights) for hit in analysis.flags],
        "identifiers": [
            {"kind": i.kind, "value": i.value, "field": i.field, "start": i.start, "end": i.end}
            for i in analysis.identifiers
        ],
        "title": ad.title,
        "company": ad.company,
        "city": ad.city,
        "url": ad.url,
    }


def scan_partition(
    ads: Iterable[tuple[int, JobAd]], model: RiskModel, chunk_size: int = CHUNK, keep_text: bool = False
) -> Iterator[ScannedAd]:
    """Step 1 on one partition: ``(position, ad)`` pairs in, ``ScannedAd`` out, ``chunk_size`` at a time."""
    flag_ids = load_lexicon().ad_flag_ids
    batch: list[tuple[int, JobAd]] = []
    for item in ads:
        batch.append(item)
        if len(batch) >= chunk_size:
            yield from _scan_chunk(batch, model, flag_ids, keep_text)
            batch = []
    if batch:
        yield from _scan_chunk(batch, model, flag_ids, keep_text)


def link_partition(ads: Iterable[tuple[int, JobAd]], chunk_size: int = CHUNK) -> Iterator[ScannedAd]:
    """Step 1 for linking alone: identifiers and a template signature per ad, no flags and no model."""
    batch: list[tuple[int, JobAd]] = []
    for item in ads:
        batch.append(item)
        if len(batch) >= chunk_size:
            yield from _link_chunk(batch)
            batch = []
    if batch:
        yield from _link_chunk(batch)


def _link_chunk(batch: Sequence[tuple[int, JobAd]]) -> Iterator[ScannedAd]:
    analyses = [analyse_ad(ad, link_only=True) for _, ad in batch]
    rows, eligible = signatures([a.model_text for a in analyses])
    empty = np.empty(0, dtype=np.float32)
    for index, ((position, ad), analysis) in enumerate(zip(batch, analyses, strict=True)):
        yield ScannedAd(
            position=position,
            output={"id": ad.id},
            features=empty,
            signature=rows[index],
            eligible=bool(eligible[index]),
            identifier_keys=tuple(sorted({stable_hash(i.key) for i in analysis.identifiers})),
            employer=stable_hash(ad.employer_key),
            title=stable_hash(ad.title.strip().lower()),
            city=stable_hash((ad.city or "").strip().lower()),
        )


def _scan_chunk(
    batch: Sequence[tuple[int, JobAd]], model: RiskModel, flag_ids: tuple[str, ...], keep_text: bool
) -> Iterator[ScannedAd]:
    analyses = [analyse_ad(ad) for _, ad in batch]
    texts = [a.model_text for a in analyses]
    logits = model.text_logits(texts)
    rows, eligible = signatures(texts)
    for index, ((position, ad), analysis) in enumerate(zip(batch, analyses, strict=True)):
        yield ScannedAd(
            position=position,
            output=partial_output(analysis, model.flag_weights),
            features=analysis.ad_vector(flag_ids, float(logits[index])),
            signature=rows[index],
            eligible=bool(eligible[index]),
            identifier_keys=tuple(sorted({stable_hash(i.key) for i in analysis.identifiers})),
            employer=stable_hash(ad.employer_key),
            title=stable_hash(ad.title.strip().lower()),
            city=stable_hash((ad.city or "").strip().lower()),
            model_text=analysis.model_text if keep_text else "",
        )


def _cluster_name(prefix: str, first_id: str) -> str:
    return f"{prefix}-{hashlib.blake2b(first_id.encode('utf-8'), digest_size=6).hexdigest()}"


@dataclass
class Finalisation:
    """Step-2 result: everything step 3 needs to complete each ad's record (arrays indexed by position)."""

    risk: np.ndarray
    actor_risk: np.ndarray
    actor: np.ndarray
    actor_size: np.ndarray
    template: np.ndarray
    template_size: np.ndarray
    shared_identifier_employers: np.ndarray
    template_employers: np.ndarray
    actor_names: dict[int, str]
    template_names: dict[int, str]
    members: dict[int, list[str]]
    network_weight: float
    summary: dict[str, Any] = field(default_factory=dict)

    def annotate(self, position: int, partial: dict[str, Any]) -> dict[str, Any]:
        """Step 3: the output record of the ad at ``position``."""
        ad_id = partial["id"]
        actor = int(self.actor[position])
        template = int(self.template[position])
        flags = list(partial["flags"])
        shared = int(self.shared_identifier_employers[position])
        if shared >= 2:
            flags.append(self._network_hit(f"a contact in this ad appears in ads of {shared} employers"))
        if template != NO_TEMPLATE and int(self.template_employers[position]) >= 2:
            count = int(self.template_employers[position])
            flags.append(self._network_hit(f"near-identical text posted under {count} employers"))
        linked = [other for other in self.members.get(actor, []) if other != ad_id][:LINKED_IDS_SHOWN]
        record: dict[str, Any] = {
            "id": ad_id,
            "risk": round(float(self.risk[position]), 4),
            "flags": flags,
            "template_id": self.template_names.get(template) if template != NO_TEMPLATE else None,
            "actor_id": self.actor_names.get(actor) or _cluster_name("actor", ad_id),
            "linked_ids": linked,
            "lang": partial["lang"],
            "actor_size": int(self.actor_size[position]),
            "actor_risk": round(float(self.actor_risk[position]), 4),
            "template_size": int(self.template_size[position]),
        }
        record.update({k: v for k, v in partial.items() if k not in record and k != "flags"})
        return record

    def _network_hit(self, evidence: str) -> dict[str, Any]:
        return {
            "flag": NETWORK_FLAG,
            "evidence": evidence,
            "start": None,
            "end": None,
            "weight": self.network_weight,
            "field": None,
        }


class LinkCollector:
    """Collects the compact per-ad data of step 1, in position order, and runs step 2."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._signature_blocks: list[np.ndarray] = []
        self._feature_blocks: list[np.ndarray] = []
        self._signature_buffer: list[np.ndarray] = []
        self._feature_buffer: list[np.ndarray] = []
        self._eligible = array("b")
        self._identifier_ad = array("q")
        self._identifier_key = array("Q")
        self._employer = array("Q")
        self._title = array("Q")
        self._city = array("Q")

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        return self._ids

    def add(self, scanned: ScannedAd) -> None:
        index = len(self._ids)
        if scanned.position != index:
            raise ValueError(
                f"ads must be collected in position order (got {scanned.position}, expected {index})"
            )
        self._ids.append(scanned.output["id"])
        self._signature_buffer.append(scanned.signature)
        self._feature_buffer.append(scanned.features)
        if len(self._signature_buffer) >= 4096:
            self._flush()
        self._eligible.append(1 if scanned.eligible else 0)
        for key in scanned.identifier_keys:
            self._identifier_ad.append(index)
            self._identifier_key.append(key)
        self._employer.append(scanned.employer)
        self._title.append(scanned.title)
        self._city.append(scanned.city)

    def _flush(self) -> None:
        if self._signature_buffer:
            self._signature_blocks.append(np.stack(self._signature_buffer).astype(np.uint32))
            self._feature_blocks.append(np.stack(self._feature_buffer).astype(np.float32))
            self._signature_buffer, self._feature_buffer = [], []

    def link_inputs(self) -> LinkInputs:
        self._flush()
        n = len(self._ids)
        return LinkInputs(
            signatures=(
                np.concatenate(self._signature_blocks) if n else np.empty((0, NUM_PERM), dtype=np.uint32)
            ),
            eligible=np.frombuffer(self._eligible, dtype=np.int8).astype(bool),
            identifier_ad=np.frombuffer(self._identifier_ad, dtype=np.int64).copy(),
            identifier_key=np.frombuffer(self._identifier_key, dtype=np.uint64).copy(),
            employer=np.frombuffer(self._employer, dtype=np.uint64).copy(),
            title=np.frombuffer(self._title, dtype=np.uint64).copy(),
            city=np.frombuffer(self._city, dtype=np.uint64).copy(),
        )

    def ad_features(self) -> np.ndarray:
        self._flush()
        if not self._feature_blocks:
            return np.empty((0, len(ad_feature_names())), dtype=np.float32)
        return np.concatenate(self._feature_blocks)

    def finish(self, model: RiskModel) -> Finalisation:
        """Step 2: link, score and name clusters."""
        inputs = self.link_inputs()
        self._signature_blocks = []
        links = link(inputs)
        employers = inputs.employer
        del inputs
        features = np.hstack([self.ad_features(), links.network]) if len(self) else np.empty((0, 0))
        risk = model.risk(features, employers) if len(self) else np.empty(0, dtype=np.float32)
        network_risk = actor_risk(links.actor, risk)
        ids = self._ids
        actor_names: dict[int, str] = {}
        template_names: dict[int, str] = {}
        members: dict[int, list[str]] = {}
        multi = np.flatnonzero(links.actor_size > 1)
        if len(multi):
            order = multi[np.lexsort((-risk[multi], links.actor[multi]))]
            for position in order:
                label = int(links.actor[position])
                shown = members.setdefault(label, [])
                if len(shown) <= LINKED_IDS_SHOWN:
                    shown.append(ids[position])
            firsts = np.unique(links.actor[multi], return_index=True)[1]
            for position in multi[firsts]:
                actor_names[int(links.actor[position])] = _cluster_name("actor", ids[position])
        templated = np.flatnonzero(links.template != NO_TEMPLATE)
        if len(templated):
            firsts = np.unique(links.template[templated], return_index=True)[1]
            for position in templated[firsts]:
                template_names[int(links.template[position])] = _cluster_name("tpl", ids[position])
        summary = {
            "ads": len(self),
            "templates": len(template_names),
            "ads_in_templates": len(templated),
            "actors_with_several_ads": len(actor_names),
            "ads_in_such_actors": len(multi),
            "identifier_hubs_ignored": links.hubs,
            "template_candidate_pairs": links.template_candidates,
            "template_pairs_verified": links.template_pairs,
        }
        return Finalisation(
            risk=risk,
            actor_risk=network_risk,
            actor=links.actor,
            actor_size=links.actor_size,
            template=links.template,
            template_size=links.template_size,
            shared_identifier_employers=links.shared_identifier_employers,
            template_employers=links.template_employers,
            actor_names=actor_names,
            template_names=template_names,
            members=members,
            network_weight=model.flag_weights.get(NETWORK_FLAG, 0.0),
            summary=summary,
        )


def annotate_partition(
    partials: Iterable[tuple[int, dict[str, Any]]], finalisation: Finalisation
) -> Iterator[dict[str, Any]]:
    """Step 3 on one partition."""
    for position, partial in partials:
        yield finalisation.annotate(position, partial)


@dataclass
class ScanSummary:
    """What a scan did: counts, malformed records (first ``MALFORMED_KEPT``), timing."""

    ads: int = 0
    malformed: list[MalformedRecord] = field(default_factory=list)
    malformed_count: int = 0
    seconds: float = 0.0
    engine: str = "local"
    links: dict[str, Any] = field(default_factory=dict)

    def note_malformed(self, record: MalformedRecord) -> None:
        self.malformed_count += 1
        if len(self.malformed) < MALFORMED_KEPT:
            self.malformed.append(record)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ads": self.ads,
            "malformed": self.malformed_count,
            "seconds": round(self.seconds, 3),
            "engine": self.engine,
            **self.links,
        }


# -- the local engine ---------------------------------------------------------------------------------

_WORKER_MODEL: RiskModel | None = None


def _init_worker(model: RiskModel | None) -> None:
    """Pool initialiser: one model per worker, and one thread per worker (no OpenMP/BLAS oversubscription)."""
    from threadpoolctl import threadpool_limits

    global _WORKER_MODEL  # one model per worker process, set once by the pool initialiser
    _WORKER_MODEL = model
    threadpool_limits(1)


def _scan_chunk_in_worker(batch: list[tuple[int, JobAd]]) -> list[ScannedAd]:
    if _WORKER_MODEL is None:
        return list(link_partition(batch, chunk_size=len(batch) or 1))
    return list(scan_partition(batch, _WORKER_MODEL, chunk_size=len(batch) or 1))


def _chunks(
    records: Iterable[JobAd | MalformedRecord], summary: ScanSummary, size: int
) -> Iterator[list[tuple[int, JobAd]]]:
    batch: list[tuple[int, JobAd]] = []
    position = 0
    for record in records:
        if isinstance(record, MalformedRecord):
            summary.note_malformed(record)
            continue
        batch.append((position, record))
        position += 1
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def scan_ads_stream(
    records: Iterable[JobAd | MalformedRecord],
    model: RiskModel | None,
    summary: ScanSummary,
    workers: int = 1,
    chunk_size: int = CHUNK,
) -> Iterator[ScannedAd]:
    """Step 1 over a stream, in order, on ``workers`` processes with a bounded number of chunks in flight.

    With ``model=None`` only what linking needs is computed (``link_partition``).
    """
    chunks = _chunks(records, summary, chunk_size)
    if workers <= 1:
        for batch in chunks:
            if model is None:
                yield from link_partition(batch, chunk_size)
            else:
                yield from scan_partition(batch, model, chunk_size)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(model,)) as pool:
        pending: deque[Any] = deque()
        for batch in chunks:
            pending.append(pool.apply_async(_scan_chunk_in_worker, (batch,)))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def scan_file(
    source: Path,
    destination: Path,
    model: RiskModel,
    progress: Progress | None = None,
    workers: int = 1,
) -> ScanSummary:
    """Scan ``source`` (JSON Lines or CSV) into ``destination`` (JSON Lines), streaming."""
    started = time.perf_counter()
    summary = ScanSummary(engine="local")
    collector = LinkCollector()
    with tempfile.TemporaryDirectory(prefix="opennrm-scan-") as spool_dir:
        spool = Path(spool_dir) / "partial.jsonl"
        with spool.open("w", encoding="utf-8") as out:
            for scanned in scan_ads_stream(read_ads(source), model, summary, workers):
                collector.add(scanned)
                out.write(json.dumps(scanned.output, ensure_ascii=False) + "\n")
                if progress is not None and len(collector) % CHUNK == 0:
                    progress("scan", len(collector), None)
        summary.ads = len(collector)
        if progress is not None:
            progress("scan", summary.ads, summary.ads)
            progress("link", 0, None)
        finalisation = collector.finish(model)
        del collector
        summary.links = finalisation.summary
        if progress is not None:
            progress("link", 1, 1)
        with spool.open(encoding="utf-8") as partials, destination.open("w", encoding="utf-8") as out:
            for position, line in enumerate(partials):
                record = finalisation.annotate(position, json.loads(line))
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                if progress is not None and (position + 1) % CHUNK == 0:
                    progress("write", position + 1, summary.ads)
        if progress is not None:
            progress("write", summary.ads, summary.ads)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class LinkReport:
    """``link_file``'s result: the links, the ids in input order, and what the run did."""

    links: Links
    ids: list[str]
    summary: ScanSummary
    seconds_extracting: float
    seconds_linking: float


def link_file(
    source: Path, workers: int = 1, progress: Progress | None = None, hub_limit: int = HUB_LIMIT
) -> LinkReport:
    """Link the ads of a file into templates and actors without scoring them (for very large crawls)."""
    started = time.perf_counter()
    summary = ScanSummary(engine="local")
    collector = LinkCollector()
    for scanned in scan_ads_stream(read_ads(source), None, summary, workers):
        collector.add(scanned)
        if progress is not None and len(collector) % 4096 == 0:
            progress("scan", len(collector), None)
    summary.ads = len(collector)
    extracted = time.perf_counter()
    inputs = collector.link_inputs()
    ids = collector.ids
    del collector
    links = link(inputs, hub_limit=hub_limit)
    finished = time.perf_counter()
    summary.seconds = finished - started
    return LinkReport(links, ids, summary, extracted - started, finished - extracted)


def scan_ads(
    ads: Iterable[JobAd], model: RiskModel, progress: Callable[[int], None] | None = None
) -> tuple[list[dict[str, Any]], Finalisation]:
    """Scan ads held in memory (tests, small batches, the web app): output records in input order.
    ``progress(n)`` is told every 500 ads how many are scanned."""
    collector = LinkCollector()
    partials: list[dict[str, Any]] = []
    for scanned in scan_partition(enumerate(ads), model):
        collector.add(scanned)
        partials.append(scanned.output)
        if progress is not None and len(partials) % 500 == 0:
            progress(len(partials))
    finalisation = collector.finish(model)
    return list(annotate_partition(enumerate(partials), finalisation)), finalisation
