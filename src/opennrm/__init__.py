"""OpenNRM: a victim-centred National Referral Mechanism (CEDAW General Recommendation No. 38)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("opennrm")
    """The installed version (the package metadata, made from pyproject.toml when it was installed)."""
except PackageNotFoundError:  # pragma: no cover - running from a source tree that was never installed
    __version__ = "0+unknown"
