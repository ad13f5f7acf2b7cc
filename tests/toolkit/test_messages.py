"""Worker messages on the pipe: every message arrives whole and in order, however the bytes
are cut by the reads, and one large answer does not keep its memory in the front."""

from __future__ import annotations

import socket
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagemaker_hf.toolkit import messages


def reply(request_id: int, size: int) -> messages.Reply:
    body = bytes((request_id + offset) % 251 for offset in range(size))
    return messages.Reply(request_id, body, "application/json", {"predict": 0.01})


class Chunks:
    """A socket stand-in whose reads return the given pieces of ``data``, one per read."""

    def __init__(self, data: bytes, cuts: list[int]) -> None:
        points = sorted({cut % (len(data) + 1) for cut in cuts} | {len(data)})
        starts = [0, *points[:-1]]
        self.pieces = [data[start:end] for start, end in zip(starts, points, strict=True) if end > start]

    def recv_into(self, buffer, nbytes: int = 0, flags: int = 0) -> int:
        if not self.pieces:
            return 0
        piece = self.pieces[0]
        count = min(len(piece), len(buffer))
        buffer[:count] = piece[:count]
        if count == len(piece):
            self.pieces.pop(0)
        else:
            self.pieces[0] = piece[count:]
        return count


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 40_000), min_size=1, max_size=6),
    st.lists(st.integers(0, 10**6), max_size=12),
    st.sampled_from([16, 1000, 64 * 1024]),
)
def test_messages_arrive_whole_and_in_order_however_the_reads_cut_them(sizes, cuts, buffer_size):
    sent = [reply(number, size) for number, size in enumerate(sizes)]
    source = Chunks(b"".join(messages.frame(message) for message in sent), cuts)
    reader = messages.FrameReader(buffer_size)
    arrived: list = []
    while (found := reader.receive(source)) is not None:
        arrived.extend(found)
    assert arrived == sent


def test_a_large_answer_is_read_whole_then_its_memory_is_given_back():
    reader = messages.FrameReader(4096)
    big = reply(1, 3 * 1024 * 1024)
    source = Chunks(messages.frame(big) + messages.frame(reply(2, 10)), [5, 70_000])
    arrived, reads, largest = [], 0, 0
    while (found := reader.receive(source)) is not None:
        arrived.extend(found)
        reads += 1
        largest = max(largest, len(reader._buffer))
    assert arrived == [big, reply(2, 10)]
    # Room for the whole frame once its length was read: its rest came in one read, not 768.
    assert largest >= len(messages.frame(big)) and reads <= 5
    assert len(reader._buffer) == 4096  # back to its usual size once nothing is left unread


def test_a_closed_pipe_reads_as_none_and_nothing_to_read_raises_as_recv_does():
    front, worker = socket.socketpair()
    reader = messages.FrameReader()
    with pytest.raises(BlockingIOError):
        reader.receive(front, socket.MSG_DONTWAIT)
    worker.sendall(messages.frame(reply(3, 100))[:5])
    assert reader.receive(front) == []  # half a length: nothing yet
    worker.sendall(messages.frame(reply(3, 100))[5:])
    assert reader.receive(front) == [reply(3, 100)]
    worker.close()
    assert reader.receive(front) is None
    front.close()


def test_a_writer_faster_than_the_reader_loses_nothing():
    front, worker = socket.socketpair()
    sent = [reply(number, 90_000 if number % 3 else 7) for number in range(60)]

    def write() -> None:
        worker.sendall(b"".join(messages.frame(message) for message in sent))
        worker.close()

    writer = threading.Thread(target=write)
    writer.start()
    reader = messages.FrameReader(64 * 1024)
    arrived: list = []
    while (found := reader.receive(front)) is not None:
        arrived.extend(found)
    writer.join(10)
    front.close()
    assert arrived == sent
