"""Privacy-preserving record linkage (PPRL): each person counted once nationally without her name, birth date
or phone leaving the organisation that knows her (GR38 §109–111).

- ``normalise``: quasi-identifiers folded to comparable tokens (transliteration, diacritics, name order);
- ``encoding``: keyed Bloom-filter encodings (CLK) under a linkage secret the secretariat never holds,
  hardened;
- ``matching``: LSH blocking, Dice similarity and clustering with at most one record per organisation;
- ``synthetic`` and ``evaluation``: labelled test populations, pairwise F1 and a frequency attack.

A library: pure functions over plain values; services and the CLI read the database and call it.
"""
