# ruff: noqa: F401, I001 - an import block is data: every name is bound for the scenarios, in the user's order
"""The import block of a notebook written for SDK v2: the oracle side of every scenario.

``imports_hf.py`` is the same block for sagemaker-hf, statement for statement, with only
the module paths changed, as a user migrating would change them. The runner installs the
side's block as the module ``sdk``; a statement that fails to import binds its names to
placeholders that raise its ImportError when used.
"""

import sagemaker
from sagemaker import Session, get_execution_role, image_uris
from sagemaker.huggingface import (
    HuggingFace,
    HuggingFaceModel,
    HuggingFacePredictor,
    TrainingCompilerConfig,
    get_huggingface_llm_image_uri,
)
from sagemaker.serverless import ServerlessInferenceConfig
from sagemaker.async_inference import AsyncInferenceConfig, WaiterConfig
from sagemaker.model_monitor import DataCaptureConfig
from sagemaker.inputs import TrainingInput
from sagemaker.transformer import Transformer
from sagemaker.serializers import CSVSerializer, IdentitySerializer, JSONSerializer, NumpySerializer
from sagemaker.deserializers import BytesDeserializer, JSONDeserializer, StringDeserializer
from sagemaker.serializers import DataSerializer
from sagemaker.s3 import S3Downloader, S3Uploader, s3_path_join
from sagemaker.estimator import Estimator
from sagemaker.predictor import Predictor
from sagemaker.analytics import TrainingJobAnalytics
from sagemaker.iterators import ByteIterator
