"""When a line of a record file is blank: one rule for local batch jobs and the inference server.

A leaf module (it imports nothing of ours), so both the SDK's local transform jobs and the
toolkit use it: the job decides which lines are records, the server decides which lines of a
JSON Lines or CSV body are records, and the two must agree, or a MultiRecord answer has
fewer lines than the request had records.

A line is blank when, decoded, it holds nothing but whitespace as Python's ``str.isspace``
knows it (ASCII spaces and tabs, but also U+00A0, U+2003, U+3000, …) and byte-order marks
(U+FEFF). Blank lines are not records: they get no request and no output line. A line that
does not decode (not UTF-8, or not the body's charset) is not blank: it is data, and the
model says what it thinks of it.
"""

from __future__ import annotations

_BYTE_ORDER_MARK = "\ufeff"


def is_blank(line: bytes | str, encoding: str = "utf-8") -> bool:
    """Whether ``line`` (one line, with or without its line end) holds no record."""
    if isinstance(line, bytes):
        start = line.lstrip()  # bytes.lstrip() removes ASCII whitespace only
        if not start:
            return True
        if start[0] < 0x80 and not chr(start[0]).isspace():  # a visible ASCII character: JSON's "{", a digit
            return False
        try:
            line = line.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            return False
    # str.strip() runs at C speed; what it leaves starts with a character that is not whitespace.
    return all(char.isspace() or char == _BYTE_ORDER_MARK for char in line.strip())
