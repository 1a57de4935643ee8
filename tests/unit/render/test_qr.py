"""QR matrices: the numpy mask selection gives exactly the ``qrcode`` library's code."""

from __future__ import annotations

import random
import string

import numpy as np
import pytest
import qrcode
from qrcode import util

from hubd.render.qr import ERROR_CORRECTION, penalties, qr_matrix

rng = random.Random(20261125)
DATA = [
    *(f"2026112509{i:08d}" for i in range(0, 40_000, 1_000)),  # transaction ids (numeric, v1)
    *("".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(1, 400))) for _ in range(25)),
    "EM/202611/004512",  # alphanumeric and byte segments
    "राजस्थान ई-मित्र 2026",  # UTF-8 bytes
]


def library_matrix(data: str) -> np.ndarray:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


@pytest.mark.parametrize("data", DATA)
def test_matrix_is_the_librarys(data: str) -> None:
    """Same version, same mask (the library's best of eight), same modules."""
    qr_matrix.cache_clear()
    assert np.array_equal(qr_matrix(data), library_matrix(data))


def test_versions_with_version_information_are_covered() -> None:
    """Version 7 and up carry version information blocks: data long enough to need them."""
    sizes = {qr_matrix(data).shape[0] for data in DATA}
    assert min(sizes) == 21 and max(sizes) >= 45  # version 1 and version 7 or more


def test_penalties_score_as_the_library() -> None:
    """N1..N4 of random codes equal ``qrcode.util.lost_point``."""
    gen = np.random.default_rng(5)
    for size in (21, 25, 45):
        codes = gen.random((6, size, size)) < gen.uniform(0.2, 0.8, size=(6, 1, 1))
        expected = [util.lost_point(code.tolist()) for code in codes]
        assert penalties(codes).tolist() == expected


def test_matrix_is_read_only() -> None:
    with pytest.raises(ValueError):
        qr_matrix("x")[0, 0] = False
