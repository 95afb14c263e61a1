"""Streaming CSV reading with the original bytes and line number of every row kept.

The file is read in binary so each row's exact bytes reach a dead letter unchanged; the
standard ``csv`` module does the parsing (quoted fields may span lines). Memory stays flat:
one row is held at a time.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from connectors.errors import MissingColumnError, RecordError
from connectors.formats.document_formats import looks_like_document
from connectors.formats.limits import LimitExceeded, read_limits
from connectors.record import RawRecord

__all__ = ["ROWS_PER_READ", "ChunkRows", "CsvFormat", "CsvPosition", "RowChunk", "split_rows"]

#: rows cut per chunk when a file is read record by record (memory stays at one chunk). The
#: chunks are where csv's parser starts afresh: a quote never closed is read up to a chunk's
#: end, so a reader that must give the same records cuts the same chunks
ROWS_PER_READ = 1000


class CsvPosition(NamedTuple):
    """Where reading stopped: byte offset after the last row handed out, and its last line.

    A NamedTuple, not a dataclass: one is made per row on the bulk path.
    """

    offset: int
    line: int


@dataclass(frozen=True)
class CsvFormat:
    """How to read one kind of CSV file.

    ``columns`` maps the canonical column name (what mappings read) to the header text in the
    file, so a store system that writes ``Store`` instead of ``store_id`` needs config, not code.
    Columns in ``required`` must be in the header; a file without one is refused as a whole.
    """

    required: Sequence[str] = ()
    columns: Mapping[str, str] = field(default_factory=dict)
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    #: the format's name in the format registry and a spec's ``source.format``
    name: str = field(default="csv", init=False, repr=False)

    def sniff(self, head: bytes) -> bool:
        """CSV is what no document is: content that opens like a document is never CSV.

        Every other format claims content by how it starts; CSV takes the rest, so a file is
        read as CSV only when no document format could be meant.
        """
        return not looks_like_document(head)

    def messages(self, fh: BinaryIO, source: str) -> Iterator[RawRecord | RecordError]:
        """Each data row of the file in ``fh`` (header first), as a document format's messages.

        The hub's inbox reads a CSV file in chunks instead (:func:`split_rows`, translated in
        worker processes for big files): the format's fast path, same rows, same positions.
        """
        context, header_len = self.read_header(fh, source)
        fh.seek(header_len)
        for chunk in split_rows(fh, CsvPosition(header_len, 1), ROWS_PER_READ):
            for item, _ in self.parse_chunk(chunk, source, context):
                yield item

    def header_names(self, header: Sequence[str], source: str) -> list[str]:
        """Translate the file's header to canonical names; refuse a header missing a column."""
        rename = {text.strip().lower(): name for name, text in self.columns.items()}
        names = [rename.get(h.strip().lower(), h.strip()) for h in header]
        missing = [c for c in self.required if c not in names]
        if missing:
            wanted = ", ".join(f"{c!r} (header {self.columns.get(c, c)!r})" for c in missing)
            # none of them at all: most likely another system's CSV, not a partner's spelling
            what = (
                "no column the mapping requires: not a file of this mapping, or its headers "
                "need the connector's `columns:` (canonical name: the file's header); "
                if len(missing) == len(self.required)
                else "a partner's own header names map to them with the connector's `columns:`; "
            )
            raise MissingColumnError(
                f"{source}:line 1",
                f"header lacks required column(s) {wanted}; {what}found {header}",
            )
        return names

    def parse_record(
        self, data: bytes, context: Mapping[str, Any], *, source: str, line: int
    ) -> RawRecord:
        """Parse one row's bytes again (a dead letter being replayed), with its file's header."""
        loc = f"{source}:line {line}"
        names = list(context.get("names") or [])
        if not names:
            raise RecordError(loc, "no header known for this row: cannot parse it alone")
        try:
            text = data.decode(self.encoding)
            rows = list(csv.reader(io.StringIO(text), delimiter=self.delimiter, strict=True))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise RecordError(loc, f"malformed CSV: {exc}", raw=data, line=line) from exc
        rows = [r for r in rows if r]
        if len(rows) != 1:
            raise RecordError(loc, f"expected exactly one CSV row, found {len(rows)}", raw=data)
        if len(rows[0]) != len(names):
            raise MissingColumnError(
                loc, f"expected {len(names)} columns, found {len(rows[0])}", raw=data, line=line
            )
        problem = _field_problem(rows[0], names, self.delimiter)
        if problem is not None:
            name, why = problem
            raise RecordError(loc, why, field=name, raw=data, line=line, context=context)
        return RawRecord(
            data, source, line, dict(zip(names, rows[0], strict=True)), "text/csv", context
        )

    def read(
        self, path: Path, *, source: str | None = None, resume: CsvPosition | None = None
    ) -> Iterator[RawRecord | RecordError]:
        """Yield each data row as a RawRecord, or a RecordError for a row that cannot be read.

        With ``resume``, reading continues after that position (the header is still read for the
        column names); use :meth:`read_with_positions` when checkpointing.
        """
        for item, _ in self.read_with_positions(path, source=source, resume=resume):
            yield item

    def read_with_positions(
        self, path: Path, *, source: str | None = None, resume: CsvPosition | None = None
    ) -> Iterator[tuple[RawRecord | RecordError, CsvPosition]]:
        """Like :meth:`read`, pairing each item with the position just after it."""
        src = source or str(path)
        with path.open("rb") as fh:
            context, header_len = self.read_header(fh, src)
            start = resume or CsvPosition(header_len, 1)
            fh.seek(start.offset)
            for chunk in split_rows(fh, start, ROWS_PER_READ):
                yield from self.parse_chunk(chunk, src, context)

    def chunk_rows(
        self, chunk: RowChunk, src: str, context: Mapping[str, Any], *, lists: bool = False
    ) -> ChunkRows:
        """The records of a chunk for a hot loop: see :class:`ChunkRows`."""
        return ChunkRows(self, chunk, src, context, lists=lists)

    def parse_chunk(
        self, chunk: RowChunk, src: str, context: Mapping[str, Any]
    ) -> Iterator[tuple[RawRecord | RecordError, CsvPosition]]:
        """Parse a chunk cut by :func:`split_rows`, decoding it at once (the fast path).

        A chunk whose bytes do not decode is parsed line by line by :meth:`rows` instead, so
        the error names the row, and the chunk's other rows still go through.
        """
        encoding = _row_encoding(self.encoding)
        try:
            text = chunk.data.decode(encoding)
        except UnicodeDecodeError:
            yield from self.rows(io.BytesIO(chunk.data), src, context, chunk.start)
            return
        one_byte_chars = text.isascii()  # then a row's length in chars is its length in bytes
        plain = _plain_lines(text)
        check = _needs_field_check(text, self.delimiter, plain)
        if plain is not None:
            yield from self._parse_plain(
                plain, chunk.start, src, context, one_byte_chars, check=check
            )
            return
        record = self._row_builder(check=check)
        parts = text.split("\n")
        tail = parts.pop()
        lines = [p + "\n" for p in parts]
        if tail:
            lines.append(tail)
        names = context["names"]
        offset, line = chunk.start
        reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
        consumed = 0
        while True:
            try:
                row: list[str] | None = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row, problem = None, f"malformed CSV: {exc}"
            upto = reader.line_num
            seg = lines[consumed] if upto - consumed == 1 else "".join(lines[consumed:upto])
            data = seg.encode(encoding)
            first = line + 1
            line += upto - consumed
            offset += len(seg) if one_byte_chars else len(data)
            consumed = upto
            pos = CsvPosition(offset, line)
            if row is None:
                loc = f"{src}:line {first}"
                yield RecordError(loc, problem, raw=data, line=first, context=context), pos
            elif row:  # a blank line is not a record
                yield record(row, names, data, src, first, context), pos

    def _parse_plain(
        self,
        plain: _PlainLines,
        start: CsvPosition,
        src: str,
        context: Mapping[str, Any],
        one_byte_chars: bool,
        *,
        check: bool = False,
    ) -> Iterator[tuple[RawRecord | RecordError, CsvPosition]]:
        """Rows of a chunk without quote or carriage-return characters.

        With no quoting, a CSV record is one ``\n``-terminated line and its fields are the
        line split at the delimiter: exactly what ``csv.reader`` returns (a test holds the two
        equal), at a fifth of its cost per row. Most store exports look like this.
        """
        names = context["names"]
        encoding = _row_encoding(self.encoding)
        delimiter = self.delimiter
        record = self._row_builder(check=check)
        offset, line = start
        for index, body in enumerate(plain.lines):
            seg = plain.segment(index)
            data = seg.encode(encoding)
            line += 1
            offset += len(seg) if one_byte_chars else len(data)
            if body:  # a blank line is not a record
                yield (
                    record(body.split(delimiter), names, data, src, line, context),
                    CsvPosition(offset, line),
                )

    def read_header(self, fh: BinaryIO, src: str) -> tuple[dict[str, Any], int]:
        """Read the header line: the context rows need (raw header, column names), its length."""
        limit = read_limits().line_bytes
        header_raw = fh.readline(limit + 1)
        if len(header_raw) > limit:
            raise LimitExceeded(src, 0, "the header line", "line_bytes", limit, line=1)
        if not header_raw.strip():
            raise RecordError(f"{src}:line 1", "file is empty: no header row")
        try:
            header_text = header_raw.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise RecordError(
                f"{src}:line 1, byte {exc.start}",
                f"the header is not {self.encoding} text (byte 0x{header_raw[exc.start]:02x} "
                f"at {exc.start}): a binary file, or one in another encoding (the connector's "
                "`encoding:` names it, e.g. latin-1)",
                raw=header_raw,
                line=1,
            ) from exc
        found = _controls(self.delimiter).search(header_text)
        if found is not None:
            raise RecordError(
                f"{src}:line 1",
                f"the header holds control character U+{ord(found.group()):04X} at character "
                f"{found.start() + 1}: not a CSV header (a binary or UTF-16 file?)",
                raw=header_raw,
                line=1,
            )
        try:
            header = next(csv.reader(io.StringIO(header_text), delimiter=self.delimiter))
        except csv.Error as exc:
            raise RecordError(f"{src}:line 1", f"malformed CSV header: {exc}", line=1) from exc
        names = self.header_names(header, src)
        return {"header": header_text.rstrip("\r\n"), "names": names}, len(header_raw)

    def rows(
        self, fh: BinaryIO, src: str, context: Mapping[str, Any], start: CsvPosition
    ) -> Iterator[tuple[RawRecord | RecordError, CsvPosition]]:
        """Parse rows from ``fh``, whose first byte is at ``start`` in the file.

        ``context`` comes from :meth:`read_header`; ``fh`` may be the whole file (seeked) or
        one chunk of it in memory (see :func:`split_rows`), so workers can parse chunks.
        """
        names = context["names"]
        offset, line = start.offset, start.line

        pending: list[bytes] = []
        bad_bytes: list[str] = []
        encoding = _row_encoding(self.encoding)

        def lines() -> Iterator[str]:
            for raw in fh:
                pending.append(raw)
                try:
                    yield raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    bad_bytes.append(f"bytes not {encoding} at column {exc.start + 1}")
                    yield raw.decode(encoding, "replace")

        reader = csv.reader(lines(), delimiter=self.delimiter, strict=True)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                data = b"".join(pending)
                first = line + 1
                line += len(pending)
                offset += len(data)
                pending.clear()
                yield (
                    RecordError(
                        f"{src}:line {first}",
                        f"malformed CSV: {exc}",
                        raw=data,
                        line=first,
                        context=context,
                    ),
                    CsvPosition(offset, line),
                )
                continue
            data = b"".join(pending) if len(pending) != 1 else pending[0]
            first = line + 1
            line += len(pending)
            offset += len(data)
            pending.clear()
            pos = CsvPosition(offset, line)
            loc = f"{src}:line {first}"
            if not row:
                continue  # a blank line is not a record
            if bad_bytes:
                reason = bad_bytes[0]
                bad_bytes.clear()
                yield RecordError(loc, reason, raw=data, line=first, context=context), pos
                continue
            yield _checked_record(row, names, data, src, first, context, self.delimiter), pos

    def _row_builder(self, *, check: bool) -> Callable[..., RawRecord | RecordError]:
        """:func:`_record`, or with ``check`` the same with each field checked."""
        return functools.partial(_checked_record, delimiter=self.delimiter) if check else _record


