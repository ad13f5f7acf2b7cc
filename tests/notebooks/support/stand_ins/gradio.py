"""Stand-in for gradio (see anything.py)."""

from anything import attribute

__getattr__ = attribute("gradio")
