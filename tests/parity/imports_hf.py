# ruff: noqa: F401, I001 - an import block is data: every name is bound for the scenarios, in the user's order
"""The import block of the same notebook migrated to sagemaker-hf (see ``imports_v2.py``)."""

import sagemaker_hf as sagemaker
from sagemaker_hf import Session, get_execution_role, image_uris
from sagemaker_hf import (
    HuggingFace,
    HuggingFaceModel,
    HuggingFacePredictor,
    TrainingCompilerConfig,
    get_huggingface_llm_image_uri,
)
from sagemaker_hf import ServerlessInferenceConfig
from sagemaker_hf import AsyncInferenceConfig, WaiterConfig
from sagemaker_hf import DataCaptureConfig
from sagemaker_hf import TrainingInput
from sagemaker_hf import Transformer
from sagemaker_hf.serializers import CSVSerializer, IdentitySerializer, JSONSerializer, NumpySerializer
from sagemaker_hf.serializers import BytesDeserializer, JSONDeserializer, StringDeserializer
from sagemaker_hf.serializers import DataSerializer
from sagemaker_hf.s3 import S3Downloader, S3Uploader, s3_path_join
from sagemaker_hf import Estimator
from sagemaker_hf import Predictor
from sagemaker_hf import TrainingJobAnalytics
from sagemaker_hf.iterators import ByteIterator