def _row_encoding(encoding: str) -> str:
    # a byte-order mark can only open the file: the rows decode as plain UTF-8 (cheaper)
    return "utf-8" if encoding.lower() in ("utf-8-sig", "utf_8_sig") else encoding


def _record(  # noqa: PLR0917 - called once per row on the hot path: positional is cheaper
    row: list[str],
    names: list[str],
    data: bytes,
    src: str,
    line: int,
    context: Mapping[str, Any],
) -> RawRecord | RecordError:
    """A parsed row as a RawRecord, or the error naming its missing columns."""
    if len(row) == len(names):
        # lengths are equal (just checked): strict=True would cost a third of the dict again
        return RawRecord(data, src, line, dict(zip(names, row, strict=False)), "text/csv", context)
    missing = names[len(row) :]
    reason = f"expected {len(names)} columns, found {len(row)}" + (
        f" (missing {', '.join(missing)})" if missing else ""
    )
    return MissingColumnError(f"{src}:line {line}", reason, raw=data, line=line, context=context)


def _checked_record(  # noqa: PLR0917 - the same signature as _record, which it stands in for
    row: list[str],
    names: list[str],
    data: bytes,
    src: str,
    line: int,
    context: Mapping[str, Any],
    delimiter: str = ",",
) -> RawRecord | RecordError:
    """:func:`_record`, refusing a field with a control character or longer than the cap."""
    record = _record(row, names, data, src, line, context)
    if isinstance(record, RecordError):
        return record
    problem = _field_problem(row, names, delimiter)
    if problem is None:
        return record
    name, why = problem
    return RecordError(f"{src}:line {line}", why, field=name, raw=data, line=line, context=context)


