"""Parameters are keyword arguments of the task; the ones a task does not take, and malformed
task inputs, are BadInputError (400) with a message naming the problem and the fix."""

from __future__ import annotations

import pytest
import transformers

from sagemaker_hf.testing import samples
from sagemaker_hf.toolkit.errors import BadInputError

TRANSFORMERS_5 = int(transformers.__version__.split(".")[0]) >= 5
TEXT = samples.DOCUMENTED_REQUESTS["text-classification"]["inputs"]
ZERO_SHOT = samples.DOCUMENTED_REQUESTS["zero-shot-classification"]


def bad_input(model, inputs, parameters) -> str:
    with pytest.raises(BadInputError) as caught:
        model.predict(inputs, parameters)
    return caught.value.message


def test_pipeline_parameters_reach_the_pipeline(task_models):
    classifier = task_models("text-classification")
    assert len(classifier.predict(TEXT, {"top_k": 2})) == 2
    assert len(classifier.predict(TEXT, {"top_k": None})) == 2
    assert len(task_models("fill-mask").predict("My name is [MASK].", {"top_k": 3})) == 3
    entities = task_models("token-classification").predict(
        "My name is Sylvain and I work at Hugging Face in Brooklyn.", {"aggregation_strategy": "simple"}
    )
    assert entities and all("entity_group" in entity for entity in entities)


def test_unknown_parameter_is_named_with_the_accepted_ones(task_models):
    message = bad_input(task_models("text-classification"), TEXT, {"top_kk": 2})
    assert "'top_kk'" in message and "top_k" in message and "function_to_apply" in message


@pytest.mark.skipif(not TRANSFORMERS_5, reason="transformers 4.x still takes return_all_scores")
def test_a_parameter_transformers_5_dropped_gets_a_hint(task_models):
    message = bad_input(task_models("text-classification"), TEXT, {"return_all_scores": True})
    assert "'return_all_scores'" in message and '"top_k": null' in message


def test_a_bad_parameter_value_is_a_bad_input_not_a_crash(task_models):
    message = bad_input(task_models("text-classification"), TEXT, {"function_to_apply": "cube"})
    assert "cube" in message


def test_parameters_must_be_an_object(task_models):
    message = bad_input(task_models("text-classification"), TEXT, ["top_k", 2])
    assert '"parameters" must be a JSON object' in message


def test_server_owned_parameters_are_refused(task_models):
    message = bad_input(task_models("text-classification"), TEXT, {"batch_size": 64})
    assert "'batch_size'" in message and "set by the server" in message


@pytest.mark.parametrize(
    ("hf_task", "inputs", "fragment"),
    [
        ("text-classification", 42, "a string"),
        ("text-classification", [], "an empty list"),
        ("text-classification", {"txt": "hello"}, '"text_pair"'),
        ("token-classification", {"text": "hello"}, "a string or a non-empty list of strings"),
        ("fill-mask", "My name is Sylvain.", "mask token [MASK]"),
        ("text-generation", [1, 2], "a string or a non-empty list of strings"),
        ("summarization", {"text": "hello"}, "summarization expects 'inputs' to be a string"),
    ],
)
def test_malformed_text_inputs(task_models, hf_task, inputs, fragment):
    assert fragment in bad_input(task_models(hf_task), inputs, {})


def test_zero_shot_needs_candidate_labels(task_models):
    model = task_models("zero-shot-classification")
    message = bad_input(model, ZERO_SHOT["inputs"], {})
    assert "candidate_labels" in message and '"refund"' in message
    assert "candidate_labels" in bad_input(model, ZERO_SHOT["inputs"], {"candidate_labels": []})
    # The Inference API's spelling works too, and the pipeline's own options pass through.
    result = model.predict(ZERO_SHOT["inputs"], {"candidateLabels": ["refund", "faq"], "multi_label": True})
    assert sorted(result["labels"]) == ["faq", "refund"]


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        ({"question": "What is used for inference?"}, "missing 'context'"),
        ({"context": "This model is used with sagemaker."}, "missing 'question'"),
        ("What is used for inference?", "question-answering expects 'inputs'"),
        ({"question": "", "context": "text"}, "'question' is empty"),
        ({"question": ["a?", "b?"], "context": ["one context"]}, "a list of the same length"),
    ],
)
def test_question_answering_input_errors(task_models, inputs, fragment):
    assert fragment in bad_input(task_models("question-answering"), inputs, {})


def test_question_answering_parameters(task_models):
    model = task_models("question-answering")
    context = samples.QA_INPUTS["context"]
    answers = model.predict(samples.QA_INPUTS, {"top_k": 3, "max_answer_len": 3})
    assert len(answers) == 3 and [a["score"] for a in answers] == sorted(
        (a["score"] for a in answers), reverse=True
    )
    assert all(answer["answer"] == context[answer["start"] : answer["end"]] for answer in answers)
    with_empty = model.predict(samples.QA_INPUTS, {"top_k": 50, "handle_impossible_answer": True})
    assert {"score", "start", "end", "answer"} <= set(with_empty[0])
    assert any(answer == {**answer, "start": 0, "end": 0, "answer": ""} for answer in with_empty)
    assert "'max_answer_length'" in bad_input(model, samples.QA_INPUTS, {"max_answer_length": 3})
    assert "top_k" in bad_input(model, samples.QA_INPUTS, {"top_k": 0})


def test_question_answering_long_context_is_read_in_overlapping_windows(task_models):
    model = task_models("question-answering")
    context = " ".join(
        ["My name is Philipp and I live in Nuremberg."] * 12 + ["The model runs on sagemaker."]
    )
    question = {"question": "Where does the model run?", "context": context}
    for answer in model.predict(question, {"max_seq_len": 32, "doc_stride": 8, "top_k": 5}):
        assert answer["answer"] == context[answer["start"] : answer["end"]]
    # A stride larger than the room next to the question is lowered, not a crash.
    assert model.predict(question, {"max_seq_len": 24, "doc_stride": 20})["answer"]
    long_question = {"question": " ".join(["where"] * 40), "context": context}
    assert "no room for the context" in bad_input(model, long_question, {"max_seq_len": 32})


def test_question_answering_accepts_several_questions(task_models):
    model = task_models("question-answering")
    context = samples.QA_INPUTS["context"]
    one_context = model.predict({"question": ["Who?", "Where?"], "context": context}, {})
    listed = model.predict(
        [{"question": "Who?", "context": context}, {"question": "Where?", "context": context}], {}
    )
    assert one_context == listed and len(listed) == 2
    # Exactly one pair answers with a dict, as the 4.x pipeline did.
    assert isinstance(model.predict([samples.QA_INPUTS], {}), dict)


@pytest.mark.parametrize(
    ("inputs", "fragment"),
    [
        ({"table": samples.TABLE_INPUTS["table"]}, "'query' must be a non-empty string"),
        ({"query": "How many?"}, "'table' must be a non-empty object"),
        ({"query": "How many?", "table": {"a": ["1", "2"], "b": ["3"]}}, "the same number of cells"),
        ("How many stars?", "table-question-answering expects 'inputs'"),
    ],
)
def test_table_question_answering_input_errors(task_models, inputs, fragment):
    assert fragment in bad_input(task_models("table-question-answering"), inputs, {})


def test_table_cells_become_text_and_question_means_query(task_models):
    result = task_models("table-question-answering").predict(
        {"question": "How many stars?", "table": [{"Repository": "Transformers", "Stars": 36542}]}, {}
    )
    assert all(isinstance(cell, str) for cell in result["cells"])
