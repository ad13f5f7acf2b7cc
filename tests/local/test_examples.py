"""The local-mode examples in examples/, run as users run them (each deletes its endpoint)."""

from __future__ import annotations

from tests.local.examples_runner import run_example, scores

BREAD = "'A man is eating food.' vs 'A man is eating a piece of bread.'"
MARKET = "'A man is eating food.' vs 'The stock market fell today.'"


def test_deploy_from_model_dir(local_home, minilm_model_dir):
    similarity = scores(run_example("deploy_from_model_dir_local.py").stdout)
    assert similarity[BREAD] > similarity[MARKET]


def test_custom_inference(local_home, minilm_model_dir):
    similarity = scores(run_example("custom_inference_local.py").stdout)
    assert similarity[BREAD] > 0.6 > similarity[MARKET]


def test_deploy_with_model_data(local_home, minilm_model_dir):
    output = run_example("deploy_with_model_data_local.py").stdout
    assert "384-dimensional embeddings; similarity of the two sentences: 0.7" in output


def test_deploy_from_hub(local_home, minilm_model_dir, tmp_path):
    output = run_example("deploy_from_hub_local.py", env={"HF_HUB_CACHE": str(tmp_path / "hub")}).stdout
    assert "Caching the bundled sentence-transformers/all-MiniLM-L6-v2" in output
    assert "sentence-transformers/all-MiniLM-L6-v2 answered: 384 numbers" in output
