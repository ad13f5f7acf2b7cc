"""One output line per input record, whatever the input holds (issue 16, items 2, 4, 5 and 6).

Through ``Transformer.transform()`` as a user (or an attacker choosing the input file) runs it:
a list prediction asked for as JSON Lines, answers that span lines, a line far over
``MaxPayloadInMB``, a request the limit allows but the server's default would refuse, and
lines that only look blank.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sagemaker_hf import HuggingFaceModel
from sagemaker_hf.errors import ResourceFailedError
from tests.batch.conftest import echoed_ids, output_lines, task_model, user_code_model, write_jsonl

# An output_fn that answers a record {"text": ...} with that text, anything else with indented JSON.
OWN_OUTPUT_CODE = """
    import json

    def model_fn(model_dir):
        return "own output"

    def predict_fn(data, model):
        return data

    def output_fn(prediction, accept):
        if "text" in prediction:
            return prediction["text"]
        return json.dumps({"echo": prediction}, indent=2)
"""


@pytest.fixture(scope="module")
def fill_mask(batch_session: Any, tiny_models: Any) -> HuggingFaceModel:
    return task_model(batch_session, tiny_models, "fill-mask")


@pytest.fixture(scope="module")
def own_output_model(batch_session: Any, tmp_path_factory: pytest.TempPathFactory) -> HuggingFaceModel:
    return user_code_model(batch_session, tmp_path_factory.mktemp("own-output-code"), OWN_OUTPUT_CODE)


@pytest.mark.parametrize("strategy", ["SingleRecord", "MultiRecord"])
def test_a_list_prediction_as_json_lines_is_one_line_per_record(fill_mask, tmp_path, strategy):
    data = tmp_path / "masked.jsonl"
    data.write_text("".join(json.dumps({"inputs": f"the [MASK] is number {n}"}) + "\n" for n in range(3)))
    output = tmp_path / "out"
    transformer = fill_mask.transformer(
        1,
        "local",
        strategy=strategy,
        assemble_with="Line",
        accept="application/jsonlines",
        output_path=str(output),
    )
    transformer.transform(str(data), content_type="application/json", split_type="Line")

    lines = output_lines(output / "masked.jsonl.out")
    assert len(lines) == 3  # not 15: each record's five guesses stay on its line
    for number, line in enumerate(lines):
        guesses = json.loads(line)
        assert len(guesses) == 5 and all(f"number {number}" in guess["sequence"] for guess in guesses)


def test_an_answer_spanning_lines_is_one_line_or_a_clear_failure(own_output_model, tmp_path):
    data = write_jsonl(tmp_path / "in.jsonl", 4)
    output = tmp_path / "out"
    transformer = own_output_model.transformer(
        1, "local", strategy="SingleRecord", assemble_with="Line", output_path=str(output)
    )
    transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")
    # Indented JSON is written compact: its newlines were whitespace.
    assert [json.loads(line) for line in output_lines(output / "in.jsonl.out")] == [
        {"echo": json.loads(line)} for line in data.read_text().splitlines()
    ]

    text = tmp_path / "text.jsonl"
    text.write_text('{"text": "one line"}\n{"text": "two\\nlines"}\n')
    with pytest.raises(ResourceFailedError) as raised:
        transformer.transform(str(text), content_type="application/jsonlines", split_type="Line")
    reason = raised.value.failure_reason
    assert reason.startswith("ClientError: text.jsonl line 2: the model's answer for this record is 2 lines")
    assert "use assemble_with=None" in reason and "The 1 records before it were transformed" in reason
    assert output_lines(output / "text.jsonl.out.partial") == ["one line"]


def test_a_line_far_over_max_payload_is_refused_without_reading_it(echo_model, tmp_path):
    data = write_jsonl(tmp_path / "big.jsonl", 5)
    with open(data, "a", encoding="utf-8") as handle:
        handle.write(
            json.dumps({"id": 5, "inputs": "x" * 40 * 1024 * 1024}) + "\n"
        )  # 40 MB; the limit is 1 MB
        handle.writelines(json.dumps({"id": n, "inputs": "after"}) + "\n" for n in range(6, 10))
    output = tmp_path / "out"
    transformer = echo_model.transformer(
        1, "local", strategy="MultiRecord", assemble_with="Line", output_path=str(output), max_payload=1
    )
    with pytest.raises(ResourceFailedError) as raised:
        transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")

    reason = raised.value.failure_reason
    assert reason.startswith("ClientError: big.jsonl line 6: the record is more than ")
    assert " bytes (reading stopped there), over MaxPayloadInMB=1 (1,048,576 bytes); raise" in reason
    read = int(reason.split("more than ")[1].split(" bytes")[0].replace(",", ""))
    assert read <= 2 * 1024 * 1024 + 2  # the limit and at most one more chunk, not 40 MB
    assert echoed_ids(output / "big.jsonl.out.partial") == list(range(5))


def test_max_payload_over_six_mb_reaches_the_model_server(echo_model, tmp_path):
    data = tmp_path / "large.jsonl"
    pad = "p" * 120_000
    data.write_text("".join(json.dumps({"id": n, "pad": pad}) + "\n" for n in range(64)))  # 7.7 MB
    output = tmp_path / "out"
    transformer = echo_model.transformer(
        1, "local", strategy="MultiRecord", assemble_with="Line", output_path=str(output), max_payload=8
    )
    transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")

    job = transformer.describe()
    assert job["TransformJobStatus"] == "Completed" and job["MaxPayloadInMB"] == 8
    assert echoed_ids(output / "large.jsonl.out") == list(range(64))


# Lines a person reads as empty: no-break space, ideographic space, em space, a lone BOM,
# an information separator, a tab with a carriage return.
LOOK_BLANK = ["\u00a0", "\u3000 ", "\u2003", "\ufeff", "\x1c", "\t\r"]


def test_lines_that_only_look_blank_are_skipped_on_both_sides(echo_model, tmp_path):
    records = [json.dumps({"id": n}) for n in range(6)]
    lines = [item for pair in zip(records, LOOK_BLANK, strict=True) for item in pair]
    data = tmp_path / "spaced.jsonl"
    data.write_bytes("\n".join(lines).encode("utf-8") + b"\n")
    output = tmp_path / "out"
    transformer = echo_model.transformer(
        1, "local", strategy="MultiRecord", assemble_with="Line", output_path=str(output)
    )
    transformer.transform(str(data), content_type="application/jsonlines", split_type="Line")

    assert echoed_ids(output / "spaced.jsonl.out") == list(range(6))
    assert transformer.describe()["Progress"]["RecordsDone"] == 6
