"""The in-process executor and the split of work into spans."""

import pytest

from cleaners.executor import Serial, spans


def test_spans_cover_every_item_once_in_about_twice_width_pieces():
    for n in (0, 1, 7, 100, 1001):
        for width in (1, 2, 8):
            for minimum in (1, 50):
                got = spans(n, width, minimum)
                covered = [i for a, b in got for i in range(a, b)]
                assert covered == list(range(n))
                assert all(b - a >= minimum for a, b in got[:-1])
                if minimum == 1:
                    assert len(got) <= 2 * width


def test_serial_maps_in_order_with_shared_arguments_and_validates_its_width():
    assert Serial(width=3).map(lambda x, add: x + add, [1, 2, 3], add=10) == [11, 12, 13]
    assert Serial().width == 1 and Serial(4).width == 4
    with pytest.raises(ValueError, match="at least 1"):
        Serial(0)
