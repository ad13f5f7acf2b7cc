"""Content-Type parsing and Accept negotiation (no server)."""

from __future__ import annotations

import pytest

from sagemaker_hf.toolkit import media
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
    parsed = media.parse_media_type(header)
    assert parsed.essence == essence
    assert parsed.charset == charset


@pytest.mark.parametrize("header", ["json", "", "application/", "/json", "application json"])
def test_malformed_content_type_is_415_with_an_example(header):
    with pytest.raises(UnsupportedMediaTypeError, match="type/subtype"):
        media.parse_media_type(header)


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
        ("image/png, */*;q=0.1", "application/json"),
        ("APPLICATION/X-NPY", "application/x-npy"),
    ],
)
def test_negotiate_honours_quality_wildcards_and_order(accept, chosen):
    assert media.negotiate(accept) == chosen


def test_unsupported_accept_is_406_listing_what_is_offered():
    with pytest.raises(NotAcceptableError) as caught:
        media.negotiate("image/png, text/html;q=0.5")
    assert "image/png" in caught.value.message
    assert "application/json" in caught.value.message
    assert caught.value.status == 406


def test_accept_with_a_bad_quality_is_400():
    with pytest.raises(BadInputError, match="quality value 'high'"):
        media.negotiate("application/json;q=high")


def test_record_requests_prefer_json_lines():
    assert media.negotiate(None, media.RECORD_ENCODERS) == "application/jsonlines"
    assert media.negotiate("application/json", media.RECORD_ENCODERS) == "application/json"
    with pytest.raises(NotAcceptableError):
        media.negotiate("text/csv", media.RECORD_ENCODERS)


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
    assert media.accept_for_hooks(accept) == given


def test_unknown_content_type_message_lists_supported_types():
    error = media.unsupported_content_type("application/xml")
    assert error.status == 415
    for expected in ("application/json", "text/csv", "image/png", "audio/wav", "application/x-npy"):
        assert expected in error.message
