"""The one place where core errors become gRPC status codes with ``google.rpc.ErrorInfo``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from hubd import errors

log = logging.getLogger(__name__)

CODES: list[tuple[type[errors.HubError], grpc.StatusCode]] = [
    (errors.InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.NotFound, grpc.StatusCode.NOT_FOUND),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (errors.FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.DeviceUnavailable, grpc.StatusCode.UNAVAILABLE),
    (errors.ResourceExhausted, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (errors.HubError, grpc.StatusCode.INTERNAL),
]


def code_for(err: errors.HubError) -> grpc.StatusCode:
    """The status code of an error's branch of the tree."""
    return next(code for cls, code in CODES if isinstance(err, cls))


def to_status(err: errors.HubError) -> grpc.Status:
    """A rich status: code, message, and an ErrorInfo detail with reason and metadata."""
    code = code_for(err)
    detail = any_pb2.Any()
    detail.Pack(
        error_details_pb2.ErrorInfo(reason=err.reason, domain=errors.DOMAIN, metadata=err.metadata)
    )
    st = status_pb2.Status(code=getattr(code_pb2, code.name), message=err.message, details=[detail])
    return rpc_status.to_status(st)


async def abort(context: Any, err: Exception) -> NoReturn:
    """End the call with the status for ``err`` (unexpected errors become a bare INTERNAL)."""
    if not isinstance(err, errors.HubError):
        log.exception("unexpected error in an RPC", exc_info=err)
        err = errors.HubError("internal error; see the hub's log")
    await context.abort_with_status(to_status(err))
    raise AssertionError("unreachable")  # abort_with_status always raises


def wrap_unary(
    inner: Callable[[Any, Any], Awaitable[Any]],
) -> Callable[[Any, Any], Awaitable[Any]]:
    """A unary handler that maps raised errors to statuses."""

    async def handler(request: Any, context: Any) -> Any:
        try:
            return await inner(request, context)
        except errors.HubError as err:
            await abort(context, err)
        except Exception as err:
            if isinstance(err, grpc.aio.AbortError):
                raise
            await abort(context, err)

    return handler


def wrap_stream(
    inner: Callable[[Any, Any], AsyncIterator[Any]],
) -> Callable[[Any, Any], AsyncIterator[Any]]:
    """A server-streaming handler that maps raised errors to statuses."""

    async def handler(request: Any, context: Any) -> AsyncIterator[Any]:
        try:
            async for item in inner(request, context):
                yield item
        except errors.HubError as err:
            await abort(context, err)
        except Exception as err:
            if isinstance(err, grpc.aio.AbortError):
                raise
            await abort(context, err)

    return handler


class ErrorInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Applies the error mapping to every kioskhub.v1 method."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        """Wrap unary-unary and unary-stream handlers of our own services."""
        handler = await continuation(handler_call_details)
        method = handler_call_details.method or ""
        if handler is None or not method.startswith("/kioskhub."):
            return handler
        kw = {
            "request_deserializer": handler.request_deserializer,
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(wrap_unary(handler.unary_unary), **kw)
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                wrap_stream(handler.unary_stream), **kw
            )
        return handler
