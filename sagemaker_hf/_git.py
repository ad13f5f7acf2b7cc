"""SDK v2's ``git_config``: the code of a job (or model) taken from a git repository.

:func:`checkout` clones ``git_config["repo"]`` with the ``git`` command into a temporary
folder, checks out ``branch`` then ``commit`` (v2's order), resolves ``entry_point``,
``source_dir`` and ``dependencies`` inside the checkout, and removes the folder when the
``with`` block ends, so callers pack and upload the code inside the block::

    with checkout(git_config, "run_qa.py", "examples/pytorch/question-answering") as code:
        TrainingCode(code.entry_point, code.source_dir, code.dependencies).upload(...)

v2's rules for the keys: ``repo`` is required; every value is a string except
``2FA_enabled`` (a bool). Over https a ``token`` wins over ``username``/``password``; with
``2FA_enabled`` only a token is used; CodeCommit has no tokens and no 2FA; over ssh the
credentials are ignored (the ssh agent or key authenticates). Without credentials, git's
own credential helpers are used, as in v2.

Differences from v2, on purpose: credentials never go into the URL, a process argument or
a file. git gets them from a credential helper that reads them from its environment (v2
put them in the clone URL, where ``ps`` showed them). Without ``commit``, only the tip of
the branch is fetched (``--depth 1``): v2 cloned the whole history, which for the
transformers repository is gigabytes. A local path or ``file://`` URL is accepted too,
which v2 refused.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import subprocess
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sagemaker_hf.errors import ConfigurationError, GitCheckoutError, SageMakerHFWarning

logger = logging.getLogger(__name__)

KEYS = ("repo", "branch", "commit", "2FA_enabled", "username", "password", "token")
_USERNAME_VARIABLE = "SAGEMAKER_HF_GIT_USERNAME"
_PASSWORD_VARIABLE = "SAGEMAKER_HF_GIT_PASSWORD"
# A credential helper that answers git's "get" from the two variables above. The values
# stay in the environment: the shell expands them inside its builtin printf, so they never
# become a process argument.
_HELPER = (
    f'!f() {{ test "$1" = get && printf "username=%s\\npassword=%s\\n" '
    f'"${_USERNAME_VARIABLE}" "${_PASSWORD_VARIABLE}"; }}; f'
)
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_EXAMPLE = "git_config={'repo': 'https://github.com/huggingface/transformers.git', 'branch': 'v4.26.0'}"


@dataclass(frozen=True)
class CheckedOutCode:
    """``entry_point``/``source_dir``/``dependencies`` as paths in the checkout (v2's ``updated_paths``)."""

    entry_point: str
    source_dir: str | None
    dependencies: list[str] | None
    commit: str


@dataclass(frozen=True)
class _Repository:
    url: str
    kind: str  # "https", "codecommit", "ssh" or "path" (a repository on this machine)
    credentials: tuple[str, str] | None
    branch: str | None
    commit: str | None

    @property
    def shown(self) -> str:
        return redact_url(self.url)


@contextmanager
def checkout(
    git_config: Mapping[str, object],
    entry_point: str | None,
    source_dir: str | None = None,
    dependencies: list[str] | None = None,
) -> Iterator[CheckedOutCode]:
    """Clone ``git_config`` into a temporary folder; yield the code's paths inside it.

    Raises :class:`~sagemaker_hf.errors.ConfigurationError` for a malformed ``git_config``
    or a path missing from the repository, and
    :class:`~sagemaker_hf.errors.GitCheckoutError` (a ``subprocess.CalledProcessError``,
    as v2 raised) when git fails, e.g. an unknown branch or commit, or refused credentials.
    No message holds a token or password.
    """
    if entry_point is None:
        raise ConfigurationError(
            "git_config needs entry_point= (the script's path inside the repository, or inside source_dir)."
        )
    repository = _repository(git_config)
    with tempfile.TemporaryDirectory(prefix="sagemaker-hf-git-") as scratch:
        root = Path(scratch) / "checkout"
        commit = _clone(repository, root)
        logger.info("Checked out %s at %s", repository.shown, commit[:12])
        yield _resolve(repository, root, commit, entry_point, source_dir, dependencies)


# ---- git_config ------------------------------------------------------------------------------


def _repository(git_config: Mapping[str, object]) -> _Repository:
    if not isinstance(git_config, Mapping):
        raise ConfigurationError(
            f"git_config is a {type(git_config).__name__}; pass a dict, e.g. {_EXAMPLE}."
        )
    if "repo" not in git_config:
        raise ConfigurationError(f"git_config needs 'repo', e.g. {_EXAMPLE}.")
    unknown = [key for key in git_config if key not in KEYS]
    if unknown:
        hints = [
            f"{key!r} (did you mean {close[0]!r}?)" if (close := _nearest(key)) else repr(key)
            for key in unknown
        ]
        warnings.warn(
            f"git_config: ignoring unknown key(s) {', '.join(hints)}; the keys are {', '.join(KEYS)}.",
            SageMakerHFWarning,
            stacklevel=3,
        )
    for key in KEYS:
        if key not in git_config:
            continue
        value = git_config[key]
        expected = bool if key == "2FA_enabled" else str
        if not isinstance(value, expected):
            shown = "<hidden>" if key in ("password", "token") else repr(value)
            raise ConfigurationError(
                f"git_config[{key!r}] is a {type(value).__name__} ({shown}); "
                f"it must be a {expected.__name__}."
            )
    url = str(git_config["repo"])
    kind = _kind(url)
    for key in ("branch", "commit"):
        value = git_config.get(key)
        if isinstance(value, str) and (not value or value.startswith("-")):
            raise ConfigurationError(f"git_config[{key!r}]={value!r} is not a branch or commit name.")
    return _Repository(
        url=url,
        kind=kind,
        credentials=_credentials(git_config, kind),
        branch=git_config.get("branch"),  # type: ignore[arg-type]
        commit=git_config.get("commit"),  # type: ignore[arg-type]
    )


def _nearest(key: str) -> list[str]:
    return difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)


