"""Is this PKCS#11 library built for this process? Read its header before loading it.

Many vendors' Windows DLLs exist only as 32-bit builds; loading one into a 64-bit process fails
with a bare "error 193" (ERROR_BAD_EXE_FORMAT). Reading the PE header first (and the ELF header
on Linux) lets kyso say which module it is, what it is built for and what to install instead.
"""

from __future__ import annotations

import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import TokenError, TokenErrorCode

__all__ = ["BinaryKind", "read_binary_kind", "process_bits", "check_loadable"]

_PE_MACHINES = {0x014C: ("x86", 32), 0x8664: ("x86-64", 64), 0xAA64: ("arm64", 64), 0x01C4: ("arm", 32)}
_ELF_MACHINES = {3: "x86", 62: "x86-64", 183: "arm64", 40: "arm"}


@dataclass(frozen=True)
class BinaryKind:
    format: str  # "pe" or "elf"
    machine: str  # "x86", "x86-64", "arm64", "arm" or "unknown"
    bits: int  # 32 or 64


def process_bits() -> int:
    return 64 if sys.maxsize > 2**32 else 32


def read_binary_kind(path: Path) -> BinaryKind | None:
    """The format and word size of a shared library, or None when it is neither PE nor ELF."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
            if head[:2] == b"MZ":
                return _pe_kind(handle, head)
            if head[:4] == b"\x7fELF":
                return _elf_kind(head)
    except OSError:
        return None
    return None


def _pe_kind(handle, head: bytes) -> BinaryKind | None:
    if len(head) < 0x40:
        return None
    (offset,) = struct.unpack_from("<I", head, 0x3C)
    handle.seek(offset)
    signature = handle.read(6)
    if len(signature) < 6 or signature[:4] != b"PE\0\0":
        return None
    (machine,) = struct.unpack_from("<H", signature, 4)
    name, bits = _PE_MACHINES.get(machine, ("unknown", 0))
    if not bits:  # unknown machine: the optional header's magic still says 32 or 64 bits
        handle.seek(offset + 24)
        magic = handle.read(2)
        bits = 64 if magic == b"\x0b\x02" else 32
    return BinaryKind("pe", name, bits)


def _elf_kind(head: bytes) -> BinaryKind | None:
    if len(head) < 20:
        return None
    bits = {1: 32, 2: 64}.get(head[4])
    if bits is None:
        return None
    endian = "<" if head[5] == 1 else ">"
    (machine,) = struct.unpack_from(endian + "H", head, 18)
    return BinaryKind("elf", _ELF_MACHINES.get(machine, "unknown"), bits)


def check_loadable(path: Path) -> BinaryKind | None:
    """Raise MODULE_WRONG_ARCHITECTURE when the library cannot load into this process."""
    kind = read_binary_kind(path)
    if kind is not None and kind.bits and kind.bits != process_bits():
        raise TokenError(
            TokenErrorCode.MODULE_WRONG_ARCHITECTURE,
            module=str(path),
            module_bits=kind.bits,
            process_bits=process_bits(),
        )
    return kind
