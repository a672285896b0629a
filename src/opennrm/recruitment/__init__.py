"""Online recruitment scanner: job ads scored with evidence, linked into actor networks (GR38 §§36, 71, 73).

A triage aid for platform trust-and-safety teams and labour-inspection cyber units: every score comes with
the evidence behind it, and every decision stays with a human reviewer. See ``docs/recruitment.md``.

- ``ads``: the ``JobAd`` record (the input contract) and ``MalformedRecord``.
- ``reading``: streaming JSON Lines / CSV reader; malformed records reported with their line numbers.
- ``normalise``: NFKC, Traditional→Simplified (OpenCC tables), obfuscated contact words, spaced digits,
  language detection; keeps a map back to the original characters.
- ``lexicon`` + ``data/red_flags.yaml``: the 13 red flags (English, Simplified and Traditional Chinese)
  with explanations, sources and default weights; evidence spans in the original text.
- ``identifiers``: phones (``phonenumbers``, E.164), e-mails, chat handles (WeChat, QQ, Telegram, LINE ...).
- ``structure``: pay, requirements and employer-data features; employer gaps for flag 6.
- ``analysis``: everything known about one ad on its own.
- ``templates``: MinHash (``datasketch``) on character shingles, banded LSH, verified near-duplicates.
- ``actors``: ads joined into actors through shared identifiers and templates; network features and risk.
- ``features``: feature names and order.
- ``model``: the shipped default model (flag weights and structure priors, no data) and the trained model
  (character and ``jieba`` word n-grams plus a few structural features: what held across cities).
- ``pipeline``: pure per-partition steps and the local streaming engine.
- ``spark_engine``: the same steps on Apache Spark.
- ``evaluation``: grouped cross-validation, city and time transfer, the baseline, metrics, pairwise linking
  scores.
- ``review``: ranked queues of ads and actor networks, highlighted evidence, ``ReviewDecision`` → labels.
- ``synthetic``: synthetic ads with planted flags, templates and shared contacts (tests, benchmarks, demos).
- ``signals``: signals about recruiters shared between platforms (keyed contact hashes, PDQ image hashes),
  the exchange file and matching.
- ``orfd``: adapter for the ORFD research dataset's columns (the data itself is never shipped).

Heavy dependencies (scikit-learn, datasketch, scipy, jieba, pdqhash, pyspark) are imported by the modules
that use them; importing this package loads none of them.
"""