def _kind(url: str) -> str:
    if url.startswith(("https://git-codecommit.", "ssh://git-codecommit.")):
        return "codecommit" if url.startswith("https://") else "ssh"
    if url.startswith("https://"):
        return "https"
    if url.startswith("ssh://") or re.match(r"^[\w.-]+@[\w.-]+:", url):
        return "ssh"
    if url.startswith("file://") or (not url.startswith("-") and "://" not in url and Path(url).is_dir()):
        return "path"
    raise ConfigurationError(
        f"git_config['repo']={redact_url(url)!r} is not a repository URL git can clone here: use "
        "https://..., ssh://... or git@host:path (v2's forms), or a local path / file:// URL. Plain "
        "http:// is refused because credentials would travel unencrypted."
    )


def _credentials(git_config: Mapping[str, object], kind: str) -> tuple[str, str] | None:
    """(username, password) for git's credential helper, following v2's precedence rules."""
    token, username, password = (git_config.get(key) for key in ("token", "username", "password"))
    given = [key for key in ("token", "username", "password") if git_config.get(key) is not None]

    def ignore(names: list[str], why: str) -> None:
        if names:
            warnings.warn(f"git_config: ignoring {', '.join(names)}: {why}", SageMakerHFWarning, stacklevel=5)

    if kind in ("ssh", "path"):
        ignore(given, "this repository is not reached over https (ssh uses your ssh key or agent).")
        return None
    if kind == "codecommit":
        ignore(["2FA_enabled"] if "2FA_enabled" in git_config else [], "CodeCommit has no two-factor login.")
        ignore(["token"] if token is not None else [], "CodeCommit has no tokens; use username and password.")
        token = None
    if token is not None:
        ignore([key for key in ("username", "password") if key in given], "the token is used to log in.")
        return str(token), ""  # v2's form: the token as the user name, no password
    if git_config.get("2FA_enabled") is True:
        ignore(
            [key for key in ("username", "password") if key in given], "with 2FA_enabled only a token works."
        )
        return None
    if username is not None and password is not None:
        return str(username), str(password)
    ignore([key for key in ("username", "password") if key in given], "git needs both username and password.")
    return None


# ---- running git -----------------------------------------------------------------------------


def redact_url(url: str) -> str:
    """``url`` without a ``user:secret@`` part (users sometimes put a token in the URL itself)."""
    return _USERINFO.sub("<credentials>@", url)


def _environment(repository: _Repository) -> dict[str, str]:
    environment = dict(os.environ)
    environment["GIT_TERMINAL_PROMPT"] = "0"  # fail instead of waiting for a password nobody types
    environment.pop("GIT_ASKPASS", None)
    if repository.credentials is not None:
        environment[_USERNAME_VARIABLE], environment[_PASSWORD_VARIABLE] = repository.credentials
    if repository.kind == "ssh" and "GIT_SSH_COMMAND" not in environment and "GIT_SSH" not in environment:
        environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"  # no passphrase prompt: use an agent
    return environment


def _git_options(repository: _Repository) -> list[str]:
    if repository.credentials is None:
        return []
    # Our helper only: the user's helpers could otherwise store the token on disk.
    return ["-c", "credential.helper=", "-c", f"credential.helper={_HELPER}"]


