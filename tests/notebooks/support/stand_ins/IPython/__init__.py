"""Stand-in for IPython (see anything.py)."""

from anything import attribute

__getattr__ = attribute("IPython")
