"""A ScannerService client's side in tests: a Scan stream read into what it delivered (the
fixtures, a hub serving the eSCL scanner simulator, are in ``tests/rpc/conftest.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import grpc

from kioskhub.v1 import scanner_pb2, scanner_pb2_grpc
from tests.rpc.conftest import error_info

Job = scanner_pb2.ScanJob
CHUNK_LIMIT = 64 * 1024


@dataclass
class Scanned:
    """Everything one Scan stream sent, in order, and how it ended."""

    jobs: list[scanner_pb2.ScanJob] = field(default_factory=list)
    pages: list[scanner_pb2.ScannedPage] = field(default_factory=list)
    file: scanner_pb2.ScanFile | None = None
    chunks: list[bytes] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    error: grpc.aio.AioRpcError | None = None

    @property
    def data(self) -> bytes:
        """The file's bytes."""
        return b"".join(self.chunks)

    @property
    def scan_job_id(self) -> str:
        """The job's id (from its first message)."""
        return self.jobs[0].scan_job_id

    def reason(self) -> tuple[grpc.StatusCode, str, dict[str, str]]:
        """Code, ErrorInfo reason and metadata of the error the stream ended with."""
        assert self.error is not None, "the stream ended without an error"
        info = error_info(self.error)
        return self.error.code(), info.reason, dict(info.metadata)


def stub(channel: grpc.aio.Channel) -> scanner_pb2_grpc.ScannerServiceStub:
    """A ScannerService stub on ``channel``."""
    return scanner_pb2_grpc.ScannerServiceStub(channel)


async def read(stream: Any, into: Scanned | None = None) -> Scanned:
    """Read a Scan stream to its end (an error is kept, not raised); ``stream.read`` style, so a
    test may read its first messages itself."""
    got = into or Scanned()
    try:
        while (message := await stream.read()) is not grpc.aio.EOF:
            kind = message.WhichOneof("response")
            got.order.append(kind)
            if kind == "job":
                got.jobs.append(message.job)
            elif kind == "page":
                got.pages.append(message.page)
            elif kind == "file":
                got.file = message.file
            else:
                assert len(message.file_chunk) <= CHUNK_LIMIT
                got.chunks.append(message.file_chunk)
    except grpc.aio.AioRpcError as err:
        got.error = err
    return got


async def scan(channel: grpc.aio.Channel, md: Any, timeout: float = 60, **fields: Any) -> Scanned:
    """One Scan with ``fields``, read to its end."""
    stream = stub(channel).Scan(scanner_pb2.ScanRequest(**fields), metadata=md)
    return await asyncio.wait_for(read(stream), timeout)


def states(got: Scanned) -> list[str]:
    """The job states the stream sent, by name."""
    return [Job.State.Name(j.state) for j in got.jobs]
