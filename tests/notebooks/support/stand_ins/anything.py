"""Stand-ins for the plotting, UI and metrics libraries the notebooks call, which are not installed here.

Only the notebooks' display cells use them (matplotlib, seaborn, segmentation_mask_overlay,
IPython.display, gradio, evaluate), and nothing the SDK does depends on what they draw. Each
stand-in module answers every attribute with :class:`Anything`, which accepts every call,
attribute, item and ``with`` block, so those cells run as written. The runner puts this folder
on the scripts' ``PYTHONPATH`` only.
"""

from __future__ import annotations

from typing import Any


class Anything:
    def __init__(self, name: str = "stand-in") -> None:
        self._name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Anything:
        return Anything(f"{self._name}()")

    def __getattr__(self, name: str) -> Anything:
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything(f"{self._name}.{name}")

    def __getitem__(self, key: Any) -> Anything:
        return Anything(f"{self._name}[{key!r}]")

    def __setitem__(self, key: Any, value: Any) -> None:
        pass

    def __enter__(self) -> Anything:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None

    def __iter__(self):
        return iter(())

    def __repr__(self) -> str:
        return f"<{self._name}>"


def attribute(module_name: str):
    """A module ``__getattr__`` (PEP 562) that answers every name with :class:`Anything`."""

    def __getattr__(name: str) -> Anything:
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything(f"{module_name}.{name}")

    return __getattr__
