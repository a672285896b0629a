"""Record linkage as a library: normalisation, keyed encodings, hardening, matching without chaining, the
export format (no identifier in it), and a frequency attack bounded as ADR 0009 says."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from opennrm.linkage import evaluation, exchange, matching, synthetic
from opennrm.linkage.encoding import (
    HARDENINGS,
    Encoder,
    LinkageSecretError,
    Schema,
    new_secret,
    secret_from_text,
    secret_to_text,
)
from opennrm.linkage.normalise import QuasiIdentifiers, features, fold, name_words, skeleton

SECRET = bytes(range(32))


def encode(people: list[QuasiIdentifiers], hardening: str = "rule90", secret: bytes = SECRET) -> np.ndarray:
    return Encoder(secret, Schema(hardening=hardening)).encode([features(p) for p in people])


def dice(a: np.ndarray, b: np.ndarray) -> float:
    w = matching.words(np.vstack([a, b]))
    counts = np.bitwise_count(w).sum(axis=1)
    return float(matching.dice(w, counts, np.array([0]), np.array([1]))[0])


def test_names_fold_across_scripts_diacritics_and_transliterations() -> None:
    assert fold("Nguyễn Thị-Hà") == "nguyen thi ha"
    assert fold("Олена") == "olena"
    assert {skeleton(w) for w in ("mohammed", "muhammad", "mohamed", "mokhammed")} == {"mhmd"}
    assert skeleton(fold("محمد")) == "mhmd"
    assert name_words("Aisha", "Al-Hassan") == name_words("Hassan", "Aisha")


def test_a_swap_of_given_and_family_name_changes_no_bit() -> None:
    born = dt.date(1990, 5, 14)
    a = encode([QuasiIdentifiers("Aisha", "Okafor", born, "female")])
    b = encode([QuasiIdentifiers("Okafor", "Aisha", born, "female")])
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("hardening", HARDENINGS)
def test_the_same_person_written_differently_is_closer_than_another_person(hardening: str) -> None:
    born = dt.date(1993, 2, 11)
    her = QuasiIdentifiers("Fatima", "Mohammed", born, "female")
    variant = QuasiIdentifiers("Fatma", "Muhammad", born, "female")
    other = QuasiIdentifiers("Fatima", "Mohammed", dt.date(1971, 9, 30), "female")
    enc = encode([her, variant, other], hardening)
    assert dice(enc[0], enc[1]) > dice(enc[0], enc[2])
    assert dice(enc[0], enc[1]) >= matching.DEFAULT_THRESHOLDS[hardening]


def test_encodings_depend_on_the_secret() -> None:
    person = [QuasiIdentifiers("Olena", "Kovalenko", dt.date(1988, 1, 2), "female")]
    assert encode(person).tobytes() == encode(person).tobytes()
    assert encode(person).tobytes() != encode(person, secret=new_secret()).tobytes()


def test_a_secret_must_be_long_and_hexadecimal() -> None:
    secret = new_secret()
    assert secret_from_text(secret_to_text(secret) + "\n") == secret
    with pytest.raises(LinkageSecretError):
        secret_from_text("abcd")
    with pytest.raises(LinkageSecretError):
        secret_from_text("not hex at all")


CANARY = QuasiIdentifiers(
    "Zenobia-Canary", "Quixotica", dt.date(1987, 7, 19), "female", "+44 7700 900 871", "PX-4417781"
)


def test_an_export_holds_no_name_birth_date_phone_or_document() -> None:
    encoded = exchange.export_document([[CANARY], [CANARY]], SECRET)
    text = json.dumps(encoded.document).lower()
    for needle in ("zenobia", "canary", "quixotica", "1987", "07-19", "900871", "7700", "4417781", "female"):
        assert needle not in text
    records = encoded.document["records"]
    assert set(records[0]) == {"token", "source", "clk", "birth_known"}
    assert records[0]["source"] != records[1]["source"]


def test_tokens_and_source_labels_are_new_in_each_export() -> None:
    first = exchange.export_document([[CANARY]], SECRET)
    second = exchange.export_document([[CANARY]], SECRET)
    assert set(first.tokens).isdisjoint(second.tokens)
    assert first.document["records"][0]["source"] != second.document["records"][0]["source"]
    assert first.document["records"][0]["clk"] == second.document["records"][0]["clk"]


def test_match_refuses_exports_under_different_secrets_or_schemas() -> None:
    a = exchange.parse_export(exchange.export_document([[CANARY]], SECRET).document)
    b = exchange.parse_export(exchange.export_document([[CANARY]], new_secret()).document)
    with pytest.raises(exchange.ExchangeError, match="another linkage secret"):
        exchange.match_exports([a, b])
    c = exchange.parse_export(exchange.export_document([[CANARY]], SECRET, Schema(hardening="none")).document)
    with pytest.raises(exchange.ExchangeError, match="another schema"):
        exchange.match_exports([a, c])
    with pytest.raises(exchange.ExchangeError, match="not an OpenNRM linkage export"):
        exchange.read_export(b'{"format": "other"}')
    with pytest.raises(exchange.ExchangeError, match="twice"):
        exchange.match_exports([a, a])


def test_two_organisations_match_one_person_and_keep_others_apart() -> None:
    born = dt.date(1995, 3, 8)
    shelter = [QuasiIdentifiers("Aïcha", "Diallo", born, "female"), QuasiIdentifiers("Grace", "Mensah")]
    clinic = [QuasiIdentifiers("Aicha", "Jallow", born, "female"), QuasiIdentifiers("Li", "Wang")]
    ea, eb = exchange.export_document([shelter], SECRET), exchange.export_document([clinic], SECRET)
    a, b = exchange.parse_export(ea.document), exchange.parse_export(eb.document)
    persons = dict(exchange.match_exports([a, b]))
    assert persons[ea.tokens[0]] == persons[eb.tokens[0]]  # tokens in the order of the persons
    assert len(set(persons.values())) == 3
    assert all(p.startswith("np-") for p in persons.values())
    rows = exchange.read_persons_csv(exchange.persons_csv(persons.items()))
    assert dict(rows) == persons


def test_a_person_appears_at_most_once_per_organisation() -> None:
    born = dt.date(1990, 1, 1)
    twin = QuasiIdentifiers("Maria", "Santos", born, "female")
    enc = encode([twin, twin, twin])
    sources = np.array([0, 0, 1])
    linked = matching.link(enc, sources, 0.7, matching.Blocking(bands=20, band_bits=8))
    assert linked.labels[0] != linked.labels[1]  # one organisation, two records: two persons
    assert linked.persons == 2


def test_a_chain_does_not_join_two_people_who_do_not_resemble_each_other() -> None:
    """A~B and B~C above the threshold, A and C far apart: greedy single linkage would make one person of
    all three; the clustering keeps C out (every pair in a cluster must stay near the threshold)."""
    rng = np.random.default_rng(3)
    a = rng.random(1024) < 0.4
    b = a.copy()
    flip = rng.choice(1024, 250, replace=False)
    b[flip] = rng.random(250) < 0.4
    c = b.copy()
    flip = rng.choice(np.flatnonzero(~np.isin(np.arange(1024), flip)), 400, replace=False)
    c[flip] = rng.random(400) < 0.4
    enc = np.packbits(np.vstack([a, b, c]), axis=1)
    ab, bc, ac = dice(enc[0], enc[1]), dice(enc[1], enc[2]), dice(enc[0], enc[2])
    threshold = min(ab, bc) - 0.01
    assert ac < threshold - 0.12  # the far end of the chain
    sources = np.array([0, 1, 2])
    i, j = np.array([0, 1, 0]), np.array([1, 2, 2])
    sims = np.array([ab, bc, ac])
    labels = matching.cluster(enc, sources, i, j, sims, threshold)
    assert labels[0] == labels[1] != labels[2] or labels[1] == labels[2] != labels[0]
    unconstrained = matching.cluster(enc, sources, i, j, sims, threshold, slack=1.0)
    assert len(set(unconstrained.tolist())) == 1  # without the rule the chain joins all three


def test_linkage_beats_exact_keyed_hashes_on_the_generator() -> None:
    records = synthetic.generate(300, seed=5, population="regional")
    people = [r.identifiers for r in records]
    truth = [r.person for r in records]
    enc = encode(people)
    linked = matching.link(
        enc,
        [r.organisation for r in records],
        matching.DEFAULT_THRESHOLDS["rule90"],
        complete=[p.birth_date is not None for p in people],
        discount=matching.PARTIAL_DISCOUNT["rule90"],
    )
    clk = evaluation.pairwise(truth, linked.labels.tolist())
    exact = evaluation.pairwise(truth, evaluation.exact_keys(people, SECRET))
    assert clk.f1 >= exact.f1 + 0.3
    assert clk.precision >= 0.9
    assert clk.person_count_error <= 0.08


def test_the_generator_writes_one_person_differently_across_organisations() -> None:
    records = synthetic.generate(200, seed=1)
    by_person: dict[int, list[synthetic.SyntheticRecord]] = {}
    for r in records:
        by_person.setdefault(r.person, []).append(r)
    assert max(len(v) for v in by_person.values()) <= 4
    assert all(len({r.organisation for r in v}) == len(v) for v in by_person.values())
    differing = sum(
        len({(r.identifiers.given_name, r.identifiers.family_name) for r in v}) > 1
        for v in by_person.values()
    )
    assert differing > 20


# ADR 0009: the attack below (a pattern-mining frequency attack, ``evaluation.frequency_attack``) picks out
# most carriers of the most frequent family name when nothing hardens the encodings, and none once they are
# hardened with Rule 90 (re-identification counted only where at least half of the attacker's picks are
# right). The bound the default is held to: 5 %.
ATTACK_BOUND = 0.05


def test_a_frequency_attack_on_common_names_is_bounded() -> None:
    # the stress population, where one family name in six makes the attack work on plain encodings
    records = synthetic.generate(1200, seed=99, population="stress")
    people = [r.identifiers for r in records]
    family = [" ".join(sorted(skeleton(w) for w in fold(p.family_name or "").split())) for p in people]
    # three fixed secrets, so that the test gives the same answer every run (a drawn secret now and then
    # leads the attack astray even without hardening)
    for secret in (bytes([k]) * 32 for k in (1, 5, 9)):
        results = {}
        for hardening in ("none", "rule90"):
            enc = encode(people, hardening, secret)
            results[hardening] = max(
                evaluation.frequency_attack(enc, family, m).reidentified for m in (8, 12)
            )
        assert results["rule90"] <= ATTACK_BOUND
        assert results["none"] > 0.5  # the attack works where nothing hardens the encodings


def test_a_record_with_two_candidates_in_one_other_organisation_is_ambiguous() -> None:
    """Each organisation has de-duplicated its own persons, so two candidates of one record in one other
    organisation mean at least one false candidate; candidates in two different organisations do not."""
    sources = np.array([0, 1, 1, 2])
    # record 0 has candidates 1 and 2 (both in organisation 1) and 3 (organisation 2)
    i, j = np.array([0, 0, 0]), np.array([1, 2, 3])
    assert matching.ambiguous_share(i, j, sources, 4) == 1 / 4
    assert matching.ambiguous_share(np.array([0, 0]), np.array([1, 3]), sources, 4) == 0.0


def test_the_threshold_rises_until_few_records_are_ambiguous() -> None:
    """No labels: the run's threshold goes up from the tuned one, a step at a time, until at most
    ``AMBIGUITY_LIMIT`` of the records have two candidates in one other organisation."""
    sources = np.array([0, 1, 1, 0, 1, 1])
    i, j = np.array([0, 0, 3, 3]), np.array([1, 2, 4, 5])
    similarity = np.array([0.90, 0.70, 0.95, 0.66])  # the weaker candidate of each falls at 0.72
    assert matching.calibrated_threshold(i, j, similarity, sources, 6, 0.64) == 0.72
    clear = np.array([0.90, 0.50, 0.95, 0.50])
    assert matching.calibrated_threshold(i, j, clear, sources, 6, 0.64) == 0.64
    assert (
        matching.calibrated_threshold(i, j, np.ones(4), sources, 6, 0.64) == 0.64 + matching.CALIBRATION_RISE
    )
