"""Seawall: defend against state-sponsored phishing and share what it sees as threat intelligence."""

__version__ = "0.1.0"
