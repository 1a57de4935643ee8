"""List RPCs a page at a time (AIP-158): ``page_size`` (0 → the default, over the maximum →
coerced), ``page_token`` → ``next_page_token``.

Tokens are opaque to clients: a keyset position (the last item's key; items added meanwhile
do not shift later pages) bound to the request's filter by a digest, so a token used with another
filter is INVALID_ARGUMENT rather than a wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from hubd.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def _digest(filter_: Iterable[str]) -> str:
    return hashlib.sha256("\x00".join(filter_).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Page:
    """The page a request asks for: its size and where it starts (None: the first page)."""

    size: int
    after: int | str | None
    filter_digest: str

    @classmethod
    def of(cls, page_size: int, page_token: str, filter_: Iterable[str]) -> Page:
        """Check ``page_size`` and decode ``page_token`` for a listing with this filter."""
        if page_size < 0:
            raise InvalidArgument("page_size", f"must not be negative, got {page_size}")
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        digest = _digest(filter_)
        if not page_token:
            return cls(size, None, digest)
        try:
            data = json.loads(base64.urlsafe_b64decode(page_token.encode("ascii") + b"=="))
            after, token_digest = data["a"], data["f"]
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError) as err:
            raise InvalidArgument("page_token", "is not a token this hub issued") from err
        if token_digest != digest or not isinstance(after, int | str):
            raise InvalidArgument("page_token", "belongs to a listing with another filter")
        return cls(size, after, digest)

    def token(self, after: int | str | None) -> str:
        """The ``next_page_token`` continuing after ``after`` ("" when there is no next page)."""
        if after is None:
            return ""
        raw = json.dumps({"a": after, "f": self.filter_digest}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
