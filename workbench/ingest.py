"""Read articles from files: plain text, folders, JSONL, Multi-News lines.

Everything is read and validated before anything is written, so a bad file aborts the
import with one line naming the file (and line) and the database stays as it was.
The text is kept as read: offsets are Python string indices into exactly this text.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import IngestError

FORMATS = ("auto", "text", "jsonl", "multinews")
TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
MULTINEWS_SUFFIXES = {".src", ".cleaned"}
MULTINEWS_ARTICLE_SEPARATOR = "|||||"
MULTINEWS_NEWLINE = "NEWLINE_CHAR"
# A folder may carry per-article metadata (title, outlet, published, url) keyed by file name.
FOLDER_METADATA_FILE = "metadata.jsonl"
# Files larger than this are refused rather than read whole into memory; --max-bytes raises it.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
OPTIONAL_FIELDS = ("title", "outlet", "published", "url")


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """An article as read from a file, before it has ids."""

    story: str
    source: str
    text: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    origin: str = ""  # file[:line], for messages


def read_inputs(
    paths: Iterable[str | Path],
    *,
    story: str | None = None,
    fmt: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[ArticleInput]:
    """All articles of all paths, fully validated. Raises IngestError on the first bad one."""
    if fmt not in FORMATS:
        raise IngestError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    articles: list[ArticleInput] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            articles.extend(_read_folder(path, story=story, fmt=fmt, max_bytes=max_bytes))
        elif path.exists():
            articles.extend(_read_file(path, story=story, fmt=fmt, max_bytes=max_bytes))
        elif path.is_symlink():
            raise IngestError(f"{path}: a broken or looping symbolic link")
        else:
            raise IngestError(f"{path}: no such file or folder")
    if not articles:
        raise IngestError("nothing to import: no articles found in " + ", ".join(map(str, paths)))
    return articles


def _read_folder(
    folder: Path,
    *,
    story: str | None,
    fmt: str,
    max_bytes: int,
    _ancestors: frozenset[Path] = frozenset(),
) -> Iterator[ArticleInput]:
    """One story per folder, named after it; sub-folders are stories of their own.
    A symlinked sub-folder that leads back to a folder being read is skipped (no cycles)."""
    ancestors = _ancestors | {folder.resolve()}
    metadata = _folder_metadata(folder, max_bytes)
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    found_any = False
    for entry in entries:
        if entry.is_dir():
            if entry.resolve() in ancestors:
                continue
            yield from _read_folder(
                entry, story=story, fmt=fmt, max_bytes=max_bytes, _ancestors=ancestors
            )
            found_any = True
        elif entry.name == FOLDER_METADATA_FILE:
            continue
        elif (
            fmt != "auto"
            or entry.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES | MULTINEWS_SUFFIXES
        ):
            found_any = True
            for article in _read_file(
                entry, story=story or folder.name, fmt=fmt, max_bytes=max_bytes
            ):
                extra = metadata.get(entry.name, {})
                if extra:
                    article = _with_metadata(article, extra)
                yield article
    if not found_any:
        raise IngestError(f"{folder}: no .txt, .md or .jsonl files in this folder")


def _read_file(path: Path, *, story: str | None, fmt: str, max_bytes: int) -> list[ArticleInput]:
    text = read_text(path, max_bytes=max_bytes)
    kind = fmt if fmt != "auto" else detect_format(path, text)
    if kind == "jsonl":
        return list(_parse_jsonl(path, text, story))
    if kind == "multinews":
        return list(_parse_multinews(path, text, story))
    return [_parse_text(path, text, story)]


def read_text(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A file's text, or a one-line IngestError: too large, binary, not UTF-8, or empty."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would block forever and /dev/zero never ends: only regular files.
            raise IngestError(f"{path}: not a regular file (a pipe, device or socket)")
        if info.st_size > max_bytes:
            raise IngestError(
                f"{path}: {info.st_size:,} bytes is over the {max_bytes:,}-byte limit"
                " (see --max-bytes)"
            )
        with path.open("rb") as handle:
            # Bounded even if the file grows between stat() and read().
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise IngestError(f"{path}: over the {max_bytes:,}-byte limit (see --max-bytes)")
    if b"\x00" in data:
        raise IngestError(f"{path}: a binary file (it contains NUL bytes), not text")
    try:
        # utf-8-sig: a byte-order mark is encoding, not text, and would shift every offset.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise IngestError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not text.strip():
        raise IngestError(f"{path}: empty file")
    return text


def detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    first_line = text.lstrip().split("\n", 1)[0]
    if (
        suffix in MULTINEWS_SUFFIXES
        or MULTINEWS_ARTICLE_SEPARATOR in first_line
        or (MULTINEWS_NEWLINE in first_line)
    ):
        return "multinews"
    if first_line.startswith("{") and suffix not in TEXT_SUFFIXES:
        return "jsonl"
    return "text"


def _parse_text(path: Path, text: str, story: str | None) -> ArticleInput:
    # A loose file's story is its folder's name unless --story says otherwise.
    story_name = story or path.resolve().parent.name or "imported"
    return ArticleInput(story=story_name, source=path.name, text=text, origin=str(path))


def _parse_jsonl(path: Path, text: str, story: str | None) -> Iterator[ArticleInput]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(
                f"{where}: malformed JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(record, dict):
            raise IngestError(f"{where}: expected a JSON object, got {type(record).__name__}")
        body = record.get("text")
        if not isinstance(body, str):
            raise IngestError(f'{where}: missing "text" (a string)')
        if not body.strip():
            raise IngestError(f'{where}: empty "text"')
        story_name = story or record.get("story")
        if not isinstance(story_name, str) or not story_name.strip():
            raise IngestError(f'{where}: missing "story" (or give --story)')
        source = record.get("source") or f"{path.name}:{number}"
        extra = {key: _optional_str(record.get(key), key, where) for key in OPTIONAL_FIELDS}
        yield ArticleInput(story=story_name, source=str(source), text=body, origin=where, **extra)


def _parse_multinews(path: Path, text: str, story: str | None) -> Iterator[ArticleInput]:
    """One story a line; articles separated by '|||||'; 'NEWLINE_CHAR' stands for a newline."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    for number, line in lines:
        where = f"{path}:{number}"
        parts = [
            part.replace(MULTINEWS_NEWLINE, "\n").strip()
            for part in line.split(MULTINEWS_ARTICLE_SEPARATOR)
        ]
        bodies = [(k, body) for k, body in enumerate(parts, start=1) if body]
        if not bodies:
            raise IngestError(f"{where}: a Multi-News line with no article text")
        if story:
            story_name = story if len(lines) == 1 else f"{story} #{number}"
        else:
            story_name = f"{path.stem} #{number}"
        for k, body in bodies:
            yield ArticleInput(
                story=story_name, source=f"{path.name}:{number}:{k}", text=body, origin=where
            )


def _folder_metadata(folder: Path, max_bytes: int) -> dict[str, dict]:
    path = folder / FOLDER_METADATA_FILE
    if not path.is_file():
        return {}
    metadata: dict[str, dict] = {}
    for number, line in enumerate(read_text(path, max_bytes=max_bytes).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(
                f"{where}: malformed JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(record, dict) or not isinstance(record.get("file"), str):
            raise IngestError(f'{where}: expected an object with "file" (the article\'s file name)')
        metadata[record["file"]] = {
            key: _optional_str(record.get(key), key, where) for key in OPTIONAL_FIELDS
        }
    return metadata


def _with_metadata(article: ArticleInput, extra: dict) -> ArticleInput:
    fields = {key: extra.get(key) or getattr(article, key) for key in OPTIONAL_FIELDS}
    return ArticleInput(
        story=article.story,
        source=article.source,
        text=article.text,
        origin=article.origin,
        **fields,
    )


def _optional_str(value: object, key: str, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    raise IngestError(f'{where}: "{key}" must be a string')
