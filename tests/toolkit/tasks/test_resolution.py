"""Task resolution: HF_TASK, aliases, the config.json architecture table, sentence-transformers
layouts, and the error that lists the tasks. No torch or transformers needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sagemaker_hf.toolkit.errors import ModelLoadError
from sagemaker_hf.toolkit.tasks import DOCUMENTED_TASKS, accepts_csv, resolve_task
from sagemaker_hf.toolkit.tasks.names import translation_languages


def model_dir(
    tmp_path: Path,
    architecture: str | None = "BertForSequenceClassification",
    files: dict[str, str] | None = None,
) -> Path:
    if architecture is not None:
        (tmp_path / "config.json").write_text(json.dumps({"architectures": [architecture]}))
    for name, text in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("hf_task", "expected"),
    [
        ("text-classification", "text-classification"),
        ("sentiment-analysis", "text-classification"),
        ("  Sentiment-Analysis ", "text-classification"),
        ("ner", "token-classification"),
        ("question-answering", "question-answering"),
        ("summarization", "summarization"),
        ("translation_en_to_fr", "translation_en_to_fr"),
        ("translation_eng_Latn_to_fra_Latn", "translation_eng_Latn_to_fra_Latn"),
        ("translation", "translation"),
        ("text2text-generation", "text2text-generation"),
        ("conversational", "conversational"),
        ("sentence-embeddings", "sentence-embeddings"),
        ("sentence-similarity", "sentence-similarity"),
        ("sentence-embedding", "sentence-embeddings"),
        ("zero-shot-image-classification", "zero-shot-image-classification"),
        ("image-to-text", "image-to-text"),
    ],
)
def test_hf_task_wins_over_config_and_aliases_resolve(tmp_path, hf_task, expected):
    assert resolve_task(model_dir(tmp_path, "GPT2LMHeadModel"), hf_task) == expected


def test_every_documented_task_is_accepted_as_hf_task(tmp_path):
    directory = model_dir(tmp_path)
    for task in DOCUMENTED_TASKS:
        name = "translation_de_to_en" if task == "translation_xx_to_yy" else task
        assert resolve_task(directory, name)


def test_translation_keeps_its_languages():
    assert translation_languages("translation_en_to_fr") == ("en", "fr")
    assert translation_languages("translation_eng_Latn_to_fra_Latn") == ("eng_Latn", "fra_Latn")
    assert translation_languages("translation") is None


def test_unknown_hf_task_lists_the_tasks_and_suggests_the_closest(tmp_path):
    with pytest.raises(ModelLoadError) as caught:
        resolve_task(model_dir(tmp_path), "text-clasification")
    message = caught.value.message
    assert "'text-clasification'" in message
    assert "Did you mean 'text-classification'?" in message
    assert "Set HF_TASK" in message
    for task in ("question-answering", "zero-shot-image-classification", "sentence-similarity"):
        assert task in message


@pytest.mark.parametrize(
    ("architecture", "task"),
    [
        ("TapasForQuestionAnswering", "table-question-answering"),
        ("BertForQuestionAnswering", "question-answering"),
        ("DistilBertForQuestionAnswering", "question-answering"),
        ("BertForTokenClassification", "token-classification"),
        ("DistilBertForSequenceClassification", "text-classification"),
        ("Wav2Vec2ForSequenceClassification", "audio-classification"),
        ("HubertForSequenceClassification", "audio-classification"),
        ("ASTForAudioClassification", "audio-classification"),
        ("RobertaForMaskedLM", "fill-mask"),
        ("LlamaForCausalLM", "text-generation"),
        ("GPT2LMHeadModel", "text-generation"),
        ("T5WithLMHeadModel", "text2text-generation"),
        ("T5ForConditionalGeneration", "text2text-generation"),
        ("BartForConditionalGeneration", "text2text-generation"),
        ("MarianMTModel", "text2text-generation"),
        ("EncoderDecoderModel", "text2text-generation"),
        ("Wav2Vec2ForCTC", "automatic-speech-recognition"),
        ("WhisperForConditionalGeneration", "automatic-speech-recognition"),
        ("Speech2TextForConditionalGeneration", "automatic-speech-recognition"),
        ("SpeechEncoderDecoderModel", "automatic-speech-recognition"),
        ("ViTForImageClassification", "image-classification"),
        ("DeiTForImageClassificationWithTeacher", "image-classification"),
        ("SegformerForSemanticSegmentation", "image-segmentation"),
        ("Mask2FormerForUniversalSegmentation", "image-segmentation"),
        ("DetrForSegmentation", "image-segmentation"),
        ("DetrForObjectDetection", "object-detection"),
        ("YolosForObjectDetection", "object-detection"),
        ("CLIPModel", "zero-shot-image-classification"),
        ("SiglipModel", "zero-shot-image-classification"),
        ("VisionEncoderDecoderModel", "image-to-text"),
        ("BertModel", "feature-extraction"),
        ("MPNetModel", "feature-extraction"),
    ],
)
def test_architecture_table_first_match_wins(tmp_path, architecture, task):
    assert resolve_task(model_dir(tmp_path, architecture), None) == task


@pytest.mark.parametrize("marker", ["modules.json", "1_Pooling/config.json"])
def test_sentence_transformers_layout_serves_sentence_embeddings(tmp_path, marker):
    directory = model_dir(tmp_path, "BertModel", files={marker: "{}"})
    assert resolve_task(directory, None) == "sentence-embeddings"
    # The token-level pipeline stays one HF_TASK away.
    assert resolve_task(directory, "feature-extraction") == "feature-extraction"
    assert resolve_task(directory, "sentence-similarity") == "sentence-similarity"


@pytest.mark.parametrize(
    ("architecture", "files", "fragment"),
    [
        ("BertForMultipleChoice", {}, "cannot infer the task from architecture 'BertForMultipleChoice'"),
        (None, {}, "has no config.json"),
        (None, {"config.json": json.dumps({"model_type": "bert"})}, "names no architectures"),
        (None, {"config.json": "{not json"}, "cannot read"),
    ],
)
def test_nothing_matches_lists_the_tasks_and_says_to_set_hf_task(tmp_path, architecture, files, fragment):
    directory = model_dir(tmp_path, architecture, files)
    with pytest.raises(ModelLoadError) as caught:
        resolve_task(directory, None)
    assert fragment in caught.value.message
    assert "HF_TASK" in caught.value.message
    if "cannot read" not in fragment:
        assert "text-classification, sentiment-analysis, token-classification" in caught.value.message


def test_resolution_never_writes_the_environment(tmp_path):
    before = dict(os.environ)
    resolve_task(model_dir(tmp_path, "BertForQuestionAnswering"), None)
    resolve_task(model_dir(tmp_path), "sentiment-analysis")
    assert dict(os.environ) == before


def test_csv_is_refused_where_csv_cannot_express_the_input():
    for task in (
        "zero-shot-classification",
        "table-question-answering",
        "sentence-similarity",
        "conversational",
    ):
        assert not accepts_csv(task)
    for task in ("text-classification", "question-answering", "translation_en_to_fr", "sentence-embeddings"):
        assert accepts_csv(task)


def test_importing_the_tasks_package_loads_no_torch_or_transformers():
    code = (
        "import sys, sagemaker_hf.toolkit.tasks as t\n"
        "from sagemaker_hf.toolkit.tasks import resolution, names\n"
        "print(sorted(m for m in ('torch', 'transformers', 'numpy', 'PIL') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
