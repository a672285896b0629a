"""Encrypted, verified backups of the whole database, portable between SQLite and PostgreSQL.

File layout: a header line ``OPENNRM-BACKUP 1 <key id hex> <nonce prefix hex>``, then chunks, each
``length (4 bytes) | AES-GCM(chunk)``. The plaintext is zlib-compressed JSON Lines, one table row per line,
tables in dependency order. Chunk ``i`` uses nonce ``prefix | i`` and associated data naming the chunk index
and whether it is the last, so dropped, reordered or truncated chunks are detected. The key is derived from
the installation's data key: a stolen backup reveals nothing without the key file.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from sqlalchemy import delete, select

from opennrm.services.errors import InvalidInput
from opennrm.store import audit
from opennrm.store.database import Database
from opennrm.store.tables import Base

MAGIC = b"OPENNRM-BACKUP 1"
CHUNK = 1 << 20
_BATCH = 2000


class BackupError(Exception):
    """The backup file is damaged, altered, or was made with another key."""


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode()}
    if isinstance(value, dt.datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$b":
            return base64.b64decode(inner)
        if tag == "$t":
            return dt.datetime.fromisoformat(inner)
        if tag == "$d":
            return dt.date.fromisoformat(inner)
    return value


@dataclass(frozen=True)
class BackupSummary:
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _lines(db: Database, counts: dict[str, int]) -> Iterator[bytes]:
    with db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            counts[table.name] = 0
            for row in session.execute(select(table).order_by(*pk)).yield_per(_BATCH).mappings():
                counts[table.name] += 1
                record = {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}
                yield json.dumps(record, separators=(",", ":")).encode() + b"\n"


def _chunks(lines: Iterator[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(6)
    buffer = bytearray()
    for line in lines:
        buffer += compressor.compress(line)
        while len(buffer) >= CHUNK:
            yield bytes(buffer[:CHUNK])
            del buffer[:CHUNK]
    buffer += compressor.flush()
    yield bytes(buffer)


def write_backup(db: Database, path: Path) -> BackupSummary:
    """Write an encrypted backup atomically, then read it back to prove it decrypts and is complete."""
    kid, aead = db.keyring.backup_key()
    with db.transaction() as session:  # recorded first, so the backup holds its own audit event
        audit.record_one(session, db.keyring, audit.AuditEntry("cli", "backup.create", "installation", None))
    prefix = secrets.token_bytes(4)
    counts: dict[str, int] = {}
    tmp = path.with_name(path.name + ".partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(MAGIC + b" " + kid.hex().encode() + b" " + prefix.hex().encode() + b"\n")
        pending: bytes | None = None
        index = 0
        for chunk in _chunks(_lines(db, counts)):
            if pending is not None:
                _write_chunk(out, aead, prefix, index, pending, last=False)
                index += 1
            pending = chunk
        _write_chunk(out, aead, prefix, index, pending or b"", last=True)
        out.flush()
        os.fsync(out.fileno())
    summary = BackupSummary(counts)
    read = verify_backup(db, tmp)
    if read.rows != summary.rows:
        tmp.unlink()
        raise BackupError("the backup did not read back as written")
    os.replace(tmp, path)
    return summary


def _write_chunk(out: BinaryIO, aead: Any, prefix: bytes, index: int, data: bytes, *, last: bool) -> None:
    nonce = prefix + struct.pack(">Q", index)
    sealed = aead.encrypt(nonce, data, struct.pack(">Q?", index, last))
    out.write(struct.pack(">I", len(sealed)) + sealed)


def _read_records(db: Database, path: Path) -> Iterator[dict[str, Any]]:
    with open(path, "rb") as fh:
        header = fh.readline().split()
        if len(header) != 4 or b" ".join(header[:2]) != MAGIC:
            raise BackupError(f"{path} is not an OpenNRM backup")
        try:
            kid, prefix = bytes.fromhex(header[2].decode()), bytes.fromhex(header[3].decode())
        except ValueError:
            raise BackupError(f"{path} has a damaged header") from None
        _, aead = db.keyring.backup_key(kid)
        decompressor = zlib.decompressobj()
        tail = b""
        index, last = 0, False
        while not last:
            size_bytes = fh.read(4)
            if len(size_bytes) < 4:
                raise BackupError("the backup is truncated")
            (size,) = struct.unpack(">I", size_bytes)
            sealed = fh.read(size)
            nonce = prefix + struct.pack(">Q", index)
            for candidate in (False, True):
                try:
                    data = aead.decrypt(nonce, sealed, struct.pack(">Q?", index, candidate))
                    last = candidate
                    break
                except InvalidTag:
                    continue
            else:
                raise BackupError(f"chunk {index} of the backup failed authentication (altered or wrong key)")
            tail += decompressor.decompress(data)
            *complete, tail = tail.split(b"\n")
            for line in complete:
                yield json.loads(line)
            index += 1
        if fh.read(1):
            raise BackupError("the backup has data after its last chunk")
        tail += decompressor.flush()
        if tail.strip():
            yield json.loads(tail)


def verify_backup(db: Database, path: Path) -> BackupSummary:
    counts: dict[str, int] = {}
    for record in _read_records(db, path):
        counts[record["t"]] = counts.get(record["t"], 0) + 1
    for table in Base.metadata.sorted_tables:
        counts.setdefault(table.name, 0)
    return BackupSummary(counts)


def restore_backup(db: Database, path: Path) -> BackupSummary:
    """Replace the database's content with the backup's, in one transaction; the audit chain must verify
    afterwards or nothing is changed."""
    verify_backup(db, path)  # refuse a damaged file before touching anything
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    counts: dict[str, int] = {name: 0 for name in tables}
    with db.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        batch: list[dict[str, Any]] = []
        current: str | None = None
        for record in _read_records(db, path):
            name = record["t"]
            if name not in tables:
                raise BackupError(f"the backup has a table this version does not know: {name}")
            if name != current and batch and current:
                session.execute(tables[current].insert(), batch)
                batch = []
            current = name
            batch.append({k: _decode(v) for k, v in record["r"].items()})
            counts[name] += 1
            if len(batch) >= _BATCH:
                session.execute(tables[name].insert(), batch)
                batch = []
        if batch and current:
            session.execute(tables[current].insert(), batch)
        session.flush()
        result = audit.verify(session, db.keyring)
        if not result.ok:
            raise InvalidInput(f"the restored audit chain does not verify ({result}); nothing was changed")
        audit.record_one(session, db.keyring, audit.AuditEntry("cli", "backup.restore", "installation", None))
    db.analyse()
    return BackupSummary(counts)
