"""The trust boundary (nnkit.kernel.codec): what the kernel encodes decodes to the same values, and
whatever else arrives is refused as Malformed without unpickling or allocating what it claims."""
import numpy as np
import pytest

from nnkit.kernel.codec import MAX_DEPTH, Malformed, Unrepresentable, decode, digest, encode, fingerprint, load_npy
from npy_texts import huge_header, npy_text


@pytest.mark.parametrize("value", [np.arange(6.0).reshape(2, 3), np.float32(1.5), 3, 2.5,
                                   np.arange(4, dtype=np.int8), np.array(7.0)])


def test_a_number_or_a_numeric_array_decodes_to_the_same_values_and_dtype(value):
    got = decode(encode(value))
    want = np.asarray(value)
    assert isinstance(got, np.ndarray) and got.dtype == want.dtype and np.array_equal(got, want)


def test_lists_and_tuples_keep_their_kind_stacked_or_item_by_item():
    same_shape = decode(encode((np.zeros(2), np.ones(2))))
    assert isinstance(same_shape, tuple) and [a.tolist() for a in same_shape] == [[0.0, 0.0], [1.0, 1.0]]
    ragged = decode(encode([np.zeros(2), np.ones(3)]))
    assert isinstance(ragged, list) and [a.shape for a in ragged] == [(2,), (3,)]


def test_anything_not_numeric_is_described_by_its_type_never_kept():
    for value, shown in ((None, "None"), ("text", "a str ('text')"), (True, "a bool (True)")):
        got = decode(encode(value))
        assert isinstance(got, Unrepresentable) and repr(got) == shown


def test_nesting_deeper_than_the_limit_is_described_not_encoded_and_refused_when_forged():
    value = [1.0]
    for _ in range(MAX_DEPTH + 1):
        value = [value, [2.0, 3.0]]
    assert "items" in repr(encode(value))  # encoded as far as MAX_DEPTH, then described
    forged = {"kind": "list", "items": []}
    for _ in range(MAX_DEPTH + 1):
        forged = {"kind": "list", "items": [forged]}
    with pytest.raises(Malformed, match="nested deeper"):
        decode(forged)


@pytest.mark.parametrize("data", [[], {"kind": "weird"}, {"kind": "ndarray"}, {"kind": "ndarray", "npy": "@@@"},
                                  {"kind": "list", "items": "x"}, {"kind": "ndarray", "npy": "AAAA"}])


def test_what_does_not_follow_the_encoding_is_malformed(data):
    with pytest.raises(Malformed):
        decode(data)


def test_a_header_that_claims_a_terabyte_is_refused_without_allocating_it():
    with pytest.raises(Malformed, match="do not match"):
        load_npy(huge_header()[:-1] + "=")
    with pytest.raises(Malformed):
        decode({"kind": "ndarray", "npy": huge_header()})


def test_object_arrays_are_never_unpickled():
    with pytest.raises(Malformed, match="not numbers"):
        decode({"kind": "ndarray", "npy": npy_text(np.array([{"x": 1}], dtype=object))})


def test_a_fingerprint_changes_with_a_value_its_dtype_or_its_shape_and_not_with_its_memory_order():
    x = np.arange(6.0).reshape(2, 3)
    changed = x.copy()
    changed[0, 0] = -1
    assert fingerprint(x) == fingerprint(np.asfortranarray(x))
    variants = (x, changed, x.astype(np.float32), x.reshape(3, 2))
    assert len({fingerprint(v) for v in variants}) == 4
    assert fingerprint(1) != fingerprint(1.0)


def test_the_digest_of_arguments_covers_their_names_and_values():
    args = [("x", np.ones(3)), ("k", 2)]
    assert digest(args) == digest([("x", np.ones(3)), ("k", 2)])
    assert digest(args) != digest([("y", np.ones(3)), ("k", 2)]) != digest([("x", np.ones(3)), ("k", 3)])