@functools.cache
def _controls(delimiter: str) -> re.Pattern[str]:
    """The C0 control characters that are not text in a field: all but TAB, CR and LF (which
    quoted fields may hold) and a delimiter that is itself a control (the unit separator)."""
    allowed = {"\t", "\r", "\n", delimiter}
    return re.compile(
        "[" + "".join(re.escape(chr(c)) for c in range(32) if chr(c) not in allowed) + "]"
    )


def _needs_field_check(text: str, delimiter: str, plain: _PlainLines | None) -> bool:
    """Whether a chunk's rows must be checked field by field: it holds a control character, or
    a line that could hold a field over the cap. One search per chunk keeps the usual chunk on
    the fast path."""
    if _controls(delimiter).search(text) is not None:
        return True
    cap = read_limits().field_bytes
    if plain is not None:
        return max(map(len, plain.lines), default=0) > cap // 4
    return len(text) > cap // 4


def _field_problem(
    row: Sequence[str], names: Sequence[str], delimiter: str
) -> tuple[str, str] | None:
    """(column, why) of the first field holding a control character or over the field cap."""
    controls = _controls(delimiter)
    cap = read_limits().field_bytes
    for index, value in enumerate(row):
        name = names[index] if index < len(names) else f"#{index + 1}"
        found = controls.search(value)
        if found is not None:
            char = found.group()
            return name, (
                f"control character U+{ord(char):04X} at character {found.start() + 1} of the "
                "field: control characters are not text (a binary or corrupted export?)"
            )
        if len(value) > cap // 4 and len(value.encode("utf-8")) > cap:
            return name, (
                f"field longer than {cap:,} bytes (limits.field_bytes); raise limits.field_bytes "
                "in crossdock.yaml if this partner really sends that"
            )
    return None


