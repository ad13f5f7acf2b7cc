"""Stand-in for seaborn (see anything.py)."""

from anything import attribute

__getattr__ = attribute("seaborn")
