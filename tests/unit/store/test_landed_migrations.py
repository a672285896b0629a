"""Landed migrations never change (CONTRIBUTING.md): a database made at any of them must upgrade the same way
everywhere. Each migration file is pinned here by a fingerprint of its bytes; a fix is a new migration, and a
new migration is added to this table in the commit that lands it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import opennrm.store.migrations.versions as versions

VERSIONS = Path(versions.__file__).parent

# file → the first 16 hex digits of the SHA-256 of its bytes
LANDED: dict[str, str] = {
    "0001_initial_schema.py": "0d6c913cfc9d8341",
    "0002_one_time_codes_are_accepted_once.py": "34e7c5c698096628",
    "0003_screenings_stored_on_cases.py": "a410ac90638b7e17",
    "0004_consent_disclosures_and_teams.py": "7b2dac0a96f9c7e3",
    "0005_recovery_codes.py": "6c0d8d63fa3cfd83",
    "0006_referral_network_and_entitlements.py": "263cdd2d98d9e9d8",
    "0007_case_list_indexes.py": "b3f139a654ca7137",
    "0008_ad_review.py": "d4a8ba6eb2a971a3",
    "0009_interface_language_remembered_per_user.py": "d46ab80ac7fd687f",
    "0010_age_uncertainty_on_cases.py": "031fa9972e2c7258",
    "0011_reconcile_early_ad_review_schema.py": "8f64f6ac8e0e9953",
    "0012_every_consent_ends.py": "9eb29e1e7d967f44",
    "0013_identification_panels_and_decisions.py": "5ba95dac4f0f0099",
    "0014_non_punishment.py": "feefba1c70855493",
    "0015_screening_drafts.py": "0f80bb36b61d6abc",
    "0016_remedies_and_justice_aggregates.py": "c1f87be32a0eb434",
    "0017_return_dependants_follow_ups.py": "50afde9b54186712",
    "0018_decisions_record_the_day_they_were_recorded.py": "99896b17d71120aa",
    "0019_anonymous_reports_and_hotline_contacts.py": "0698c61ce2bdb20f",
    "0020_linkage_tokens_and_national_persons.py": "733a31d0c0ca47f5",
    "0021_financial_investigations_and_restitution.py": "aee8d3772be285ca",
    "0022_labour_inspection_and_recruitment_agencies.py": "8e886c7e4da0a489",
    "0023_jobs_notifications_working_day_deadlines.py": "9bbd0c610e3641cf",
    "0024_recruitment_signals.py": "1a72515a209ecd4a",
    "0025_decisions_taken_by_two_organisations.py": "252dc9340232277e",
    "0026_dependants_best_interests.py": "f9015acab9b0804c",
    "0027_one_chain_from_the_branches_of_0018.py": "329f3c2ed3041cd3",
    "0028_consented_victim_accounts.py": "5ff41e58b336bfc5",
    "0029_signal_opinions_counted_once.py": "4ad146590746de19",
}


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def test_no_landed_migration_has_changed() -> None:
    changed = [name for name, pin in LANDED.items() if _fingerprint(VERSIONS / name) != pin]
    assert changed == [], f"landed migrations changed (write a new migration instead): {changed}"


def test_every_migration_is_pinned() -> None:
    unpinned = sorted(p.name for p in VERSIONS.glob("0*.py") if p.name not in LANDED)
    assert unpinned == [], f"pin these in LANDED when they land: {unpinned}"
