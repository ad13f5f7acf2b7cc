"""Compatibility with scripts written for the AWS toolkit (``sagemaker_huggingface_inference_toolkit``).

Those scripts do ``from sagemaker_huggingface_inference_toolkit import decoder_encoder``.
:func:`install_alias` makes that import resolve to this package's modules, unless the
real AWS package is installed, in which case it is left alone.
"""

from __future__ import annotations

import importlib.util
import sys
import types

ALIAS = "sagemaker_huggingface_inference_toolkit"


def install_alias() -> bool:
    """Register ``sagemaker_huggingface_inference_toolkit`` in ``sys.modules``; True if it did."""
    if ALIAS in sys.modules:
        return False
    try:
        if importlib.util.find_spec(ALIAS) is not None:
            return False
    except (ImportError, ValueError):
        pass
    from sagemaker_hf.toolkit.compat import content_types, decoder_encoder

    package = types.ModuleType(
        ALIAS, "Alias of sagemaker_hf.toolkit.compat for scripts written for the AWS toolkit."
    )
    package.__path__ = []  # a package, so `import ALIAS.decoder_encoder` works too
    package.decoder_encoder = decoder_encoder  # type: ignore[attr-defined]
    package.content_types = content_types  # type: ignore[attr-defined]
    sys.modules[ALIAS] = package
    sys.modules[f"{ALIAS}.decoder_encoder"] = decoder_encoder
    sys.modules[f"{ALIAS}.content_types"] = content_types
    return True
