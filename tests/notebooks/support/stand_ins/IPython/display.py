"""Stand-in for IPython.display (see anything.py)."""

from anything import attribute

__getattr__ = attribute("IPython.display")
