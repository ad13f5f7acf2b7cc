"""Stand-in for matplotlib (see anything.py)."""

from anything import attribute

__getattr__ = attribute("matplotlib")
