"""Media types: parsing Content-Type and Accept headers, and choosing the response type.

Standard library only: the front process uses it to refuse a request (415, 406) before
any model work, without importing numpy, PIL or torch.

The two tables below are the whole list of what the default steps read and write.

How to add a content type
-------------------------
1. A request body: one row in :data:`DECODERS` (media type -> decoder name). A new kind of
   body also needs its decoder, one row in ``codecs._DECODE`` (decoder name -> function);
   if user hooks should receive it as ``str``, its decoder name in :data:`TEXT_DECODERS`.
2. A response: one row in :data:`ENCODERS` (media type -> encoder name, in the order of
   preference a wildcard ``Accept`` follows) and, for a new kind, one row in
   ``encoders._ENCODE``.
3. Cases in ``tests/toolkit/test_media_types.py`` and ``tests/toolkit/test_codecs.py``.

A text body's ``charset`` must name a text encoding that decodes in linear time (see
:func:`text_codec`); anything else is refused with 415 before the body is read.
"""

from __future__ import annotations

import codecs
import encodings
import encodings.aliases
import functools
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sagemaker_hf.toolkit.errors import BadInputError, NotAcceptableError, UnsupportedMediaTypeError

JSON = "application/json"
JSON_LINES = "application/jsonlines"
CSV = "text/csv"
NPY = "application/x-npy"

# media type -> decoder name in codecs.py
DECODERS: dict[str, str] = {
    JSON: "json",
    JSON_LINES: "jsonlines",
    "application/x-jsonlines": "jsonlines",
    "application/jsonl": "jsonlines",
    CSV: "csv",
    NPY: "npy",
    "image/jpeg": "image",
    "image/png": "image",
    "image/tiff": "image",
    "image/bmp": "image",
    "image/gif": "image",
    "image/webp": "image",
    "image/x-image": "image",
    "audio/x-flac": "audio",
    "audio/flac": "audio",
    "audio/mpeg": "audio",
    "audio/wav": "audio",
    "audio/x-wav": "audio",
    "audio/wave": "audio",
    "audio/ogg": "audio",
    "audio/x-audio": "audio",
}

# Image answers (a predict_fn that returns a PIL image): media type -> the format PIL writes,
# as the AWS toolkit writes them (image/x-image as PNG).
IMAGE_FORMATS: dict[str, str] = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/tiff": "TIFF",
    "image/bmp": "BMP",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/x-image": "PNG",
}

# media type -> encoder name in encoders.py, in the server's order of preference (a wildcard
# Accept gets the first one that matches: JSON).
ENCODERS: dict[str, str] = {
    JSON: "json",
    JSON_LINES: "jsonlines",
    "application/x-jsonlines": "jsonlines",
    CSV: "csv",
    NPY: "npy",
    **dict.fromkeys(IMAGE_FORMATS, "image"),
}

# What a multi-record (JSON Lines) request may be answered with: one JSON document per line.
RECORD_ENCODERS: list[str] = [JSON_LINES, "application/x-jsonlines", JSON]

# Text bodies that user hooks receive as ``str`` (the AWS toolkit does the same for JSON and CSV).
TEXT_DECODERS = frozenset({"json", "jsonlines", "csv"})


@dataclass(frozen=True)
class MediaType:
    """A parsed media type: lower-case ``type/subtype`` plus its parameters."""

    essence: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def charset(self) -> str | None:
        return self.params.get("charset")


def _split_params(text: str) -> list[str]:
    """Split on ``;`` outside double quotes."""
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


# Clients send the same few headers; each request parses them up to three times (front and worker).
@functools.lru_cache(maxsize=256)
def parse_media_type(header: str) -> MediaType:
    """Parse one media type such as ``application/json; charset=UTF-8``.

    Raises :class:`UnsupportedMediaTypeError` when it is not of the form ``type/subtype``.
    The result is shared between callers (its parameters are read-only).
    """
    essence, *raw_params = _split_params(header)
    essence = essence.strip().lower()
    main, slash, sub = essence.partition("/")
    if not slash or not main or not sub or " " in essence:
        raise UnsupportedMediaTypeError(
            f"Content-Type {header!r} is not a media type of the form type/subtype; send for example {JSON!r}"
        )
    params: dict[str, str] = {}
    for raw in raw_params:
        name, equals, value = raw.partition("=")
        if equals:
            params[name.strip().lower()] = value.strip().strip('"')
    return MediaType(essence, MappingProxyType(params))


