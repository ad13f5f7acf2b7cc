"""Stand-in for evaluate (see anything.py)."""

from anything import attribute

__getattr__ = attribute("evaluate")
