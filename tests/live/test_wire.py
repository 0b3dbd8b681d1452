"""The SSE wire format: each event is encoded once, as the bytes every reader receives."""

from dateline.live.wire import HEARTBEAT, encode_event, encode_reset, encode_retry


def test_event_has_id_type_and_data_on_one_line_each():
    frame = encode_event(7, "post.published", '{"seq":7,"type":"post.published","html":"<p>é</p>"}')
    expected = 'id: 7\nevent: post.published\ndata: {"seq":7,"type":"post.published","html":"<p>é</p>"}\n\n'
    assert frame == expected.encode()


def test_data_with_a_line_break_is_split_into_several_data_lines():
    """SSE joins data lines with \\n, so the client reads back exactly the original text."""
    assert encode_event(1, "x", "a\nb\r\nc") == b"id: 1\nevent: x\ndata: a\ndata: b\ndata: c\n\n"


def test_retry_hint_and_heartbeat_comment():
    assert encode_retry(2500) == b"retry: 2500\n\n"
    assert HEARTBEAT.startswith(b":") and HEARTBEAT.endswith(b"\n\n")


def test_reset_carries_the_latest_seq_as_its_id():
    """A client that reconnects instead of reloading resumes from now, not into another reset."""
    frame = encode_reset(42, "older than the changes retained")
    assert frame.startswith(b"id: 42\nevent: reset\ndata: ")
    assert b'"type":"reset"' in frame and b'"seq":42' in frame