def decoder_for(content_type: MediaType) -> str | None:
    """The decoder name for a parsed Content-Type, or None when the default steps cannot read it.

    Raises :class:`UnsupportedMediaTypeError` (415) for a text type whose ``charset`` this
    server does not decode (:func:`text_codec`); binary types ignore the parameter.
    """
    decoder = DECODERS.get(content_type.essence)
    if decoder in TEXT_DECODERS:
        text_codec(content_type)
    return decoder


def unsupported_content_type(header: str, *, refused: tuple[str, ...] = ()) -> UnsupportedMediaTypeError:
    supported = ", ".join(name for name in DECODERS if name not in refused)
    return UnsupportedMediaTypeError(
        f"Content-Type {header!r} is not supported; send one of: {supported} "
        "(or add an input_fn to code/inference.py to read it yourself)"
    )


@dataclass(frozen=True)
class AcceptRange:
    essence: str  # may hold wildcards: "*/*", "application/*"
    quality: float
    position: int

    def matches(self, media_type: str) -> bool:
        if self.essence == "*/*":
            return True
        main, _, sub = self.essence.partition("/")
        if sub == "*":
            return media_type.startswith(main + "/")
        return self.essence == media_type

    @property
    def specificity(self) -> int:
        if self.essence == "*/*":
            return 0
        return 1 if self.essence.endswith("/*") else 2


def parse_accept(header: str | None) -> list[AcceptRange]:
    """The ranges of an Accept header; an empty or missing header means ``*/*``."""
    if header is None or not header.strip():
        return [AcceptRange("*/*", 1.0, 0)]
    ranges = []
    for position, item in enumerate(header.split(",")):
        if not item.strip():
            continue
        essence, *raw_params = _split_params(item)
        quality = 1.0
        for raw in raw_params:
            name, _, value = raw.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError as error:
                    raise BadInputError(
                        f"Accept header {header!r} has the quality value {value.strip()!r}, "
                        "which is not a number between 0 and 1"
                    ) from error
        ranges.append(AcceptRange(essence.strip().lower(), quality, position))
    return ranges or [AcceptRange("*/*", 1.0, 0)]


