"""The TFRecord file format: length, masked CRC-32C of the length, data, masked CRC-32C.

As TensorFlow's `tf.io.TFRecordWriter` and Beam's `WriteToTFRecord` write it
(tensorflow/core/lib/io/record_writer.cc: `uint64 length; uint32 masked_crc32_of_length;
byte data[length]; uint32 masked_crc32_of_data`, little-endian; the mask rotates the CRC
right by 15 bits and adds 0xa282ead8). Written here so the sink can order a shard's records
itself and write through Beam's filesystems (local, gs://, s3://, hdfs://).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import BinaryIO


def _crc32c_function() -> Callable[[bytes], int]:
    """google-crc32c (C) when installed, else crcmod (a dependency of apache-beam)."""
    try:
        import google_crc32c

        return google_crc32c.value
    except ImportError:
        import crcmod.predefined

        return crcmod.predefined.mkPredefinedCrcFun("crc-32c")


_CRC32C = _crc32c_function()


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC-32C (Castagnoli) of `data`."""
    crc = _CRC32C(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame_record(data: bytes) -> bytes:
    """One record in the TFRecord framing."""
    length = struct.pack("<Q", len(data))
    return b"".join(
        (
            length,
            struct.pack("<I", masked_crc32c(length)),
            data,
            struct.pack("<I", masked_crc32c(data)),
        )
    )


def write_records(file: BinaryIO, records: Iterable[bytes]) -> int:
    """Writes `records` in order to an open binary file; returns how many."""
    count = 0
    for record in records:
        file.write(frame_record(record))
        count += 1
    return count
