from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from opennrm.finance import jurisdiction, pipeline, synthetic
from opennrm.finance.ingest import Transactions


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[synthetic.Synthetic, Transactions]:
    """A small background with one of every planted pattern, read back through the ingest."""
    syn = synthetic.generate(1500, 6000, seed=3)
    folder = tmp_path_factory.mktemp("planted")
    syn.transactions.write_csv(folder / "transactions.csv")
    syn.accounts.write_csv(folder / "accounts.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pipeline.load(folder / "transactions.csv", folder / "accounts.csv", jurisdiction.load())
    return syn, data


@pytest.fixture(scope="session")
def planted_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    syn = synthetic.generate(800, 3000, seed=5)
    folder = tmp_path_factory.mktemp("planted_files")
    syn.transactions.write_csv(folder / "transactions.csv")
    syn.accounts.write_csv(folder / "accounts.csv")
    return folder
