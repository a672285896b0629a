"""OpenNRM: a victim-centred National Referral Mechanism (CEDAW General Recommendation No. 38)."""

__version__ = "0.1.0"