class _PlainLines(NamedTuple):
    """A quote-free chunk's lines without their line breaks."""

    lines: list[str]
    #: how many of the lines had a break (all, or all but an unterminated last one)
    broken: int

    def segment(self, index: int) -> str:
        """Line ``index`` as it stood in the file, its line break included."""
        body = self.lines[index]
        return body + "\n" if index < self.broken else body


def _plain_lines(text: str) -> _PlainLines | None:
    """The lines of a chunk without quote or CR characters; None for one the csv module reads."""
    if '"' in text or "\r" in text:
        return None
    lines = text.split("\n")
    last = lines.pop()  # "" when the chunk ends with a line break, as split_rows cuts it
    broken = len(lines)
    if last:
        lines.append(last)
    return _PlainLines(lines, broken)


class ChunkRows:
    """The records of one chunk as ``(line, fields)`` pairs; bytes and location only on demand.

    Iterating yields, per record, its first line number and either its fields (a dict of column
    name to text; with ``lists``, the list of texts in header order, for a mapping's
    ``row_function``) or the :class:`RecordError` of a row that cannot be read. A good row costs
    a split (and a dict): its original bytes stay inside the chunk's text until :meth:`raw` cuts
    them out for a dead letter, which on the bulk path is one row in thousands. ``lists`` needs
    a header that names each column once.
    """

    __slots__ = ("_context", "_first", "_fmt", "_kept", "_lists", "_plain", "chunk", "src")

    def __init__(
        self,
        fmt: CsvFormat,
        chunk: RowChunk,
        src: str,
        context: Mapping[str, Any],
        *,
        lists: bool = False,
    ) -> None:
        self._fmt = fmt
        self._lists = lists
        self.chunk = chunk
        self.src = src
        self._context = context
        self._first = chunk.start.line + 1
        #: the chunk's lines when it takes the quote-free path (see ``_parse_plain``), else None
        self._plain: _PlainLines | None = None
        #: bytes of each record by line, on the general path
        self._kept: dict[int, bytes] = {}
        with contextlib.suppress(UnicodeDecodeError):
            text = chunk.data.decode(_row_encoding(fmt.encoding))
            plain = _plain_lines(text)
            # a chunk whose fields need a look each (a control character, a long line) takes
            # the general path, which checks them
            if not _needs_field_check(text, fmt.delimiter, plain):
                self._plain = plain

    def __iter__(self) -> Iterator[tuple[int, dict[str, str] | list[str] | RecordError]]:
        if self._plain is None:
            yield from self._general()
            return
        names = self._context["names"]
        width = len(names)
        delimiter = self._fmt.delimiter
        lists = self._lists
        line = self._first - 1
        for body in self._plain.lines:
            line += 1
            if not body:  # a blank line is not a record
                continue
            row = body.split(delimiter)
            if len(row) == width:
                # the width is checked above; strict=True would add 40 % to the dict's cost
                yield line, row if lists else dict(zip(names, row, strict=False))
            else:
                record = _record(row, names, self.raw(line), self.src, line, self._context)
                assert isinstance(record, RecordError)
                yield line, record

    def _general(self) -> Iterator[tuple[int, dict[str, str] | list[str] | RecordError]]:
        for item, _ in self._fmt.parse_chunk(self.chunk, self.src, self._context):
            if isinstance(item, RawRecord):
                self._kept[item.line] = item.data
                # header names are unique with lists (see the class), so values keep their order
                fields = list(item.fields.values()) if self._lists else dict(item.fields)
                yield item.line, fields
            else:
                yield item.line or self._first, item

    def raw(self, line: int) -> bytes:
        """The original bytes of the record starting at ``line`` (as a dead letter keeps them)."""
        if self._plain is None:
            return self._kept[line]
        return self._plain.segment(line - self._first).encode(_row_encoding(self._fmt.encoding))

    def location(self, line: int) -> str:
        """Human-readable position of the record starting at ``line``."""
        return f"{self.src}:line {line}"


