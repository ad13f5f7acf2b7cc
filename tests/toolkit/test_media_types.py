"""Content-Type parsing and Accept negotiation (no server)."""

from __future__ import annotations

import contextlib

import pytest

from sagemaker_hf.toolkit import media_types
from sagemaker_hf.toolkit.errors import BadInputError, NotAcceptableError, UnsupportedMediaTypeError


@pytest.mark.parametrize(
    ("header", "essence", "charset"),
    [
        ("application/json", "application/json", None),
        ("application/json; charset=utf-8", "application/json", "utf-8"),
        ('Application/JSON;Charset="ISO-8859-1"', "application/json", "ISO-8859-1"),
        ("text/csv ; header=present; charset=utf-16", "text/csv", "utf-16"),
    ],
)
def test_parse_media_type_reads_essence_and_charset(header, essence, charset):
    parsed = media_types.parse_media_type(header)
    assert parsed.essence == essence
    assert parsed.charset == charset


@pytest.mark.parametrize("header", ["json", "", "application/", "/json", "application json"])
def test_malformed_content_type_is_415_with_an_example(header):
    with pytest.raises(UnsupportedMediaTypeError, match="type/subtype"):
        media_types.parse_media_type(header)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/*", "text/csv"),
        ("text/csv", "text/csv"),
        ("application/x-jsonlines", "application/x-jsonlines"),
        ("text/csv;q=0.5, application/json", "application/json"),
        ("application/json;q=0.1, text/csv;q=0.9", "text/csv"),
        ("text/csv, application/json", "text/csv"),  # equal quality: the client's first choice
        ("application/json;q=0, */*", "application/jsonlines"),  # q=0 excludes JSON
        ("text/html, */*;q=0.1", "application/json"),
        ("image/png, */*;q=0.1", "image/png"),  # a predict_fn may answer an image
        ("image/*", "image/png"),
        ("APPLICATION/X-NPY", "application/x-npy"),
    ],
)
def test_negotiate_honours_quality_wildcards_and_order(accept, chosen):
    assert media_types.negotiate(accept) == chosen


def test_unsupported_accept_is_406_listing_what_is_offered():
    with pytest.raises(NotAcceptableError) as caught:
        media_types.negotiate("text/html, audio/wav;q=0.5")
    assert "text/html" in caught.value.message
    assert "application/json" in caught.value.message
    assert caught.value.status == 406


def test_accept_with_a_bad_quality_is_400():
    with pytest.raises(BadInputError, match="quality value 'high'"):
        media_types.negotiate("application/json;q=high")


def test_record_requests_prefer_json_lines():
    assert media_types.negotiate(None, media_types.RECORD_ENCODERS) == "application/jsonlines"
    assert media_types.negotiate("application/json", media_types.RECORD_ENCODERS) == "application/json"
    with pytest.raises(NotAcceptableError):
        media_types.negotiate("text/csv", media_types.RECORD_ENCODERS)


@pytest.mark.parametrize(
    ("accept", "given"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/csv", "text/csv"),
        ("image/png", "image/png"),
        ("image/webp;q=0.2, image/png", "image/png"),
    ],
)
def test_hooks_get_one_concrete_accept(accept, given):
    assert media_types.accept_for_hooks(accept) == given


def test_unknown_content_type_message_lists_supported_types():
    error = media_types.unsupported_content_type("application/xml")
    assert error.status == 415
    for expected in ("application/json", "text/csv", "image/png", "audio/wav", "application/x-npy"):
        assert expected in error.message


# ---------------------------------------------------------------- charsets (issue 16, items 12-13)

NOT_CHARACTER_ENCODINGS = ["rot13", "rot_13", "zlib", "base64", "hex", "uu", "bz2", "quopri", "zlib_codec"]
REFUSED_TEXT_ENCODINGS = ["punycode", "idna", "undefined", "unicode_escape", "raw-unicode-escape", "Punycode"]
UNKNOWN = ["klingon", "aliases", "encodings", "__init__", "utf-9", "x" * 65, ""]


def charset(name: str) -> media_types.MediaType:
    return media_types.parse_media_type(f"application/json; charset={name}")


@pytest.mark.parametrize("name", NOT_CHARACTER_ENCODINGS + REFUSED_TEXT_ENCODINGS + UNKNOWN)
def test_a_charset_that_is_not_a_linear_text_encoding_is_415_naming_it(name):
    with pytest.raises(UnsupportedMediaTypeError) as caught:
        media_types.text_codec(charset(name))
    assert caught.value.status == 415
    assert f"charset {name[: media_types.MAX_CHARSET_CHARS]!r}" in caught.value.message
    assert "send UTF-8 text (charset=utf-8)" in caught.value.message


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        ('"utf-8"', "utf-8"),
        ("latin-1", "iso8859-1"),
        ("ISO-8859-1", "iso8859-1"),
        ("windows-1252", "cp1252"),
        ("us-ascii", "ascii"),
        ("utf-16", "utf-16"),
        ("Shift_JIS", "shift_jis"),
        ("GB18030", "gb18030"),
        ("utf-7", "utf-7"),
    ],
)
def test_the_charsets_clients_send_name_their_codec(name, codec):
    assert media_types.text_codec(charset(name)) == codec


def test_no_charset_means_utf8():
    assert media_types.text_codec(media_types.parse_media_type("text/csv")) == "utf-8"


def test_the_rule_every_stdlib_text_encoding_but_the_refused_ones():
    import codecs
    import encodings
    import pkgutil

    accepted, refused = set(), set()
    for module in pkgutil.iter_modules(encodings.__path__):
        try:
            info = codecs.lookup(module.name)
        except LookupError:
            continue
        try:
            media_types.text_codec(charset(module.name))
            accepted.add(info.name)
        except UnsupportedMediaTypeError:
            refused.add(info.name)
    refused_text = {name for name in refused if codecs.lookup(name)._is_text_encoding}
    assert {encodings.normalize_encoding(name) for name in refused_text} == set(media_types.REFUSED_CHARSETS)
    assert all(codecs.lookup(name)._is_text_encoding for name in accepted)
    assert {"zlib", "base64", "rot-13", "hex", "uu", "bz2", "quopri"} <= refused
    assert len(accepted) > 90  # every other text encoding of the standard library


def test_unknown_charsets_never_reach_the_codec_registry():
    # The registry keeps every name it is asked for: one per request would grow the front forever.
    import encodings

    names = [f"klingon-{number}" for number in range(50)] + ["u-t-f--8-", "UTF_8"]
    for name in names:
        with contextlib.suppress(UnsupportedMediaTypeError):
            media_types.text_codec(charset(name))
    assert not set(names) & set(encodings._cache)


def test_binary_types_ignore_the_charset_and_text_types_check_it():
    assert media_types.decoder_for(media_types.parse_media_type("image/png; charset=punycode")) == "image"
    assert (
        media_types.decoder_for(media_types.parse_media_type("application/json; charset=latin-1")) == "json"
    )
    for essence in ("application/json", "application/jsonlines", "text/csv"):
        with pytest.raises(UnsupportedMediaTypeError, match="charset 'punycode'"):
            media_types.decoder_for(media_types.parse_media_type(f"{essence}; charset=punycode"))
