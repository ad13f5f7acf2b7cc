"""The README's main job (scripts/demo runs examples/deploy_local_minilm.py) on the real all-MiniLM-L6-v2."""

from __future__ import annotations

from tests.local.examples_runner import run_example, scores

EXAMPLE = "deploy_local_minilm.py"


def test_the_main_job_prints_real_sentence_similarities(local_home, minilm_model_dir):
    output = run_example(EXAMPLE).stdout
    assert "is InService" in output and output.rstrip().endswith("Deleted the endpoint.")
    similarity = scores(output)
    eating_food = similarity["A man is eating a piece of bread."]
    unrelated = similarity["The stock market fell today."]
    assert eating_food > unrelated
    assert eating_food > 0.6 and abs(unrelated) < 0.2  # real embeddings, not random ones


def test_the_main_job_takes_another_model(local_home, tiny_models):
    output = run_example(EXAMPLE, "--model", str(tiny_models["sentence-transformers"])).stdout
    assert "vector of 32 numbers" in output
    assert len(scores(output)) == 5
