"""Datasets from the marks: JSONL, CSV and NLI pairs, streamed, with a manifest.

Rows come from one database cursor (`Store.standing_rows`) and go straight to the output,
so memory stays flat whatever the number of marks. A file is written beside its target
under a temporary name and renamed into place: a reader never sees half a dataset, and a
failed export leaves the previous file as it was.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import itertools
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import workbench
from workbench.decision import Vote, decide
from workbench.display import json_escaped
from workbench.errors import WorkbenchError
from workbench.models import Label, MarkAction
from workbench.store import SCHEMA_VERSION, Store, utc_now

FORMATS = ("jsonl", "csv", "nli")
MANIFEST_SUFFIX = ".manifest.json"
NLI_LABELS = {  # unsure has no NLI counterpart and is left out
    str(Label.AGREE): "entailment",
    str(Label.CONTRADICT): "contradiction",
    str(Label.UNRELATED): "neutral",
}
SIDE_FIELDS = ("article", "claim", "start", "end", "text")
# One flat row per mark (Store.STANDING_ROW_COLUMNS): story, a's five fields, b's five,
# label, reviewer, note, created_at. The CSV header is exactly this.
CSV_FIELDS = Store.STANDING_ROW_COLUMNS
_LABEL = CSV_FIELDS.index("label")
# Spreadsheet formula injection (OWASP "CSV Injection"): Excel, LibreOffice and Google
# Sheets run a cell that starts with one of these as a formula. Such a cell is written with
# a ' in front, and so is one that starts with ' already, so that `read_csv` can take
# exactly one off and every value reads back as it was. --raw writes cells as stored.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TEXT_PREFIX = "'"
_PREFIXED_STARTS = (*FORMULA_STARTS, CSV_TEXT_PREFIX)


@dataclass(frozen=True, slots=True)
class ExportFilter:
    story: str | None = None  # story id
    reviewer: str | None = None
    final: bool = False  # adjudicated labels instead of reviewers' marks

    @property
    def action(self) -> MarkAction:
        return MarkAction.FINAL if self.final else MarkAction.MARK

    def to_json(self, story_name: str | None = None) -> dict:
        return {
            "story": story_name,
            "story_id": self.story,
            "reviewer": self.reviewer,
            "final": self.final,
        }


@dataclass
class ExportCounts:
    rows: int = 0
    skipped: int = 0  # unsure marks, in NLI only
    labels: Counter = field(default_factory=Counter)
    open_disagreements: int = 0  # --final: pairs left out, reviewers disagree undecided
    only_unsure: int = 0  # --final: pairs left out, marked only unsure (no label to give)


# --- rows -------------------------------------------------------------------------------------


def mark_json(row: Sequence) -> dict:
    """One JSONL line: {"story", "a": {...}, "b": {...}, "label", "reviewer", "note",
    "created_at"}; each side is {"article", "claim", "start", "end", "text"}."""
    return {
        "story": row[0],
        "a": {"article": row[1], "claim": row[2], "start": row[3], "end": row[4], "text": row[5]},
        "b": {"article": row[6], "claim": row[7], "start": row[8], "end": row[9], "text": row[10]},
        "label": row[11],
        "reviewer": row[12],
        "note": row[13] or "",
        "created_at": row[14],
    }


def nli_json(row: Sequence) -> dict | None:
    """{"premise", "hypothesis", "label"}; None for an unsure mark (left out of NLI)."""
    label = NLI_LABELS.get(row[_LABEL])
    if label is None:
        return None
    return {"premise": row[5], "hypothesis": row[10], "label": label}


# --- writers ----------------------------------------------------------------------------------

# The JSONL line of `mark_json`, filled in directly: the shape is fixed, and encoding each
# string with json's own (C) string encoder is 2.5x faster than encoding a dict per row.
# tests/test_export.py checks that every line parses to exactly `mark_json(row)`.
_JSONL_LINE = (
    '{"story": %s, "a": {"article": %s, "claim": %s, "start": %d, "end": %d, "text": %s},'
    ' "b": {"article": %s, "claim": %s, "start": %d, "end": %d, "text": %s},'
    ' "label": %s, "reviewer": %s, "note": %s, "created_at": %s}\n'
)
_string = json.encoder.encode_basestring  # ensure_ascii=False: UTF-8 text stays readable


def jsonl_line(row: Sequence) -> str:
    s = _string
    return json_escaped(_JSONL_LINE % (
        s(row[0]), s(row[1]), s(row[2]), row[3], row[4], s(row[5]),
        s(row[6]), s(row[7]), row[8], row[9], s(row[10]),
        s(row[11]), s(row[12]), s(row[13] or ""), s(row[14]),
    ))  # fmt: skip


def csv_cell(value: object) -> object:
    """A CSV cell as written by default: text a spreadsheet would run gets a ' in front."""
    if isinstance(value, str) and value.startswith(_PREFIXED_STARTS):
        return CSV_TEXT_PREFIX + value
    return value