def _run(repository: _Repository, arguments: list[str], cwd: Path | None, what: str) -> str:
    command = ["git", *_git_options(repository), *arguments]
    secrets = [value for value in repository.credentials or () if value]
    try:
        finished = subprocess.run(
            command, cwd=cwd, env=_environment(repository), capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise ConfigurationError(
            "git_config needs the git command, which is not installed (e.g. apt-get install git)."
        ) from None
    if finished.returncode != 0:
        shown = [_redact(part, repository, secrets) for part in ["git", *arguments]]
        detail = _redact(finished.stderr.strip(), repository, secrets)
        raise GitCheckoutError(finished.returncode, shown, f"{what}: {detail or 'git gave no reason'}")
    return finished.stdout


def _redact(text: str, repository: _Repository, secrets: list[str]) -> str:
    text = redact_url(text.replace(repository.url, repository.shown))
    for secret in secrets:
        text = text.replace(secret, "<hidden>")
    return text


def _clone(repository: _Repository, root: Path) -> str:
    """Clone and check out; returns the commit checked out."""
    source = repository.url
    where = f"git_config repo {repository.shown}"
    if repository.commit is None:
        branch = ["--branch", repository.branch] if repository.branch else []
        if repository.kind == "path" and not source.startswith("file://"):
            source = Path(source).resolve().as_uri()  # --depth is honoured for file:// only
        try:
            _run(
                repository,
                ["clone", "--quiet", "--depth", "1", *branch, "--", source, str(root)],
                None,
                where,
            )
        except GitCheckoutError as error:
            _explain_missing_branch(repository, error)
            raise
    else:
        _run(repository, ["clone", "--quiet", "--", source, str(root)], None, where)
        if repository.branch:
            try:
                _run(repository, ["checkout", "--quiet", repository.branch, "--"], root, where)
            except GitCheckoutError as error:
                _explain_missing_branch(repository, error)
                raise
        what = f"git_config commit {repository.commit!r} is not in {repository.shown}; give a full commit id"
        _run(repository, ["checkout", "--quiet", "--detach", repository.commit, "--"], root, what)
    return _run(repository, ["rev-parse", "HEAD"], root, where).strip()


def _explain_missing_branch(repository: _Repository, error: GitCheckoutError) -> None:
    """Raise a clearer error when ``branch`` is not a branch or tag of the repository."""
    if repository.branch is None:
        return
    try:
        listing = _run(
            repository, ["ls-remote", "--heads", "--tags", "--", repository.url], None, "ls-remote"
        )
    except GitCheckoutError:
        return  # the repository itself is unreachable: the clone's own error says why
    names = {
        line.split("\t")[1].split("/", 2)[2].removesuffix("^{}")
        for line in listing.splitlines()
        if "\t" in line
    }
    if repository.branch in names:
        return
    close = difflib.get_close_matches(repository.branch, sorted(names), n=3)
    hint = f" Close names: {', '.join(close)}." if close else ""
    if re.fullmatch(r"[0-9a-f]{7,40}", repository.branch):
        hint += " A commit id goes in git_config['commit']."
    raise GitCheckoutError(
        error.returncode,
        error.cmd,
        f"git_config branch {repository.branch!r} is not a branch or tag of {repository.shown}.{hint}",
    ) from None


# ---- paths inside the checkout ---------------------------------------------------------------


def _inside(root: Path, relative: str, argument: str, repository: _Repository) -> Path:
    path = (root / relative).resolve()
    if Path(relative).is_absolute() or not path.is_relative_to(root.resolve()):
        raise ConfigurationError(
            f"{argument}={relative!r}: with git_config, paths are relative to the repository's root "
            f"({repository.shown}) and stay inside it."
        )
    return path


def _resolve(
    repository: _Repository,
    root: Path,
    commit: str,
    entry_point: str,
    source_dir: str | None,
    dependencies: list[str] | None,
) -> CheckedOutCode:
    at = f"{repository.shown} at {commit[:12]}"
    resolved_dir = None
    if source_dir is not None:
        directory = _inside(root, source_dir, "source_dir", repository)
        if not directory.is_dir():
            raise ConfigurationError(f"source_dir={source_dir!r} is not a folder of {at}.")
        if not (directory / entry_point).is_file():
            raise ConfigurationError(
                f"entry_point={entry_point!r} is not a file in source_dir={source_dir!r} of {at}; give "
                "entry_point relative to source_dir."
            )
        resolved_dir, resolved_entry = str(directory), entry_point
    else:
        script = _inside(root, entry_point, "entry_point", repository)
        if not script.is_file():
            raise ConfigurationError(
                f"entry_point={entry_point!r} is not a file of {at}; give its path from the repository's "
                "root (or pass source_dir= and a path inside it)."
            )
        resolved_entry = str(script)
    resolved_dependencies = None
    if dependencies is not None:
        resolved_dependencies = []
        for dependency in dependencies:
            path = _inside(root, dependency, "dependencies", repository)
            if not path.exists():
                raise ConfigurationError(f"dependencies: {dependency!r} is not in {at}.")
            resolved_dependencies.append(str(path))
    return CheckedOutCode(resolved_entry, resolved_dir, resolved_dependencies, commit)
