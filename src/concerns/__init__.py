"""concerns: confidential, statistically honest organisational activity reports."""

__version__ = "0.1.0"
