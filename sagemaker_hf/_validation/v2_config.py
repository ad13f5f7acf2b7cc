"""The base of the config classes users construct with SDK v2's names (``ServerlessInferenceConfig``, ...).

A frozen pydantic model that also takes its arguments positionally, in v2's order, checks
each against its annotation as :func:`~sagemaker_hf._validation.checked_arguments` does, and
turns pydantic's errors into one :class:`~sagemaker_hf.errors.ConfigurationError`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from sagemaker_hf._validation import check_argument, configuration_error


class V2Config(BaseModel):
    """Fields declared in SDK v2's order; unknown names are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    def __init__(self, /, *args: Any, **fields: Any) -> None:
        # SDK v2's configs also take their arguments positionally (``DataCaptureConfig(True)``);
        # the fields are declared in v2's order, so position i is field i.
        names = list(type(self).model_fields)
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}() takes at most {len(names)} positional arguments")
        for name, value in zip(names, args, strict=False):
            if name in fields:
                raise TypeError(f"{type(self).__name__}() got multiple values for argument {name!r}")
            fields[name] = value
        model_fields = type(self).model_fields
        for name, value in fields.items():
            if name in model_fields:  # unknown names: pydantic's "extra" error lists them
                check_argument(type(self).__name__, name, value, model_fields[name].annotation)
        try:
            super().__init__(**fields)
        except ValidationError as error:
            raise configuration_error(type(self).__name__, error) from None
