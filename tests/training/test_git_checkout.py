"""git_config: clone, branch, commit, paths inside the checkout, credentials that never show."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from sagemaker_hf._git import checkout
from sagemaker_hf.errors import ConfigurationError, GitCheckoutError, SageMakerHFWarning
from tests.training.git_repos import TokenGitServer, git, make_repository, self_signed_certificate

TOKEN = "ghp_secretTOKEN0123456789"


def _check_out(config, entry_point="train.py", source_dir=None, dependencies=None):
    with checkout(config, entry_point, source_dir, dependencies):
        pass


@pytest.fixture
def repository(tmp_path):
    return make_repository(tmp_path / "origin")


def test_branch_and_the_entry_point_at_the_root(repository):
    with checkout({"repo": str(repository.path), "branch": "dev"}, "train.py") as code:
        assert Path(code.entry_point).read_text() == "print('dev')\n"
        assert code.source_dir is None and code.dependencies is None
        root = Path(code.entry_point).parent
    assert not root.exists(), "the checkout is removed when the block ends"


def test_default_branch_and_file_url(repository):
    with checkout({"repo": repository.path.as_uri()}, "train.py") as code:
        assert Path(code.entry_point).read_text() == "print('v2')\n"
        assert code.commit == repository.main_commit


def test_commit_is_checked_out_after_the_branch(repository):
    config = {"repo": str(repository.path), "branch": "main", "commit": repository.first_commit}
    with checkout(config, "train.py") as code:
        assert Path(code.entry_point).read_text() == "print('v1')\n"
        assert code.commit == repository.first_commit


def test_source_dir_and_dependencies_inside_the_repository(repository):
    with checkout({"repo": str(repository.path)}, "run_qa.py", "examples/qa", ["lib"]) as code:
        assert code.entry_point == "run_qa.py"
        assert sorted(os.listdir(code.source_dir)) == ["requirements.txt", "run_qa.py"]
        assert [Path(path).name for path in code.dependencies] == ["lib"]
        assert (Path(code.dependencies[0]) / "helpers.py").is_file()


def test_a_missing_branch_is_named_with_the_close_ones(repository):
    with pytest.raises(GitCheckoutError) as raised:
        _check_out({"repo": str(repository.path), "branch": "deev"})
    assert isinstance(raised.value, subprocess.CalledProcessError)  # what v2 raised
    assert "branch 'deev' is not a branch or tag" in str(raised.value)
    assert "dev" in str(raised.value).split("Close names:")[1]


def test_a_missing_branch_with_a_commit_is_named_too(repository):
    config = {"repo": str(repository.path), "branch": "nope", "commit": repository.first_commit}
    with pytest.raises(GitCheckoutError, match="branch 'nope' is not a branch or tag"):
        _check_out(config)


def test_a_missing_commit_is_named(repository):
    with pytest.raises(GitCheckoutError, match="commit '0123abcd' is not in"):
        _check_out({"repo": str(repository.path), "commit": "0123abcd"})


@pytest.mark.parametrize(
    ("entry_point", "source_dir", "dependencies", "words"),
    [
        ("missing.py", None, None, "entry_point='missing.py' is not a file of"),
        ("train.py", "examples/nope", None, "source_dir='examples/nope' is not a folder"),
        ("train.py", "examples/qa", None, "entry_point='train.py' is not a file in source_dir"),
        ("train.py", None, ["nope"], "dependencies: 'nope' is not in"),
        ("train.py", "../..", None, "stay inside it"),
        ("/etc/passwd", None, None, "stay inside it"),
    ],
)
def test_paths_missing_from_the_repository(repository, entry_point, source_dir, dependencies, words):
    with pytest.raises(ConfigurationError, match=words.replace("(", r"\(")):
        _check_out({"repo": str(repository.path)}, entry_point, source_dir, dependencies)


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"branch": "main"}, "needs 'repo'"),
        ({"repo": "http://example.com/r.git"}, "Plain http:// is refused"),
        ({"repo": "ftp://example.com/r.git"}, "not a repository URL"),
        ({"repo": "https://example.com/r.git", "branch": 3}, "git_config['branch'] is a int"),
        ({"repo": "https://example.com/r.git", "2FA_enabled": "yes"}, "must be a bool"),
        ({"repo": "https://example.com/r.git", "branch": "--upload-pack=x"}, "not a branch or commit name"),
    ],
)
def test_malformed_git_config(config, words):
    with pytest.raises(ConfigurationError, match=words.replace("(", r"\(").replace("[", r"\[")):
        _check_out(config)


def test_a_token_of_the_wrong_type_is_not_shown():
    with pytest.raises(ConfigurationError) as raised:
        _check_out({"repo": "https://example.com/r.git", "token": 12345678})
    assert "12345678" not in str(raised.value) and "<hidden>" in str(raised.value)


def test_unknown_keys_and_ignored_credentials_are_named(repository):
    config = {"repo": str(repository.path), "brunch": "dev", "token": TOKEN}
    with pytest.warns(SageMakerHFWarning) as caught:
        _check_out(config)
    messages = " | ".join(str(warning.message) for warning in caught)
    assert "'brunch' (did you mean 'branch'?)" in messages
    assert "ignoring token" in messages
    assert TOKEN not in messages


# ---- credentials over https -----------------------------------------------------------------


@pytest.fixture
def git_argument_log(tmp_path, monkeypatch):
    """Every git process's arguments, recorded by a git wrapper first on PATH."""
    log = tmp_path / "git-arguments.log"
    real_git = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
    wrapper_dir = tmp_path / "wrapper"
    wrapper_dir.mkdir()
    wrapper = wrapper_dir / "git"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real_git}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{wrapper_dir}{os.pathsep}{os.environ['PATH']}")
    return log


