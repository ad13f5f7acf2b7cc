"""The JSONPath subset of InputFilter/OutputFilter and the JoinSource rules, as pure functions."""

from __future__ import annotations

import pytest

from sagemaker_hf import dataprocessing
from sagemaker_hf.dataprocessing import DataProcessingError, cells, check_data_processing, parse
from sagemaker_hf.errors import ConfigurationError

RECORD = {"id": 7, "inputs": "great film", "meta": {"lang": "en", "tags": ["a", "b", "c"]}}
ROW = ["7", "great film", "en", "x"]


@pytest.mark.parametrize(
    ("expression", "value", "expected"),
    [
        ("$", RECORD, RECORD),
        ("$.inputs", RECORD, "great film"),
        ("$.meta.lang", RECORD, "en"),
        ("$['inputs']", RECORD, "great film"),
        ("$.meta['lang']", RECORD, "en"),
        ("$['id','inputs']", RECORD, {"id": 7, "inputs": "great film"}),
        ("$.meta.tags[0]", RECORD, "a"),
        ("$.meta.tags[-1]", RECORD, "c"),
        ("$.meta.tags[1:]", RECORD, ["b", "c"]),
        ("$.meta.*", RECORD, ["en", ["a", "b", "c"]]),
        ("$[1:]", ROW, ["great film", "en", "x"]),
        ("$[0,-1]", ROW, ["7", "x"]),
        ("$[0,2:]", ROW, ["7", "en", "x"]),
        ("$[:2]", ROW, ["7", "great film"]),
        ("$[*]", ROW, ROW),
        ("$[1]", ROW, "great film"),
    ],
)
def test_supported_expressions_select_as_sagemaker_documents(expression, value, expected):
    assert parse(expression).select(value) == expected


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("$..inputs", "recursive descent"),
        ("$[?(@.id > 1)]", "filters"),
        ("inputs", "must start with"),
        ("$['a','b'].c", "only the last step"),
        ("$[1:].x", "only the last step"),
        ("$.", "no field name"),
        ("$[abc]", "not a quoted name"),
        ("$['open]", "not closed"),
    ],
)
def test_unsupported_expressions_are_refused_with_the_supported_list(expression, why):
    with pytest.raises(ConfigurationError, match=why) as raised:
        parse(expression)
    assert "$.a.b" in str(raised.value) and "$[1:]" in str(raised.value)


@pytest.mark.parametrize(
    ("expression", "value", "problem"),
    [
        ("$.missing", RECORD, "has no 'missing'"),
        ("$[9]", ROW, "out of range"),
        ("$.inputs.x", RECORD, "needs a JSON object"),
        ("$[0]", RECORD, "needs an array"),
    ],
)
def test_a_filter_that_finds_nothing_names_the_problem(expression, value, problem):
    with pytest.raises(DataProcessingError, match=problem):
        parse(expression).select(value)


def test_join_source_is_checked_before_any_job():
    check_data_processing("$.inputs", "$['id','SageMakerOutput']", "Input")
    with pytest.raises(ConfigurationError, match="join_source='Output'"):
        check_data_processing(None, None, "Output")
    with pytest.raises(ConfigurationError, match="not supported"):
        check_data_processing(None, "$..x", None)


def test_json_join_puts_the_prediction_under_sagemaker_output():
    prediction = [{"label": "POSITIVE", "score": 0.9}]
    assert dataprocessing.join_json(RECORD, prediction) == {**RECORD, "SageMakerOutput": prediction}
    # An input that is not an object is kept under SageMakerInput.
    assert dataprocessing.join_json("text", prediction) == {
        "SageMakerInput": "text",
        "SageMakerOutput": prediction,
    }


def test_csv_join_appends_the_prediction_cells_to_the_row():
    joined = dataprocessing.join_csv(ROW, cells([{"label": "POSITIVE", "score": 0.9}]))
    assert joined == [*ROW, "POSITIVE", 0.9]
    assert parse("$[0,-2,-1]").select(joined) == ["7", "POSITIVE", 0.9]


@pytest.mark.parametrize(
    ("prediction", "expected"),
    [
        ([{"label": "POSITIVE", "score": 0.9}], ["POSITIVE", 0.9]),
        ([{"label": "A", "score": 0.6}, {"label": "B", "score": 0.4}], ["A", 0.6, "B", 0.4]),
        ({"embeddings": [0.1, 0.2]}, [[0.1, 0.2]]),
        ([[0.1, 0.2, 0.3]], [0.1, 0.2, 0.3]),
        ("text", ["text"]),
    ],
)
def test_cells_of_a_prediction(prediction, expected):
    assert cells(prediction) == expected


def test_csv_rows_quote_what_needs_quoting():
    assert dataprocessing.csv_row(["a,b", 1, None, {"k": 1}]) == '"a,b",1,,"{""k"":1}"'
    assert dataprocessing.parse_csv_row('7,"great, film",en') == ["7", "great, film", "en"]
