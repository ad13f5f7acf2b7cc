"""Stand-in for matplotlib.pyplot (see anything.py)."""

from anything import attribute

__getattr__ = attribute("matplotlib.pyplot")
