"""``PrimaryContainer.ModelDataSource``: model data given as the API's dict, e.g. uncompressed.

SDK v2 took ``model_data={"S3DataSource": {"S3Uri": ..., "S3DataType": "S3Prefix",
"CompressionType": "None"}}`` (what its estimator returns with
``disable_output_compression=True``, and what large LLM fine-tunes use: no tarball to
pack and unpack) and sent it as ``ModelDataSource``. v2's ``accept_eula`` turned an S3
``.tar.gz`` into the same structure, with ``ModelAccessConfig={"AcceptEula": ...}``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sagemaker_hf import storage
from sagemaker_hf._validation.api_shapes import check_structure
from sagemaker_hf.errors import ConfigurationError

ARGUMENT = "model_data"


def check_model_data_source(value: Mapping[str, Any]) -> dict[str, Any]:
    """The dict as the API's ``ModelDataSource`` (keys, enums checked against botocore's model).

    ``S3Uri`` may also be a local path or ``file://`` URI here: local mode serves those,
    and deploying to AWS says to upload them first.
    """
    return check_structure(ARGUMENT, value, "ModelDataSource", free_patterns=frozenset({"S3Uri"}))


def resolve_model_data_source(session: Any, source: Mapping[str, Any]) -> dict[str, Any]:
    """``source`` with its ``S3Uri`` as the session's service reads it (S3, or ``file://`` locally)."""
    resolved = copy.deepcopy(dict(source))
    s3_source = resolved["S3DataSource"]
    uri = s3_source["S3Uri"]
    direct = session.direct_model_data_url(uri)
    if direct is None:
        raise ConfigurationError(
            f"model_data['S3DataSource']['S3Uri']={uri!r} is not an S3 URI, and SageMaker reads model "
            "data only from S3. Upload the folder first (e.g. sagemaker_hf.Session().upload_data(path, "
            "key_prefix='models/my-model')) and pass its s3:// prefix, or deploy with instance_type='local'."
        )
    s3_source["S3Uri"] = direct
    if not storage.is_s3(direct) and s3_source["S3DataType"] == "S3Prefix" and not direct.endswith("/"):
        s3_source["S3Uri"] = direct + "/"  # a prefix, as SageMaker requires for S3Prefix
    return resolved


def with_access_config(container: dict[str, Any], accept_eula: bool | None) -> dict[str, Any]:
    """``container`` with v2's ``accept_eula``: the model's EULA accepted in its ``ModelDataSource``.

    An S3 ``.tar.gz`` in ``ModelDataUrl`` becomes the equivalent ``ModelDataSource`` (the
    only place the API takes ``ModelAccessConfig``), as v2 did.
    """
    if accept_eula is None:
        return container
    url = container.get("ModelDataUrl")
    if url is not None and storage.is_s3(url) and url.endswith("tar.gz"):
        container = {key: value for key, value in container.items() if key != "ModelDataUrl"}
        container["ModelDataSource"] = {
            "S3DataSource": {"S3Uri": url, "S3DataType": "S3Object", "CompressionType": "Gzip"}
        }
    source = container.get("ModelDataSource")
    if source is None:
        raise ConfigurationError(
            "accept_eula needs model data in S3 (model_data='s3://.../model.tar.gz' or an S3DataSource "
            "dict): the API takes the EULA acceptance only with the model's S3 location."
        )
    s3_source = dict(source["S3DataSource"], ModelAccessConfig={"AcceptEula": accept_eula})
    return {**container, "ModelDataSource": {**source, "S3DataSource": s3_source}}
