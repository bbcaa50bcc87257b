"""gzip built from pieces deflated once (comments.thread.compress): the CRC of joined pieces
combined from theirs, a gzip member that any reader decompresses to exactly the plain page,
stored blocks for the per-request values (more than one block past 65,535 bytes), a header
whose length varies, and the BREACH property: a value's bytes never change how well the page
compresses, so its compressed length says nothing of what the value is."""

import gzip
import itertools
import os
import random
import zlib

import pytest

from comments.thread.compress import (
    Piece,
    crc_combine,
    crc_shift,
    gzip_header,
    gzip_of,
    plain_of,
    stored_blocks,
)

PAGE_TEXT = (
    b"<!doctype html><html><head><title>Envoys meet</title></head><body>"
    + b"<p>The talks resumed on Monday. Both sides said progress was possible.</p>" * 40
    + b'<form><input type="hidden" name="csrfmiddlewaretoken" value="'
)
PAGE_TAIL = b'"><input type="hidden" name="token" value="'
PAGE_END = b'"></form>' + b"<footer>The Meridian, demo newsroom</footer></body></html>" * 20


def random_bytes(size, seed):
    return random.Random(seed).randbytes(size)


def header_length(member):
    """The length of a gzip member's header, up to the end of its FNAME (the only flag set)."""
    assert member[:3] == b"\x1f\x8b\x08"
    assert member[3] == 0x08, "FNAME, and no other flag"
    return member.index(b"\x00", 10) + 1


# --------------------------------------------------------------------------------------------
# crc_combine


SIZES = [0, 1, 3, 64, 1000, 65_535, 65_536, 70_001, 300_000]


@pytest.mark.parametrize("size_b", SIZES)
@pytest.mark.parametrize("size_a", [0, 1, 70_001])
def test_crc_combine_gives_the_crc_of_the_concatenation(size_a, size_b):
    """Guards: crc_combine(crc(A), crc(B), len(B)) == crc(A + B), for empty, small and large
    (past 64 KiB) pieces."""
    a = random_bytes(size_a, f"a{size_a}")
    b = random_bytes(size_b, f"b{size_b}")
    assert crc_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_crc_combine_over_many_pieces_in_a_row():
    """Guards: folding crc_combine over a page cut in uneven pieces (some empty) gives the
    page's CRC, as gzip_of folds it."""
    page = random_bytes(400_000, "page")
    cuts = sorted([0, len(page), *random.Random(7).sample(range(len(page)), 40), 1000, 1000])
    crc = 0
    for start, end in itertools.pairwise(cuts):  # (1000, 1000): an empty piece
        piece = page[start:end]
        crc = crc_combine(crc, zlib.crc32(piece), len(piece))
    assert crc == zlib.crc32(page)


def test_crc_shift_of_nothing_is_the_identity():
    """Guards: moving a CRC past 0 bytes leaves it as it was (x^0), so an empty value or
    piece changes nothing."""
    crc = zlib.crc32(b"anything")
    assert crc_combine(crc, zlib.crc32(b""), 0) == crc
    assert crc_shift(0) == 1 << 31


# --------------------------------------------------------------------------------------------
# gzip_of and plain_of


def pieces_of(*parts):
    return [Piece.of(part) for part in parts]


CASES = {
    "no-values": ([PAGE_TEXT + PAGE_END], []),
    "two-tokens": (
        [PAGE_TEXT, PAGE_TAIL, PAGE_END],
        [b"a" * 64, b"WzEsMTczMzM3MDQ1MC4xMjNd:1tXyz:abcdefABCDEF0123456789"],
    ),
    "empty-values-and-pieces": ([b"", b"", PAGE_END, b""], [b"", b"x", b""]),
    "a-value-past-65535": ([PAGE_TEXT, PAGE_END], [random_bytes(200_000, "big")]),
    "exactly-65535-and-65536": ([b"<a>", b"<b>", b"<c>"], [b"v" * 65_535, b"w" * 65_536]),
    "a-piece-past-65535": ([random_bytes(150_000, "piece"), b"end"], [b"value"]),
    "unicode": (["<p>“Quoted” \u2013 café ✓</p>".encode(), b"</p>"], ["é".encode() * 30]),
}


@pytest.mark.parametrize(("parts", "values"), CASES.values(), ids=CASES.keys())
def test_gzip_of_decompresses_to_exactly_plain_of(parts, values):
    """Guards: the gzip member joined from pieces and stored values decompresses (gzip's
    reader, and zlib's with its trailer check, wbits=31) to exactly the plain page, which is
    the pieces and values interleaved; and its size in the trailer is the page's."""
    pieces = pieces_of(*parts)
    plain = plain_of(pieces, values)
    expected = parts[0] + b"".join(v + p for v, p in zip(values, parts[1:], strict=True))
    assert plain == expected
    member = gzip_of(pieces, values)
    assert gzip.decompress(member) == plain
    decompressor = zlib.decompressobj(wbits=31)
    assert decompressor.decompress(member) + decompressor.flush() == plain
    assert decompressor.eof and decompressor.unused_data == b""
    assert int.from_bytes(member[-4:], "little") == len(plain)
    assert int.from_bytes(member[-8:-4], "little") == zlib.crc32(plain)


