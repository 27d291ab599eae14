"""Read articles from files: plain text, folders, JSONL, Multi-News lines.

Everything is read and validated before anything is written, so a bad file aborts the
import with one line naming the file (and line) and the database stays as it was.
The text is kept as read: offsets are Python string indices into exactly this text.
"""

from __future__ import annotations

import json
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.claims import span_bound
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
# Articles one story may take in one import (--max-articles): alignment pairs every claim
# with every other article, so one Multi-News line of 10,000 articles would run for hours.
DEFAULT_MAX_ARTICLES = 1000
# Sentences one article may have, counted before it is split (`claims.span_bound`: line
# breaks and . ! ? … )). News articles have hundreds; splitting 64 MiB of "a. a. a." took
# gigabytes before alignment could refuse the story.
MAX_ARTICLE_SENTENCES = 100_000
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


@dataclass(frozen=True, slots=True)
class SkippedLink:
    """A symbolic link in a folder that leads out of the folder given, so it is not read."""

    path: Path
    target: Path
    folder: Path

    def message(self) -> str:
        return (
            f"skipped {self.path}: a symbolic link to {self.target}, outside {self.folder}"
            " (--follow-symlinks imports it)"
        )


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file in a folder that is not of a format import reads, so it is not read."""

    path: Path

    def message(self) -> str:
        why = "not a .txt, .md, .jsonl or Multi-News file"
        if self.path.suffix.lower() in CONVERT_FIRST:
            why = f"{CONVERT_FIRST[self.path.suffix.lower()]} is not supported: convert it to text"
        return f"skipped {self.path}: {why}"


# Formats people keep articles in that import does not read (say so, by name).
CONVERT_FIRST = {
    ".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".odt": "OpenDocument", ".rtf": "RTF",
    ".html": "HTML", ".htm": "HTML", ".epub": "EPUB", ".pages": "Pages",
}  # fmt: skip


@dataclass
class _Reader:
    story: str | None
    fmt: str
    max_bytes: int
    max_articles: int
    follow_symlinks: bool
    skipped: list[SkippedLink | SkippedFile] = field(default_factory=list)


def read_inputs(
    paths: Iterable[str | Path],
    *,
    story: str | None = None,
    fmt: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_articles: int = DEFAULT_MAX_ARTICLES,
    follow_symlinks: bool = False,
    skipped: list[SkippedLink | SkippedFile] | None = None,
) -> list[ArticleInput]:
    """All articles of all paths, fully validated. Raises IngestError on the first bad one.

    Inside a folder, a symbolic link that leads out of it is not followed (unless
    `follow_symlinks`); each one is appended to `skipped`. A path named here is read
    whatever it is. No story may take more than `max_articles` articles."""
    if fmt not in FORMATS:
        raise IngestError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    reader = _Reader(story, fmt, max_bytes, max_articles, follow_symlinks)
    articles: list[ArticleInput] = []
    per_story: Counter[str] = Counter()
    paths = list(paths)
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found: Iterable[ArticleInput] = _read_folder(reader, path, root=path.resolve())
        elif path.exists():
            found = _read_file(reader, path, story=story)
        elif path.is_symlink():
            raise IngestError(f"{path}: a broken or looping symbolic link")
        else:
            raise IngestError(f"{path}: no such file or folder")
        for article in found:
            if span_bound(article.text) > MAX_ARTICLE_SENTENCES:
                raise IngestError(
                    f"{article.origin}: more than {MAX_ARTICLE_SENTENCES:,} sentences and lines"
                    " in one article (counting every . ! ? and line break): split it"
                )
            per_story[article.story] += 1
            if per_story[article.story] > max_articles:
                raise IngestError(
                    f"{article.origin}: story {article.story!r} has more than"
                    f" {max_articles:,} articles (see --max-articles)"
                )
            articles.append(article)
    if not articles:
        raise IngestError("nothing to import: no articles found in " + ", ".join(map(str, paths)))
    if skipped is not None:
        skipped.extend(reader.skipped)
    return articles


def _read_folder(
    reader: _Reader,
    folder: Path,
    *,
    root: Path,
    _ancestors: frozenset[Path] = frozenset(),
) -> Iterator[ArticleInput]:
    """One story per folder, named after it; sub-folders are stories of their own.
    A symlinked sub-folder that leads back to a folder being read is skipped (no cycles);
    one that leads out of `root` (the folder given) is skipped unless links are followed."""
    ancestors = _ancestors | {folder.resolve()}
    metadata = _folder_metadata(reader, folder, root)
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    found_any = False
    for entry in entries:
        if entry.name == FOLDER_METADATA_FILE and not entry.is_dir():
            continue  # read above
        if _leaves(reader, entry, root):
            continue
        if entry.is_dir():
            if entry.resolve() in ancestors:
                continue
            yield from _read_folder(reader, entry, root=root, _ancestors=ancestors)
            found_any = True
        elif (
            reader.fmt != "auto"
            or entry.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES | MULTINEWS_SUFFIXES
        ):
            found_any = True
            for article in _read_file(reader, entry, story=reader.story or folder.name):
                extra = metadata.get(entry.name, {})
                if extra:
                    article = _with_metadata(article, extra)
                yield article
        else:
            reader.skipped.append(SkippedFile(entry))
    if not found_any:
        raise IngestError(f"{folder}: no .txt, .md or .jsonl files in this folder")


def _leaves(reader: _Reader, entry: Path, root: Path) -> bool:
    """True (and noted) when `entry` is a symbolic link out of `root` that is not followed.
    A link that cannot be resolved (a loop) is left to the reading that refuses it."""
    if reader.follow_symlinks or not entry.is_symlink():
        return False
    try:
        target = entry.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return False
    if target.is_relative_to(root):
        return False
    reader.skipped.append(SkippedLink(entry, target, root))
    return True


def _read_file(reader: _Reader, path: Path, *, story: str | None) -> list[ArticleInput]:
    text = read_text(path, max_bytes=reader.max_bytes)
    kind = reader.fmt if reader.fmt != "auto" else detect_format(path, text)
    if kind == "jsonl":
        return list(_parse_jsonl(path, text, story))
    if kind == "multinews":
        return list(_parse_multinews(path, text, story, reader.max_articles))
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
    if data.startswith(b"%PDF-"):
        raise IngestError(f"{path}: a PDF: PDF is not supported; convert it to text first")
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
    """The suffix decides; only a file without a known suffix is judged by its first line
    (so an article that happens to quote '|||||' is still an article)."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in MULTINEWS_SUFFIXES:
        return "multinews"
    if suffix in TEXT_SUFFIXES:
        return "text"
    first_line = text.lstrip().split("\n", 1)[0]
    if MULTINEWS_ARTICLE_SEPARATOR in first_line or MULTINEWS_NEWLINE in first_line:
        return "multinews"
    if first_line.startswith("{"):
        return "jsonl"
    return "text"


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(number, line) for each line ending at \\n or \\r\\n, and only there: U+2028, U+0085,
    VT and FF (where str.splitlines also breaks) are text inside a line."""
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.removesuffix("\r")


def _json_record(line: str, where: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise IngestError(f"{where}: malformed JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise IngestError(f"{where}: JSON nested too deeply") from None


def _one_document(line: str, text: str) -> bool:
    """The first line is not JSON by itself, but the whole text is: pretty-printed JSON."""
    try:
        json.loads(line)
        return False
    except (json.JSONDecodeError, RecursionError):
        pass
    try:
        json.loads(text)
        return True
    except (json.JSONDecodeError, RecursionError):
        return False


def _parse_text(path: Path, text: str, story: str | None) -> ArticleInput:
    # A loose file's story is its folder's name unless --story says otherwise.
    story_name = story or path.resolve().parent.name or "imported"
    return ArticleInput(story=story_name, source=path.name, text=text, origin=str(path))


def _parse_jsonl(path: Path, text: str, story: str | None) -> Iterator[ArticleInput]:
    first = True
    for number, line in _lines(text):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        if first and _one_document(line, text):
            raise IngestError(
                f"{path}: one JSON document over several lines, not JSONL: give one article"
                ' a line, {"story", "text", ...} (jq -c writes that)'
            )
        first = False
        record = _json_record(line, where)
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


def _parse_multinews(
    path: Path, text: str, story: str | None, max_articles: int
) -> Iterator[ArticleInput]:
    """One story a line; articles separated by '|||||'; 'NEWLINE_CHAR' stands for a newline."""
    lines = [(n, line) for n, line in _lines(text) if line.strip()]
    for number, line in lines:
        where = f"{path}:{number}"
        bodies = []
        for k, part in enumerate(_split_lazily(line, MULTINEWS_ARTICLE_SEPARATOR), start=1):
            body = part.replace(MULTINEWS_NEWLINE, "\n").strip()
            if not body:
                continue
            if len(bodies) == max_articles:
                # Stop here: the rest of a huge line is never split or kept.
                raise IngestError(
                    f"{where}: more than {max_articles:,} articles in one story"
                    " (see --max-articles)"
                )
            bodies.append((k, body))
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


def _split_lazily(line: str, separator: str) -> Iterator[str]:
    """line.split(separator), one part at a time."""
    start = 0
    while (end := line.find(separator, start)) != -1:
        yield line[start:end]
        start = end + len(separator)
    yield line[start:]


def _folder_metadata(reader: _Reader, folder: Path, root: Path) -> dict[str, dict]:
    path = folder / FOLDER_METADATA_FILE
    if not path.is_file() or _leaves(reader, path, root):
        return {}
    metadata: dict[str, dict] = {}
    for number, line in _lines(read_text(path, max_bytes=reader.max_bytes)):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        record = _json_record(line, where)
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
