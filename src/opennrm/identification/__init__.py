"""Identification decisions of a National Referral Mechanism (GR38 §77–78): the national procedure as data
(stages, standards of proof, deadlines in working days, who may sit on a panel), working-day arithmetic, and
the pure rules decisions follow. Imports nothing of the project but the screening catalogue reader and the
domain; no I/O beyond reading the packaged procedure files."""