@pytest.fixture
def token_server(tmp_path, repository, monkeypatch):
    projects = tmp_path / "served"
    projects.mkdir()
    git(projects, "clone", "--quiet", "--bare", str(repository.path), "repo.git")
    certificate, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("GIT_SSL_CAINFO", str(certificate))
    # A user whose git stores every credential it is given: ours must not land there.
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[credential]\n\thelper = store\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    with TokenGitServer(projects, TOKEN, certificate, key) as server:
        yield server


def test_a_token_reaches_git_but_no_argument_file_or_error(token_server, git_argument_log):
    config = {"repo": f"{token_server.url}/repo.git", "branch": "dev", "token": TOKEN}
    with checkout(config, "train.py") as code:
        assert Path(code.entry_point).read_text() == "print('dev')\n"
    assert token_server.seen_authorizations[-1] == token_server.expected  # the token was used
    arguments = git_argument_log.read_text()
    assert "clone" in arguments and TOKEN not in arguments
    assert not (Path(os.environ["HOME"]) / ".git-credentials").exists()


def test_a_refused_token_fails_without_showing_it(token_server, git_argument_log):
    config = {"repo": f"{token_server.url}/repo.git", "token": TOKEN[::-1]}
    with pytest.raises(GitCheckoutError) as raised:
        _check_out(config)
    shown = f"{raised.value} {raised.value.cmd} {raised.value.stderr} {raised.value!r}"
    assert "Authentication failed" in shown or "401" in shown
    assert TOKEN[::-1] not in shown and TOKEN[::-1] not in git_argument_log.read_text()


def test_username_and_password_of_2fa_users_are_not_used(token_server, git_argument_log):
    config = {
        "repo": f"{token_server.url}/repo.git",
        "2FA_enabled": True,
        "username": "me",
        "password": "hunter2-secret",
    }
    with (
        pytest.warns(SageMakerHFWarning, match="with 2FA_enabled only a token works"),
        pytest.raises(GitCheckoutError) as raised,
    ):
        _check_out(config)
    assert "hunter2-secret" not in str(raised.value)
    assert not any("hunter2" in seen for seen in token_server.seen_authorizations)


def test_a_token_written_into_the_url_is_not_shown_in_errors(token_server):
    url = token_server.url.replace("https://", f"https://{TOKEN}@") + "/missing.git"
    with pytest.raises(GitCheckoutError) as raised:
        _check_out({"repo": url})
    assert TOKEN not in f"{raised.value} {raised.value.cmd}"
    assert "<credentials>@" in str(raised.value)