class RowChunk(NamedTuple):
    """Whole CSV rows cut from a file: their bytes, and where they start and end."""

    data: bytes
    start: CsvPosition
    end: CsvPosition
    rows: int


#: bytes read at a time when cutting chunks; a chunk overshoots no row count, only reads ahead
_BLOCK = 1 << 16


class _Cutter:
    """The state of :func:`split_rows`: the chunk being filled and where it has got to."""

    __slots__ = (
        "chunk_start",
        "in_quotes",
        "limit",
        "line",
        "offset",
        "pieces",
        "record_piece",
        "record_start",
        "rows",
        "source",
    )

    def __init__(self, start: CsvPosition, source: str, limit: int) -> None:
        self.pieces: list[bytes] = []
        self.rows = 0
        self.offset, self.line = start
        self.chunk_start = start
        self.in_quotes = False
        #: where the record being cut began (its line breaks inside quotes count towards it)
        self.record_start = start
        #: how many of ``pieces`` came before that record
        self.record_piece = 0
        self.source = source
        self.limit = limit

    def take(self, data: bytes, begin: int, end: int, lines: int, rows: int) -> None:
        self.pieces.append(data[begin:end])
        self.offset += end - begin
        self.line += lines
        self.rows += rows

    def cut(self, rows: int | None = None) -> RowChunk:
        end = CsvPosition(self.offset, self.line)
        chunk = RowChunk(b"".join(self.pieces), self.chunk_start, end, rows or self.rows)
        self.pieces, self.rows, self.chunk_start = [], 0, end
        return chunk

    def too_long(self, start: CsvPosition) -> Iterator[RowChunk]:
        """Hand out the whole rows before the record at ``start``, then refuse that record."""
        if self.in_quotes:  # the record's first lines are taken already: leave them out
            del self.pieces[self.record_piece :]
            self.offset, self.line = start
        if self.rows:
            yield self.cut()
        raise LimitExceeded(
            self.source,
            start.offset,
            "a CSV record (a line, or the lines of a quoted field)",
            "line_bytes",
            self.limit,
            line=start.line + 1,
        )


