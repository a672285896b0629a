"""Statistics on trafficking: counting persons right, safe publication, reports (GR38 §§109–111, §117).

The package is a library over per-case statistical records; it never reads the database itself.

- ``records``: ``StatRecord`` (one case, reduced to what statistics need) and how several cases of one
  person become one counted person (consent to statistical use respected).
- ``dimensions``: the disaggregation dimensions (GR38 §110) with public category lists, and the step that
  turns persons into a columnar ``PersonFrame``.
- ``tables``: exact contingency tables, margins, the "<11" display rule.
- ``sdg``: SDG indicator 16.2.2 rates per 100,000 from a population file the user supplies.
- ``ctdc``: reader for the CTDC synthetic file format (``shared/data/ctdc``).
- ``htcds``: HTCDS v2.0 row mapping for ``opennrm htcds export`` / ``import``.
- ``estimation``: denoising of noisy counts and their 95% intervals (post-processing only).
- ``release``: the differentially private release (OpenDP, discrete Laplace) and ``release.csv``.
- ``ledger``: the privacy-budget ledger per data controller and year.
- ``published``: the figures a report may show (from a release, or internal exact counts).
- ``report``: HTML and PDF reports with charts and a draft CEDAW periodic-report section.
- ``synthetic``: invented records for benchmarks, tests and demonstrations (never real people).

Heavy dependencies (OpenDP, matplotlib) are imported inside the functions that need them.
"""