def csv_value(cell: str) -> str:
    """The value of a cell `csv_cell` wrote: one leading ' removed, if there is one."""
    return cell[1:] if cell.startswith(CSV_TEXT_PREFIX) else cell


def write_rows(
    rows: Iterable[Sequence], fmt: str, out: IO[str], *, raw: bool = False
) -> ExportCounts:
    """Write flat rows to `out` in `fmt`; returns what was written. CSV cells get the
    formula prefix (`csv_cell`) unless `raw`."""
    counts = ExportCounts()
    labels = counts.labels
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    if fmt == "jsonl":
        for row in rows:
            out.write(jsonl_line(row))
            labels[row[_LABEL]] += 1
    elif fmt == "csv":
        # RFC 4180 line ends: the writer quotes a field holding any lineterminator character,
        # so with "\n" alone a note holding a bare "\r" went out unquoted and split its row.
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_FIELDS)
        starts, prefix = _PREFIXED_STARTS, CSV_TEXT_PREFIX
        for row in rows:
            if not raw:  # csv_cell, inline: this loop runs once per mark
                row = [
                    prefix + v if isinstance(v, str) and v.startswith(starts) else v for v in row
                ]
            writer.writerow(row)  # None (no note): an empty field
            labels[row[_LABEL]] += 1
    elif fmt == "nli":
        for row in rows:
            line = nli_json(row)
            if line is None:
                counts.skipped += 1
                continue
            out.write(json_escaped(dumps(line)) + "\n")
            labels[line["label"]] += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    counts.rows = sum(labels.values())
    return counts


def export_to_stream(
    store: Store, fmt: str, out: IO[str], selection: ExportFilter, *, raw: bool = False
) -> ExportCounts:
    """The selected standing marks (flat rows, CSV_FIELDS order), streamed from one cursor;
    with `selection.final`, one row per pair with its decided label (final_rows)."""
    if selection.final:
        left_out = [0, 0]
        rows = final_rows(store, selection, left_out)
        counts = write_rows(rows, fmt, out, raw=raw)
        counts.open_disagreements, counts.only_unsure = left_out
        return counts
    rows = store.standing_rows(
        story=selection.story, reviewer=selection.reviewer, action=selection.action
    )
    return write_rows(rows, fmt, out, raw=raw)


def final_rows(store: Store, selection: ExportFilter, left_out: list[int]) -> Iterator[tuple]:
    """One row per decided pair (workbench.decision: the editor's final label where there
    is one, else the label every reviewer agrees on), streamed pair by pair. `reviewer`
    says who decided ("ed" for a final, "ana, ben" for reviewers who agree), `note` holds
    their notes. Pairs left out are counted: reviewers disagree, undecided, in
    `left_out[0]`; marked only unsure in `left_out[1]`."""
    rows = store.standing_rows_by_pair(story=selection.story, reviewer=selection.reviewer)
    for _, group in itertools.groupby(rows, key=lambda row: (row[2], row[7])):
        group = list(group)
        found = decide(Vote(r[12], r[11], r[15] == "final", r[14], r[16]) for r in group)
        if found.label is None:
            left_out[0 if found.disputed else 1] += 1
            continue
        deciding = [r for r in group if (r[15] == "final") == found.final and r[12] in found.by]
        if found.final:
            deciding = deciding[-1:]  # the latest final
        notes = "; ".join(r[13] for r in deciding if r[13]) or None
        latest = max(deciding, key=lambda r: (r[14], r[16]))
        yield (*latest[:11], found.label, ", ".join(found.by), notes, latest[14])