def test_one_stored_page_serves_many_values():
    """Guards: the same pieces (deflated once) joined with different values each time give
    each request its own page; the pieces are not consumed or changed."""
    pieces = pieces_of(PAGE_TEXT, PAGE_TAIL, PAGE_END)
    for n in range(20):
        values = [os.urandom(32).hex().encode(), f"token-{n}".encode() * n]
        assert gzip.decompress(gzip_of(pieces, values)) == plain_of(pieces, values)


def test_values_are_stored_in_blocks_of_at_most_65535_bytes():
    """Guards: a stored block holds at most 65,535 bytes, each with LEN and its complement;
    a longer value takes several (here 3), and none is the final block."""
    value = random_bytes(140_000, "stored")
    blocks = stored_blocks(value)
    offset, chunks = 0, []
    while offset < len(blocks):
        assert blocks[offset] == 0, "a stored block, not final"
        length = int.from_bytes(blocks[offset + 1 : offset + 3], "little")
        complement = int.from_bytes(blocks[offset + 3 : offset + 5], "little")
        assert length == complement ^ 0xFFFF
        assert 0 < length <= 65_535
        chunks.append(blocks[offset + 5 : offset + 5 + length])
        offset += 5 + length
    assert b"".join(chunks) == value
    assert len(chunks) == 3
    assert stored_blocks(b"") == b""
    raw = zlib.decompressobj(wbits=-15)
    assert raw.decompress(blocks + b"\x03\x00") == value and raw.eof


def test_a_piece_is_deflated_on_its_own_and_ends_byte_aligned():
    """Guards: a piece's deflated bytes inflate on their own (raw deflate, no window before
    them) to its plain bytes, ending in a sync flush (00 00 FF FF), so whatever follows can
    start a block of its own; its CRC is its own."""
    piece = Piece.of(PAGE_TEXT)
    assert piece.deflated.endswith(b"\x00\x00\xff\xff")
    raw = zlib.decompressobj(wbits=-15)
    assert raw.decompress(piece.deflated) == PAGE_TEXT
    assert piece.crc == zlib.crc32(PAGE_TEXT)
    assert piece.shift == crc_shift(len(PAGE_TEXT))
    assert len(piece.deflated) < len(PAGE_TEXT) / 3


# --------------------------------------------------------------------------------------------
# The header, and BREACH


def test_the_header_names_a_file_of_random_length():
    """Guards: each gzip header carries FNAME, a NUL-ended name of 1 to 100 letters or
    digits, whose length varies between calls (as GZipMiddleware pads its answers)."""
    lengths = set()
    for _ in range(200):
        header = gzip_header()
        assert header[:4] == b"\x1f\x8b\x08\x08"
        assert header[4:10] == b"\x00\x00\x00\x00\x00\xff"
        assert header.endswith(b"\x00") and header.count(b"\x00", 10) == 1
        name = header[10:-1]
        assert 1 <= len(name) <= 100 and name.isalnum()
        lengths.add(len(name))
    assert len(lengths) > 20


def test_two_answers_of_the_same_page_differ_in_length_by_chance():
    """Guards: gzip_of puts a fresh header on every answer: the same page and values come
    back in members of more than one length, all decompressing to the same page."""
    pieces = pieces_of(PAGE_TEXT, PAGE_END)
    values = [b"v" * 64]
    members = [gzip_of(pieces, values) for _ in range(50)]
    assert len({len(member) for member in members}) > 5
    assert {gzip.decompress(member) for member in members} == {plain_of(pieces, values)}


@pytest.mark.parametrize("length", [8, 64, 300])
def test_a_value_equal_to_page_text_compresses_no_better_than_a_random_one(length):
    """Guards the BREACH property: the per-request value goes in uncompressed, on its own, so
    a value equal to text the page holds (which deflate would otherwise match and shrink)
    gives a member exactly as long, without its random header, as a random value of the same
    length. Whole-page gzip (GZipMiddleware's) is shown to leak, as the control."""
    echoed = PAGE_TEXT[100 : 100 + length]
    assert len(echoed) == length
    unrelated = random_bytes(length, f"random{length}")
    pieces = pieces_of(PAGE_TEXT, PAGE_END)

    def body_length(value):
        member = gzip_of(pieces, [value])
        return len(member) - header_length(member)

    assert body_length(echoed) == body_length(unrelated)
    assert body_length(echoed) == body_length(b"\x00" * length)

    whole = [len(zlib.compress(PAGE_TEXT + value + PAGE_END)) for value in (echoed, unrelated)]
    assert whole[0] < whole[1], "the control: compressing the page whole does leak"


def test_the_compressed_length_depends_only_on_the_values_lengths():
    """Guards: across many values of one length (a CSRF token's 64 letters), the member's
    length without its header is always the same."""
    pieces = pieces_of(PAGE_TEXT, PAGE_TAIL, PAGE_END)
    rng = random.Random(3)
    alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    lengths = set()
    for _ in range(30):
        csrf = bytes(rng.choice(alphabet) for _ in range(64))
        member = gzip_of(pieces, [csrf, PAGE_TEXT[:40]])
        lengths.add(len(member) - header_length(member))
    assert len(lengths) == 1
