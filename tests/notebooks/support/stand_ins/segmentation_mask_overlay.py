"""Stand-in for segmentation_mask_overlay (see anything.py)."""

from anything import attribute

__getattr__ = attribute("segmentation_mask_overlay")