def export_to_file(
    store: Store,
    fmt: str,
    target: str | os.PathLike,
    selection: ExportFilter,
    *,
    story_name: str | None = None,
    raw: bool = False,
) -> dict:
    """Write the dataset to `target` and its manifest beside it as `target` +
    ".manifest.json". Both are written under temporary names and renamed into place only
    once both are complete: a failure leaves the previous dataset and manifest as they
    were. Returns the manifest."""
    target = Path(target)
    with StagedFiles() as staged:
        # One read snapshot for the rows and the fingerprint: a reviewer marking meanwhile
        # (live pairing) cannot make the manifest describe a database the rows did not
        # come from.
        with store.snapshot():
            out = staged.open(target, newline="" if fmt == "csv" else None)
            counts = export_to_stream(store, fmt, out, selection, raw=raw)
            fingerprint = store.content_fingerprint()
        manifest = {
            "file": target.name,
            "format": fmt,
            "sha256": file_sha256(staged.written(target)),
            "counts": {
                "rows": counts.rows,
                "labels": {str(k): v for k, v in sorted(counts.labels.items())},
                "skipped_unsure": counts.skipped,
                **(
                    {
                        "open_disagreements": counts.open_disagreements,
                        "only_unsure": counts.only_unsure,
                    }
                    if selection.final
                    else {}
                ),
            },
            "filters": selection.to_json(story_name),
            "database": {
                "path": str(store.path),
                "fingerprint": fingerprint,
                "schema_version": SCHEMA_VERSION,
            },
            "workbench_version": workbench.__version__,
            "created_at": utc_now(),
        }
        out = staged.open(manifest_path(target))
        json.dump(manifest, out, ensure_ascii=False, indent=2)
        out.write("\n")
        staged.publish()
    return manifest


def manifest_path(target: str | os.PathLike) -> Path:
    target = Path(target)
    return target.with_name(target.name + MANIFEST_SUFFIX)


class StagedFiles:
    """Text files written under temporary names beside their targets and renamed into
    place together by `publish`; leaving the block without publishing (an error) removes
    them, so the targets stay as they were. A target that cannot be written is refused
    when it is opened, naming the target (not the temporary file)."""

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path, IO[str]]] = []  # (temporary, target, handle)

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def open(self, target: str | os.PathLike, *, newline: str | None = None) -> IO[str]:
        target = Path(target)
        if target.is_dir():
            raise WorkbenchError(f"{target}: is a directory; name a file to write")
        if not target.parent.is_dir():
            raise WorkbenchError(f"{target.parent}: no such directory")
        try:
            handle, tmp_name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
            )
        except OSError as exc:
            raise WorkbenchError(f"{target}: cannot write ({exc.strerror or exc})") from None
        tmp = Path(tmp_name)
        out = os.fdopen(handle, "w", encoding="utf-8", newline=newline)
        self._files.append((tmp, target, out))
        return out

    def written(self, target: str | os.PathLike) -> Path:
        """The temporary file holding `target`'s content so far (flushed)."""
        for tmp, name, out in self._files:
            if name == Path(target):
                out.flush()
                return tmp
        raise KeyError(target)

    def publish(self) -> None:
        # mkstemp makes files 0600; a dataset is shared like any file the user writes.
        umask = os.umask(0)
        os.umask(umask)
        for tmp, _, out in self._files:
            out.flush()
            os.fsync(out.fileno())
            out.close()
            os.chmod(tmp, 0o666 & ~umask)
        for tmp, target, _ in self._files:
            os.replace(tmp, target)
        self._files.clear()

    def discard(self) -> None:
        for tmp, _, out in self._files:
            out.close()
            tmp.unlink(missing_ok=True)
        self._files.clear()


@contextlib.contextmanager
def atomic_writer(target: str | os.PathLike, *, newline: str | None = None) -> Iterator[IO[str]]:
    """A text file that appears at `target` only when the block succeeds."""
    with StagedFiles() as staged:
        yield staged.open(target, newline=newline)
        staged.publish()


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- reading back -----------------------------------------------------------------------------


def read_jsonl(path: str | os.PathLike) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def read_csv(path: str | os.PathLike, *, raw: bool = False) -> Iterator[dict]:
    """CSV rows in the JSONL shape (offsets as ints; no note reads back as "", as in JSONL).
    The formula prefix is taken off unless the file was written with `raw`."""
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not raw:
                row = {key: csv_value(value) for key, value in row.items()}
            yield {
                "story": row["story"],
                "a": _side_from_csv(row, "a"),
                "b": _side_from_csv(row, "b"),
                "label": row["label"],
                "reviewer": row["reviewer"],
                "note": row["note"],
                "created_at": row["created_at"],
            }


def _side_from_csv(row: dict, side: str) -> dict:
    values = {f: row[f"{side}_{f}"] for f in SIDE_FIELDS}
    values["start"] = int(values["start"])
    values["end"] = int(values["end"])
    return values
