"""The one place where core errors become gRPC statuses, and where servicers are registered.

Every error leaves as a rich status: the code of its branch of the error tree, a
``google.rpc.ErrorInfo`` (domain ``kioskhub``, reason, metadata) and, for a bad field, a
``google.rpc.BadRequest`` naming the proto field path. Handlers are built from each service's
descriptor with a request parser that turns a corrupt message or invalid UTF-8 into
INVALID_ARGUMENT MALFORMED_REQUEST (gRPC's own parser would answer UNKNOWN without detail), and
every call sees the caller's lease id (metadata ``kioskhub-lease-id``) in ``CALLER_LEASE``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2, message, message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from hubd import errors
from hubd.app import CALLER_LEASE

log = logging.getLogger(__name__)

LEASE_METADATA = "kioskhub-lease-id"
CODES: list[tuple[type[errors.HubError], grpc.StatusCode]] = [
    (errors.InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.NotFound, grpc.StatusCode.NOT_FOUND),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (errors.FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.DeviceUnavailable, grpc.StatusCode.UNAVAILABLE),
    (errors.ResourceExhausted, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (errors.HubError, grpc.StatusCode.INTERNAL),
]


class Malformed:
    """Stands for a request that could not be parsed (the handler refuses it)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


def code_for(err: errors.HubError) -> grpc.StatusCode:
    """The status code of an error's branch of the tree."""
    return next(code for cls, code in CODES if isinstance(err, cls))


def to_status(err: errors.HubError) -> grpc.Status:
    """A rich status: code, message, ErrorInfo (reason, metadata) and BadRequest for a field."""
    code = code_for(err)
    info = any_pb2.Any()
    info.Pack(error_details_pb2.ErrorInfo(reason=err.reason, domain=errors.DOMAIN, metadata=err.metadata))
    details = [info]
    if isinstance(err, errors.InvalidArgument):
        bad = any_pb2.Any()
        violation = error_details_pb2.BadRequest.FieldViolation(field=err.field, description=err.description)
        bad.Pack(error_details_pb2.BadRequest(field_violations=[violation]))
        details.append(bad)
    st = status_pb2.Status(code=getattr(code_pb2, code.name), message=err.message, details=details)
    return rpc_status.to_status(st)


async def abort(context: Any, err: BaseException) -> NoReturn:
    """End the call with the status for ``err`` (unexpected errors become a bare INTERNAL)."""
    if not isinstance(err, errors.HubError):
        log.exception("unexpected error in an RPC", exc_info=err)
        err = errors.HubError("internal error; see the hub's log")
    await context.abort_with_status(to_status(err))
    raise AssertionError("unreachable")  # abort_with_status always raises


def _malformed(problem: str) -> errors.InvalidArgument:
    return errors.InvalidArgument("request", f"cannot be parsed: {problem}", reason="MALFORMED_REQUEST")


def _caller(context: Any) -> None:
    """Make the caller's lease id readable by ``Hub.use`` (metadata is read only if it asks)."""

    def lease() -> str:
        for key, value in context.invocation_metadata() or ():
            if key == LEASE_METADATA and isinstance(value, str):
                return value[:64]
        return ""

    CALLER_LEASE.set(lease)


def _unary(inner: Callable[[Any, Any], Awaitable[Any]]) -> Callable[[Any, Any], Awaitable[Any]]:
    async def handler(request: Any, context: Any) -> Any:
        try:
            if isinstance(request, Malformed):
                raise _malformed(request.problem)
            _caller(context)
            return await inner(request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as err:
            await abort(context, err)

    return handler


def _server_stream(
    inner: Callable[[Any, Any], AsyncIterator[Any]],
) -> Callable[[Any, Any], AsyncIterator[Any]]:
    async def handler(request: Any, context: Any) -> AsyncIterator[Any]:
        try:
            if isinstance(request, Malformed):
                raise _malformed(request.problem)
            _caller(context)
            async for item in inner(request, context):
                yield item
        except grpc.aio.AbortError:
            raise
        except Exception as err:
            await abort(context, err)

    return handler


async def _checked(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for request in requests:
        if isinstance(request, Malformed):
            raise _malformed(request.problem)
        yield request


def _client_stream(inner: Callable[[Any, Any], Awaitable[Any]]) -> Callable[[Any, Any], Awaitable[Any]]:
    async def handler(requests: AsyncIterator[Any], context: Any) -> Any:
        try:
            _caller(context)
            return await inner(_checked(requests), context)
        except grpc.aio.AbortError:
            raise
        except Exception as err:
            await abort(context, err)

    return handler


def _serialize(message: Any) -> bytes:
    """A response's bytes; a status read answered from its cache is already bytes."""
    return message if isinstance(message, bytes) else bytes(message.SerializeToString())


def _parser(method: MethodDescriptor) -> Callable[[bytes], Any]:
    cls = message_factory.GetMessageClass(method.input_type)

    def parse(data: bytes) -> Any:
        try:
            return cls.FromString(data)
        except (message.DecodeError, UnicodeDecodeError, ValueError) as err:
            return Malformed(str(err) or type(err).__name__)

    return parse


def handlers(servicer: Any, service: ServiceDescriptor) -> grpc.GenericRpcHandler:  # type: ignore[type-arg]
    """gRPC handlers for every method of ``service`` on ``servicer``, errors mapped, requests
    parsed safely. Built once, at registration (an interceptor would cost a closure per call)."""
    table: dict[str, grpc.RpcMethodHandler] = {}  # type: ignore[type-arg]
    for method in service.methods:
        fn = getattr(servicer, method.name)
        kw: dict[str, Any] = {
            "request_deserializer": _parser(method),
            "response_serializer": _serialize,
        }
        if method.client_streaming and not method.server_streaming:
            table[method.name] = grpc.stream_unary_rpc_method_handler(_client_stream(fn), **kw)
        elif method.server_streaming and not method.client_streaming:
            table[method.name] = grpc.unary_stream_rpc_method_handler(_server_stream(fn), **kw)
        elif not method.client_streaming:
            table[method.name] = grpc.unary_unary_rpc_method_handler(_unary(fn), **kw)
        else:
            raise TypeError(f"{service.full_name}.{method.name}: bidirectional streams are not used")
    return grpc.method_handlers_generic_handler(service.full_name, table)
