"""Git repositories for the git_config tests: local ones in tmp, and one served over https with a token.

``make_repository`` builds a repository with a ``main`` and a ``dev`` branch and two commits
on ``main``. ``TokenGitServer`` serves a folder of bare repositories over https on
127.0.0.1 through ``git http-backend``, and answers 401 unless the request carries the
token (as the user name, v2's form), so a clone succeeds only if the token reached git.
"""

from __future__ import annotations

import base64
import datetime
import http.server
import os
import ssl
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(cwd: Path, *arguments: str) -> str:
    environment = {**os.environ, **GIT_IDENTITY}
    finished = subprocess.run(
        ["git", *arguments], cwd=cwd, env=environment, capture_output=True, text=True, check=True
    )
    return finished.stdout.strip()


@dataclass(frozen=True)
class Repository:
    path: Path
    first_commit: str  # main's first commit: train.py prints "v1"
    main_commit: str  # main's tip: train.py prints "v2"


def make_repository(root: Path) -> Repository:
    """main: train.py, examples/qa/run_qa.py, lib/helpers.py; dev: train.py prints "dev"."""
    root.mkdir(parents=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    (root / "train.py").write_text("print('v1')\n")
    (root / "examples" / "qa").mkdir(parents=True)
    (root / "examples" / "qa" / "run_qa.py").write_text("print('qa')\n")
    (root / "examples" / "qa" / "requirements.txt").write_text("")
    (root / "lib").mkdir()
    (root / "lib" / "helpers.py").write_text("VALUE = 1\n")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "first")
    first = git(root, "rev-parse", "HEAD")
    (root / "train.py").write_text("print('v2')\n")
    git(root, "commit", "--quiet", "-am", "second")
    main = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "--quiet", "-b", "dev")
    (root / "train.py").write_text("print('dev')\n")
    git(root, "commit", "--quiet", "-am", "dev")
    git(root, "checkout", "--quiet", "main")
    return Repository(root, first, main)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, made with ``cryptography`` (a moto dependency)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = directory / "cert.pem", directory / "key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certificate_path, key_path


class TokenGitServer:
    """``git http-backend`` over https on 127.0.0.1, behind a check of the Basic credentials."""

    def __init__(self, project_root: Path, token: str, certificate: Path, key: Path) -> None:
        self.project_root = project_root
        self.expected = "Basic " + base64.b64encode(f"{token}:".encode()).decode()
        self.seen_authorizations: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                del format, args

            def do_GET(self) -> None:
                server.answer(self)

            def do_POST(self) -> None:
                server.answer(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> TokenGitServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, request: http.server.BaseHTTPRequestHandler) -> None:
        authorization = request.headers.get("Authorization", "")
        self.seen_authorizations.append(authorization)
        if authorization != self.expected:
            request.send_response(401)
            request.send_header("WWW-Authenticate", 'Basic realm="test"')
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        path, _, query = request.path.partition("?")
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        environment = {
            **os.environ,
            "GIT_PROJECT_ROOT": str(self.project_root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": request.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "user",
            "REMOTE_ADDR": "127.0.0.1",
        }
        output = subprocess.run(
            ["git", "http-backend"], input=body, env=environment, capture_output=True, check=False
        ).stdout
        head, _, payload = output.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        request.send_response(status)
        for name, value in headers:
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)