def split_rows(
    fh: BinaryIO, start: CsvPosition, rows_per_chunk: int, *, source: str | None = None
) -> Iterator[RowChunk]:
    """Cut ``fh`` (positioned at ``start``) into chunks of whole rows, without parsing them.

    A row ends at a line break outside quotes; in RFC 4180 CSV a quote inside a field is
    doubled, so a row is complete when its lines hold an even number of quote characters.
    This runs in the reading process while workers parse, so it must cost a small fraction of
    a parse: a block without any quote is cut by counting its line breaks in C, and only
    blocks with quotes are walked line by line.

    A record longer than :attr:`ReadLimits.line_bytes` (a line that never ends, a quote never
    closed) is refused with :class:`LimitExceeded` once the rows before it are handed out:
    memory holds at most one record, and the time stays proportional to the bytes read.
    """
    limit = read_limits().line_bytes
    state = _Cutter(start, source or str(getattr(fh, "name", "file")), limit)
    # bytes after the last line break so far, kept as a list: joining them only once the line
    # ends keeps a line of many blocks linear (re-joining it per block was quadratic)
    carry: list[bytes] = []
    carried = 0
    while block := fh.read(_BLOCK):
        last = block.rfind(b"\n")
        if last < 0:
            carry.append(block)
            carried += len(block)
            if carried > limit:
                yield from state.too_long(CsvPosition(state.offset, state.line))
            continue
        if carry and carried + block.find(b"\n") + 1 > limit:
            yield from state.too_long(CsvPosition(state.offset, state.line))
        data = b"".join((*carry, block)) if carry else block
        whole = carried + last + 1  # cut only after whole lines; the rest waits
        carry = [data[whole:]] if whole < len(data) else []
        carried = len(data) - whole
        yield from _cut_lines(state, data, whole, rows_per_chunk)
    if carry:  # a last line without a line break
        data = b"".join(carry)
        yield from _cut_lines(state, data, len(data), rows_per_chunk)
    if state.pieces:  # the last rows
        yield state.cut(state.rows or 1)


def _cut_lines(state: _Cutter, data: bytes, size: int, rows_per_chunk: int) -> Iterator[RowChunk]:
    """Add ``data[:size]`` (whole lines, or the file's unterminated last one) to chunks."""
    pos = 0
    while pos < size:
        if not state.in_quotes and data.find(b'"', pos, size) < 0:
            need = rows_per_chunk - state.rows
            end = size
            lines = data.count(b"\n", pos, size) + (data[size - 1] != 10)
            if lines > need:  # the chunk fills inside this block: end after its need-th line
                end = pos
                for _ in range(need):
                    end = data.find(b"\n", end, size) + 1
                lines = need
            state.take(data, pos, end, lines, lines)
            pos = end
        else:
            end = data.find(b"\n", pos, size) + 1 or size
            if not state.in_quotes:
                state.record_start = CsvPosition(state.offset, state.line)
                state.record_piece = len(state.pieces)
            quotes = data.count(b'"', pos, end)
            state.in_quotes ^= quotes % 2 == 1
            if state.in_quotes and state.offset + end - pos - state.record_start.offset > (
                state.limit
            ):
                # a quote never closed would make the rest of the file one record
                yield from state.too_long(state.record_start)
            state.take(data, pos, end, 1, 0 if state.in_quotes else 1)
            pos = end
        if state.rows >= rows_per_chunk:
            yield state.cut()
