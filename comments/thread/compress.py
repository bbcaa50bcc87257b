"""A page compressed once, sent with fresh tokens: gzip built from pieces.

A cached page is the same for every reader but for a few short values (the CSRF token, the
form token). Compressing the whole page again for each request (what GZipMiddleware does)
costs time in proportion to the page, which is the work the cache was to save. So each
constant piece of the page is deflated once, on its own (a fresh compressor, ended with a
sync flush: byte-aligned, referring to nothing before it), and each request joins those
pieces with its own values as stored (uncompressed) deflate blocks, then the gzip trailer.
Its CRC-32 is combined from the pieces' CRCs (zlib's crc32_combine, which Python's zlib
does not expose) instead of read over the whole page.

Against BREACH: a secret (the CSRF token) is never compressed at all, let alone beside
anything a request can put in the page, so the compressed length says nothing of it; and,
as GZipMiddleware does, the gzip header carries a file name of random length.
"""

import secrets
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache

_POLY = 0xEDB88320  # CRC-32 (reflected), as zlib and gzip use it
_GZIP_HEADER = b"\x1f\x8b\x08"  # magic, deflate
_FNAME = 0x08
_LAST_EMPTY_BLOCK = b"\x03\x00"  # a final, empty block of fixed Huffman codes
_MAX_STORED = 0xFFFF


def _multiply(a, b):
    """a·b modulo the CRC polynomial (zlib's multmodp); `a` is never 0 here."""
    product, bit = 0, 1 << 31
    while True:
        if a & bit:
            product ^= b
            if not a & (bit - 1):
                return product
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers():
    """x^(2^k) modulo the polynomial, k = 0 … 31 (zlib's x2n_table)."""
    table, p = [], 1 << 30  # x^1
    for _ in range(32):
        table.append(p)
        p = _multiply(p, p)
    return tuple(table)


_X2N = _powers()


@lru_cache(maxsize=1024)
def crc_shift(length):
    """x^(8·length) modulo the polynomial: what moving a CRC past `length` bytes multiplies
    it by. Kept for the lengths asked (tokens have a handful; pages store their own)."""
    p, k, n = 1 << 31, 3, length  # x^0; bytes are 2^3 bits
    while n:
        if n & 1:
            p = _multiply(_X2N[k & 31], p)
        n >>= 1
        k += 1
    return p


def crc_combine(crc1, crc2, length2):
    """The CRC-32 of A+B from crc32(A), crc32(B) and len(B)."""
    return _multiply(crc_shift(length2), crc1) ^ crc2


@dataclass(frozen=True)
class Piece:
    """A constant piece of a page: its bytes, deflated on their own, with their CRC."""

    plain: bytes
    deflated: bytes
    crc: int
    shift: int  # crc_shift(len(plain))

    @classmethod
    def of(cls, plain, level=6):
        compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
        deflated = compressor.compress(plain) + compressor.flush(zlib.Z_SYNC_FLUSH)
        return cls(plain, deflated, zlib.crc32(plain), crc_shift(len(plain)))


def stored_blocks(data):
    """`data` as stored (uncompressed) deflate blocks, none of them final."""
    blocks = []
    for start in range(0, len(data), _MAX_STORED):
        chunk = data[start : start + _MAX_STORED]
        blocks += (b"\x00", struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF), chunk)
    return b"".join(blocks)


def gzip_header():
    """A gzip header naming a file of 1 to 100 random characters, as GZipMiddleware's does, so
    that two answers of the same page differ in length by chance."""
    name = secrets.token_hex(50)[: secrets.randbelow(100) + 1].encode()
    # flags, mtime 0, extra flags 0, OS unknown (255), the name and its NUL
    return _GZIP_HEADER + bytes([_FNAME]) + b"\x00\x00\x00\x00\x00\xff" + name + b"\x00"


def gzip_of(pieces, values):
    """The gzip member of pieces[0] + values[0] + pieces[1] + … + pieces[-1], where each
    piece is a Piece (deflated once) and each value bytes of this request's own (stored)."""
    out = [gzip_header()]
    crc, size = 0, 0
    for index, piece in enumerate(pieces):
        if index:
            value = values[index - 1]
            out.append(stored_blocks(value))
            crc = crc_combine(crc, zlib.crc32(value), len(value))
            size += len(value)
        out.append(piece.deflated)
        crc = _multiply(piece.shift, crc) ^ piece.crc
        size += len(piece.plain)
    out += (_LAST_EMPTY_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)


def plain_of(pieces, values):
    """The same page uncompressed."""
    out = [pieces[0].plain]
    for value, piece in zip(values, pieces[1:], strict=True):
        out += (value, piece.plain)
    return b"".join(out)
