"""The version of kongchuo-rules (one place: the package and every assessment read it)."""

__version__ = "0.1.0"
