"""Reading inputs: formats, detection, and refusing bad files with one line."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.errors import IngestError
from workbench.ingest import read_inputs, read_text


def test_text_file_is_one_article_in_its_folders_story(tmp_path):
    folder = tmp_path / "syria"
    folder.mkdir()
    (folder / "a.txt").write_text("Line one.\r\nLine two.\n", newline="")
    [article] = read_inputs([folder / "a.txt"])
    assert article.story == "syria"
    assert article.source == "a.txt"
    assert article.text == "Line one.\r\nLine two.\n"  # verbatim, CRLF kept


def test_story_option_overrides(tmp_path):
    (tmp_path / "a.md").write_text("Hello.")
    [article] = read_inputs([tmp_path / "a.md"], story="Mine")
    assert article.story == "Mine"


def test_folder_is_one_story_and_reads_metadata(tmp_path):
    folder = tmp_path / "talks"
    folder.mkdir()
    (folder / "b.txt").write_text("Second.")
    (folder / "a.txt").write_text("First.")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4\x00")
    (folder / "metadata.jsonl").write_text(json.dumps({"file": "a.txt", "outlet": "AP"}) + "\n")
    articles = read_inputs([folder])
    assert [(a.story, a.source, a.outlet) for a in articles] == [
        ("talks", "a.txt", "AP"),
        ("talks", "b.txt", None),
    ]


def test_nested_folders_are_separate_stories(tmp_path):
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.txt").write_text(f"Story {name}.")
    assert sorted(a.story for a in read_inputs([tmp_path])) == ["one", "two"]


def test_jsonl_articles(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [
        {"story": "S", "text": "A said so.", "title": "T", "outlet": "AP", "url": "http://x"},
        {"story": "S", "text": "B said so.", "source": "b-source", "published": 2017},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    first, second = read_inputs([path])
    assert (first.source, first.title, first.outlet, first.url) == (
        "feed.jsonl:1",
        "T",
        "AP",
        "http://x",
    )
    assert (second.source, second.published) == ("b-source", "2017")


def test_jsonl_detected_without_suffix(tmp_path):
    path = tmp_path / "feed.data"
    path.write_text(json.dumps({"story": "S", "text": "Hi."}) + "\n")
    assert read_inputs([path])[0].story == "S"


def test_multinews_lines(tmp_path):
    path = tmp_path / "test.src"
    path.write_text(
        "First article. NEWLINE_CHAR NEWLINE_CHAR More. ||||| Second article. |||||\n"
        "Another story's only article.\n"
    )
    articles = read_inputs([path])
    assert [(a.story, a.source) for a in articles] == [
        ("test #1", "test.src:1:1"),
        ("test #1", "test.src:1:2"),
        ("test #2", "test.src:2:1"),
    ]
    assert articles[0].text == "First article. \n \n More."


def test_multinews_detected_by_separator_when_the_suffix_says_nothing(tmp_path):
    path = tmp_path / "mn"
    path.write_text("One. ||||| Two.\n")
    assert len(read_inputs([path], story="S")) == 2


@pytest.mark.parametrize(
    "content, fmt, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "auto", "binary"),
        ("caf\u00e9 au lait".encode("latin-1"), "auto", "not UTF-8"),
        (b"", "auto", "empty"),
        (b"  \n\t\n", "auto", "empty"),
        (b'{"story": "S", "text": "ok"}\n{"story": "S", "text": \n', "jsonl", ":2: malformed JSON"),
        (b'{"story": "S"}\n', "jsonl", ':1: missing "text"'),
        (b'{"text": "no story"}\n', "jsonl", ':1: missing "story"'),
        (b'["a list"]\n', "jsonl", ":1: expected a JSON object"),
        (b'{"story": "S", "text": "  "}\n', "jsonl", ':1: empty "text"'),
        (b"|||||   |||||\n", "multinews", ":1: a Multi-News line with no article text"),
    ],
    ids=[
        "binary",
        "latin-1",
        "empty",
        "blank",
        "jsonl-line-2",
        "no-text",
        "no-story",
        "not-object",
        "empty-text",
        "multinews-empty",
    ],
)
def test_bad_files_are_refused_with_one_line_naming_the_file(tmp_path, content, fmt, message):
    path = tmp_path / "bad.input"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message) as info:
        read_inputs([path], fmt=fmt)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_path_and_unknown_format(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        read_inputs([tmp_path / "nope.txt"])
    with pytest.raises(IngestError, match="unknown format"):
        read_inputs([tmp_path], fmt="xml")


def test_size_limit_refuses_large_files(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)
    with pytest.raises(IngestError, match="over the 100-byte limit"):
        read_text(path, max_bytes=100)


def test_byte_order_mark_is_not_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffHello.".encode())
    assert read_text(path) == "Hello."


@given(st.text(min_size=1).filter(lambda s: s.strip() and "\x00" not in s))
def test_any_utf8_text_is_read_back_verbatim(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("t") / "a.txt"
    path.write_bytes(text.encode("utf-8"))
    [article] = read_inputs([path], fmt="text")
    assert article.text == text.removeprefix("\ufeff")


def test_fifo_and_devices_are_refused_not_read_forever(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would block forever; /dev/zero would never end
    with pytest.raises(IngestError, match="not a regular file"):
        read_inputs([fifo])
    with pytest.raises(IngestError, match="not a regular file"):
        read_inputs(["/dev/zero"])


def test_symlinked_folder_loop_is_not_followed_forever(tmp_path):
    story = tmp_path / "story"
    story.mkdir()
    (story / "a.txt").write_text("One fact. Another fact.")
    (story / "again").symlink_to(story)
    (story / "loop1").symlink_to(story / "loop2")
    (story / "loop2").symlink_to(story / "loop1")
    articles = read_inputs([story])
    assert [a.source for a in articles] == ["a.txt"]
    with pytest.raises(IngestError, match="looping symbolic link"):
        read_inputs([story / "loop1"])
