"""The library header is read before loading: a 32-bit DLL in a 64-bit process gets a clear error."""

from __future__ import annotations

import struct

import pytest

from tokens import TokenError, TokenErrorCode, load_module
from tokens.binary import BinaryKind, check_loadable, process_bits, read_binary_kind


def _pe(path, machine: int, magic: bytes = b"\x0b\x01"):
    header = bytearray(0x100)
    header[:2] = b"MZ"
    struct.pack_into("<I", header, 0x3C, 0x80)
    header[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<H", header, 0x84, machine)
    header[0x98:0x9A] = magic
    path.write_bytes(bytes(header))
    return path


def _elf(path, bits: int, machine: int):
    header = bytearray(64)
    header[:4] = b"\x7fELF"
    header[4] = 1 if bits == 32 else 2
    header[5] = 1  # little-endian
    struct.pack_into("<H", header, 18, machine)
    path.write_bytes(bytes(header))
    return path


@pytest.mark.parametrize(
    ("machine", "expected"),
    [(0x014C, BinaryKind("pe", "x86", 32)), (0x8664, BinaryKind("pe", "x86-64", 64)),
     (0xAA64, BinaryKind("pe", "arm64", 64))],
)
def test_pe_header(tmp_path, machine, expected):
    assert read_binary_kind(_pe(tmp_path / "vendor.dll", machine)) == expected


def test_unknown_pe_machine_falls_back_to_the_optional_header(tmp_path):
    kind = read_binary_kind(_pe(tmp_path / "x.dll", 0x1234, magic=b"\x0b\x02"))
    assert (kind.machine, kind.bits) == ("unknown", 64)


@pytest.mark.parametrize(("bits", "machine", "name"), [(32, 3, "x86"), (64, 62, "x86-64")])
def test_elf_header(tmp_path, bits, machine, name):
    assert read_binary_kind(_elf(tmp_path / "lib.so", bits, machine)) == BinaryKind("elf", name, bits)


def test_not_a_library(tmp_path):
    text = tmp_path / "readme.dll"
    text.write_text("không phải thư viện")
    assert read_binary_kind(text) is None
    truncated = tmp_path / "cut.dll"
    truncated.write_bytes(b"MZ\x00")
    assert read_binary_kind(truncated) is None


def test_wrong_bitness_is_refused_with_what_to_install(tmp_path):
    other = 32 if process_bits() == 64 else 64
    dll = _pe(tmp_path / "vnptca_p11_v8.dll", 0x014C if other == 32 else 0x8664)
    with pytest.raises(TokenError) as caught:
        check_loadable(dll)
    assert caught.value.code is TokenErrorCode.MODULE_WRONG_ARCHITECTURE
    assert caught.value.params == {"module": str(dll), "module_bits": str(other),
                                   "process_bits": str(process_bits())}
    with pytest.raises(TokenError) as loading:  # never handed to the loader ("error 193")
        load_module(str(dll))
    assert loading.value.code is TokenErrorCode.MODULE_WRONG_ARCHITECTURE


def test_real_softhsm_module_matches_this_process(hsm):
    kind = check_loadable(__import__("pathlib").Path(hsm.module))
    assert kind.format == "elf" and kind.bits == process_bits()
