"""Barcodes the sandbox hands out: UPU S10 (RA123456785RU) and the 14-digit domestic ШПИ (DOMAIN.md 2).

Generation only; the store validates numbers with logistics.tracking_numbers.
"""

from __future__ import annotations

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    check = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def s10(serial: int, *, service: str = "RA", country: str = "RU") -> str:
    digits = f"{serial % 100_000_000:08d}"
    return f"{service}{digits}{s10_check_digit(digits)}{country}"


def shpi_check_digit(first13: str) -> int:
    odd = sum(int(d) for d in first13[0::2])
    even = sum(int(d) for d in first13[1::2])
    return (10 - (3 * odd + even) % 10) % 10


def shpi(serial: int, *, index: str = "142300", month: int = 1) -> str:
    first13 = f"{index}{month:02d}{serial % 100_000:05d}"
    return first13 + str(shpi_check_digit(first13))


def serial_of(barcode: str) -> int:
    """The number the sandbox derives a parcel's scenario from: S10 serial or ШПИ serial (0 if neither)."""
    if len(barcode) == 13 and barcode[2:10].isdigit():
        return int(barcode[2:10])
    if len(barcode) == 14 and barcode.isdigit():
        return int(barcode[8:13])
    return 0