def _quality_of(media_type: str, ranges: list[AcceptRange]) -> tuple[float, int]:
    """(quality, position of the deciding range) for one type; the most specific range decides."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0, len(ranges)
    best = max(matching, key=lambda r: (r.specificity, -r.position))
    return best.quality, best.position


def negotiate(accept_header: str | None, offered: list[str] | None = None) -> str:
    """The response type for an Accept header, from ``offered`` (default: every encoder).

    Highest quality wins; ties go to the type the client listed first, then to the
    server's order. Raises :class:`NotAcceptableError` (406) when nothing fits.
    """
    return _negotiate(accept_header, tuple(ENCODERS) if offered is None else tuple(offered))


@functools.lru_cache(maxsize=256)
def _negotiate(accept_header: str | None, offered: tuple[str, ...]) -> str:
    ranges = parse_accept(accept_header)
    best: tuple[float, int, int] | None = None
    chosen = None
    for preference, media_type in enumerate(offered):
        quality, position = _quality_of(media_type, ranges)
        if quality <= 0:
            continue
        key = (-quality, position, preference)
        if best is None or key < best:
            best, chosen = key, media_type
    if chosen is None:
        raise NotAcceptableError(
            f"Accept {accept_header!r} names no type this server can produce; "
            f"accept one of: {', '.join(offered)} (or add an output_fn to code/inference.py)"
        )
    return chosen


def accept_for_hooks(accept_header: str | None) -> str:
    """The single media type given to a user ``output_fn``/``transform_fn`` as ``accept``.

    A missing Accept or ``*/*`` becomes ``application/json`` (what the AWS toolkit passes).
    Otherwise the type our encoders would pick, and failing that the client's most
    preferred concrete type, so a hook can serve types the default steps cannot.
    """
    try:
        return negotiate(accept_header)
    except NotAcceptableError:
        ranges = sorted(parse_accept(accept_header), key=lambda r: (-r.quality, -r.specificity, r.position))
        return ranges[0].essence


# ---------------------------------------------------------------------------- charsets

# Text encodings Python has that a request may still not name, and why. Every other text
# encoding of the standard library decodes in time linear in the body (benchmarks/
# charset_decode_cost.py measures each one), so a body of SAGEMAKER_MAX_PAYLOAD_IN_MB
# decodes in well under a second whatever its charset.
REFUSED_CHARSETS = {
    "punycode": "its decoding time grows with the square of the body (a 350 KB body took a minute)",
    "idna": "it decodes host names label by label, not text, and its decoder has been quadratic "
    "(CVE-2022-45061)",
    "undefined": "it is Python's placeholder that fails on every body",
    "unicode_escape": "it is Python's string-literal escape format, not a charset",
    "raw_unicode_escape": "it is Python's string-literal escape format, not a charset",
}
# Longer than any registered charset name (the longest IANA name has 45 characters).
MAX_CHARSET_CHARS = 64


@functools.cache
def _codec_names() -> frozenset[str]:
    """Every normalised name the standard library's codec search can find (aliases and modules)."""
    modules = {module.name for module in pkgutil.iter_modules(encodings.__path__)}
    return frozenset(encodings.aliases.aliases) | frozenset(encodings.aliases.aliases.values()) | modules


def _refuse_charset(content_type: MediaType, why: str) -> UnsupportedMediaTypeError:
    charset = content_type.charset or ""
    quoted = repr(charset) if len(charset) <= MAX_CHARSET_CHARS else f"{charset[:MAX_CHARSET_CHARS]!r}…"
    return UnsupportedMediaTypeError(
        f"Content-Type {content_type.essence!r} names the charset {quoted}, {why}; "
        "send UTF-8 text (charset=utf-8)"
    )


def text_codec(content_type: MediaType) -> str:
    """The Python codec that decodes a text body of this Content-Type: its ``charset``, UTF-8 when
    it names none.

    Raises :class:`UnsupportedMediaTypeError` (415), naming the charset, when it is unknown,
    is not a character encoding (``base64``, ``zlib``, ``rot13``: transforms of bytes or of
    text), or is one of :data:`REFUSED_CHARSETS`.
    """
    charset = content_type.charset
    if charset is None:
        return "utf-8"
    if len(charset) > MAX_CHARSET_CHARS:
        raise _refuse_charset(content_type, "which this server does not know")
    codec, why = _charset_codec(charset)
    if codec is None:
        raise _refuse_charset(content_type, why)
    return codec


@functools.lru_cache(maxsize=256)
def _charset_codec(charset: str) -> tuple[str | None, str]:
    """(codec name, "") for a charset this server decodes, else (None, why not)."""
    # Only names the standard library knows reach codecs.lookup, and in their normalised form:
    # the codec registry caches every name it is asked for, for the life of the process.
    key = encodings.normalize_encoding(charset.strip().lower())
    if key not in _codec_names():
        key = key.replace(".", "_")
    if key not in _codec_names():
        return None, "which this server does not know"
    try:
        info = codecs.lookup(key)
    except LookupError:  # a module of the encodings package that is not a codec, or a Windows-only one
        return None, "which this server does not know"
    if not getattr(info, "_is_text_encoding", True):
        return None, f"which is not a character encoding (Python's {info.name!r} codec is a transform)"
    reason = REFUSED_CHARSETS.get(encodings.normalize_encoding(info.name))
    if reason is not None:
        return None, f"which this server does not decode: {reason}"
    return info.name, ""
