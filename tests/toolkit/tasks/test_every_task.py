"""Every documented task answers its example request (the documentation's own payload where
there is one) in the transformers 4.x response shape. Weights are random, so the tests check
types and keys, not values."""

from __future__ import annotations

import base64
import io
import json
import math

import pytest

from sagemaker_hf.testing import samples
from sagemaker_hf.testing.media_models import AUDIO_LABELS, DETECTION_LABELS, IMAGE_LABELS, SEGMENT_LABELS
from sagemaker_hf.testing.text_models import BIO_LABELS, SENTIMENT_LABELS
from sagemaker_hf.toolkit.tasks.conversational import FALLBACK_CHAT_TEMPLATE


def is_score(value) -> bool:
    return isinstance(value, float) and 0.0 <= value <= 1.0 + 1e-6


def check_label_scores(result, labels):
    assert isinstance(result, list) and result
    for entry in result:
        assert set(entry) == {"label", "score"}
        assert entry["label"] in labels and is_score(entry["score"])


def check_text_classification(result, request):
    assert len(result) == 1
    check_label_scores(result, SENTIMENT_LABELS)


def check_token_classification(result, request):
    text = request["inputs"]
    assert isinstance(result, list) and result
    for entity in result:
        assert set(entity) == {"entity", "score", "index", "word", "start", "end"}
        assert entity["entity"] in BIO_LABELS and is_score(entity["score"])
        assert isinstance(entity["index"], int) and 0 <= entity["start"] < entity["end"] <= len(text)


def check_feature_extraction(result, request):
    assert len(result) == 1 and len(result[0]) >= 3  # [batch][tokens][hidden]
    assert all(len(token) == 32 and all(isinstance(x, float) for x in token) for token in result[0])


def check_fill_mask(result, request):
    assert len(result) == 5
    for candidate in result:
        assert set(candidate) == {"score", "token", "token_str", "sequence"}
        assert is_score(candidate["score"]) and isinstance(candidate["token"], int)
        assert "[MASK]" not in candidate["sequence"]


def check_question_answering(result, request):
    context = request["inputs"]["context"]
    assert set(result) == {"score", "start", "end", "answer"}
    assert is_score(result["score"])
    assert result["answer"] == context[result["start"] : result["end"]] and result["answer"]


def generated(key):
    def check(result, request):
        assert isinstance(result, list) and len(result) == 1
        assert set(result[0]) == {key} and isinstance(result[0][key], str)

    return check


def check_text_generation(result, request):
    generated("generated_text")(result, request)
    assert result[0]["generated_text"].startswith(request["inputs"])


def check_conversational(result, request):
    assert isinstance(result, list) and len(result) == 1 and set(result[0]) == {"generated_text"}
    messages = result[0]["generated_text"]
    assert messages[:-1] == request["inputs"]
    assert messages[-1]["role"] == "assistant" and isinstance(messages[-1]["content"], str)


def check_audio_classification(result, request):
    check_label_scores(result, AUDIO_LABELS)
    assert len(result) == len(AUDIO_LABELS)


def check_speech_recognition(result, request):
    assert set(result) == {"text"} and isinstance(result["text"], str)


def check_image_classification(result, request):
    check_label_scores(result, IMAGE_LABELS)


def check_image_segmentation(result, request):
    from PIL import Image

    assert isinstance(result, list) and result
    for segment in result:
        assert set(segment) == {"score", "label", "mask"}
        assert segment["label"] in SEGMENT_LABELS
        assert segment["score"] is None or is_score(segment["score"])
        mask = Image.open(io.BytesIO(base64.b64decode(segment["mask"])))
        assert mask.size == (48, 40)  # the mask covers the request's image


def check_object_detection(result, request):
    assert isinstance(result, list) and result
    for detection in result:
        assert set(detection) == {"score", "label", "box"}
        assert detection["label"] in DETECTION_LABELS and is_score(detection["score"])
        assert set(detection["box"]) == {"xmin", "ymin", "xmax", "ymax"}
        assert all(isinstance(value, int) for value in detection["box"].values())


def check_table_question_answering(result, request):
    table = request["inputs"]["table"]
    assert set(result) == {"answer", "coordinates", "cells", "aggregator"}
    assert isinstance(result["answer"], str) and result["aggregator"] in {"NONE", "SUM", "AVERAGE", "COUNT"}
    columns = list(table)
    for (row, column), cell in zip(result["coordinates"], result["cells"], strict=True):
        assert table[columns[column]][row] == cell


def check_zero_shot_classification(result, request):
    labels = request["parameters"]["candidate_labels"]
    assert set(result) == {"sequence", "labels", "scores"}
    assert result["sequence"] == request["inputs"] and sorted(result["labels"]) == sorted(labels)
    assert math.isclose(sum(result["scores"]), 1.0, rel_tol=1e-4)


def check_zero_shot_image_classification(result, request):
    check_label_scores(result, request["parameters"]["candidate_labels"])
    assert math.isclose(sum(entry["score"] for entry in result), 1.0, rel_tol=1e-4)


def check_sentence_embeddings(result, request):
    assert set(result) == {"embeddings"} and len(result["embeddings"]) == len(request["inputs"])
    for vector in result["embeddings"]:
        assert len(vector) == 32 and math.isclose(sum(x * x for x in vector), 1.0, rel_tol=1e-4)


def check_sentence_similarity(result, request):
    assert set(result) == {"similarities"}
    assert len(result["similarities"]) == len(request["inputs"]["sentences"])
    assert all(-1.0 - 1e-6 <= score <= 1.0 + 1e-6 for score in result["similarities"])


CHECKS = {
    "text-classification": check_text_classification,
    "sentiment-analysis": check_text_classification,
    "token-classification": check_token_classification,
    "feature-extraction": check_feature_extraction,
    "fill-mask": check_fill_mask,
    "question-answering": check_question_answering,
    "summarization": generated("summary_text"),
    "translation_en_to_fr": generated("translation_text"),
    "translation_en_to_de": generated("translation_text"),
    "text2text-generation": generated("generated_text"),
    "text-generation": check_text_generation,
    "conversational": check_conversational,
    "audio-classification": check_audio_classification,
    "automatic-speech-recognition": check_speech_recognition,
    "image-classification": check_image_classification,
    "image-segmentation": check_image_segmentation,
    "object-detection": check_object_detection,
    "table-question-answering": check_table_question_answering,
    "zero-shot-classification": check_zero_shot_classification,
    "zero-shot-image-classification": check_zero_shot_image_classification,
    "sentence-embeddings": check_sentence_embeddings,
    "sentence-similarity": check_sentence_similarity,
}


@pytest.mark.parametrize("hf_task", list(CHECKS))
def test_task_answers_its_example_request(task_models, hf_task):
    request = samples.example_request(hf_task)
    model = task_models(hf_task)
    result = model.predict(request["inputs"], dict(request.get("parameters", {})))
    assert json.loads(json.dumps(result)) == result  # plain JSON types only
    CHECKS[hf_task](result, request)


def test_conversational_without_a_chat_template_uses_the_fallback(task_models, tiny_models):
    plain = task_models("conversational", tiny_models["text-generation"])
    templated = task_models("conversational")
    assert plain.pipeline.tokenizer.chat_template == FALLBACK_CHAT_TEMPLATE
    assert templated.pipeline.tokenizer.chat_template != FALLBACK_CHAT_TEMPLATE
    request = samples.example_request("conversational")
    check_conversational(plain.predict(request["inputs"], request["parameters"]), request)
