"""Writing a signed file so that a crash leaves either nothing or a complete file.

The input is copied to a hidden temporary file in the output folder, the signature is added
to that copy in place, the copy is flushed to disk and only then given its final name. The
final name is never overwritten unless the caller asked for it.
"""

from __future__ import annotations

import logging
import os
import signal
import stat
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from .digest import InputChangedError, PrefixDigests, copy_and_hash
from .errors import SigningError, SigningErrorCode

log = logging.getLogger(__name__)

__all__ = ["FAULT_ENV", "TEMP_PREFIX", "AtomicOutput", "default_output_path"]

TEMP_PREFIX = ".~kyso-"
TEMP_SUFFIX = ".part"
SIGNED_SUFFIX = ".signed.pdf"
STALE_AFTER_SECONDS = 24 * 3600
FAULT_ENV = "KYSO_FAULT_POINT"  # test hook: the process kills itself at this named point


def default_output_path(source: Path, *, out_dir: Path | None = None, suffix: str = ".signed") -> Path:
    """NAME<suffix>.pdf (NAME.signed.pdf) beside the input, or in `out_dir`."""
    stem = source.name[:-4] if source.name.lower().endswith(".pdf") else source.name
    if not suffix.strip() or any(ch in suffix for ch in '/\\:*?"<>|'):
        suffix = ".signed"  # never the input's own name, never another folder
    return (out_dir or source.parent) / (stem + suffix + ".pdf")


class AtomicOutput:
    """A copy of `source` that becomes `target` only when `commit()` is called."""

    def __init__(self, *, source: Path, target: Path, overwrite: bool = False) -> None:
        self.source = source
        self.target = target
        self.overwrite = overwrite
        self.stream: BinaryIO | None = None
        self._temp: Path | None = None

    def open(self, *, hash_algorithms: tuple[str, ...] = ("sha256",)) -> PrefixDigests:
        """Copy the input under a temporary name, hashing it on the way (one read of the
        input); the copy stays open for reading and writing as `self.stream`."""
        self._refuse_bad_target()
        _remove_stale_temporaries(self.target.parent)
        try:
            handle, name = tempfile.mkstemp(
                prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=self.target.parent
            )
            os.close(handle)
        except OSError as exc:
            raise SigningError(SigningErrorCode.OUTPUT_NOT_WRITABLE, folder=self.target.parent) from exc
        self._temp = Path(name)
        try:
            digests = copy_and_hash(self.source, self._temp, algorithms=hash_algorithms)
            self.stream = open(self._temp, "r+b")  # noqa: SIM115 - closed in commit/abort
            _fault_point("copied")
        except InputChangedError as exc:
            self.abort()
            raise SigningError(SigningErrorCode.INPUT_CHANGED, file=self.source) from exc
        except OSError as exc:
            self.abort()
            raise SigningError(SigningErrorCode.OUTPUT_NOT_WRITABLE, folder=self.target.parent) from exc
        return digests

    @property
    def path(self) -> Path:
        """The temporary file being written (the signed copy before it takes its final name)."""
        assert self._temp is not None
        return self._temp

    def commit(self) -> Path:
        """Flush to disk, then give the file its final name (atomically)."""
        assert self.stream is not None and self._temp is not None
        _fault_point("signed")
        self.stream.flush()
        _keep_mode(self.source, self.stream.fileno())
        os.fsync(self.stream.fileno())
        self.stream.close()
        self.stream = None
        _fault_point("before-rename")
        try:
            self._rename()
        except FileExistsError:
            self.abort()
            raise SigningError(SigningErrorCode.OUTPUT_EXISTS, file=self.target) from None
        except OSError as exc:
            self.abort()
            raise SigningError(SigningErrorCode.OUTPUT_NOT_WRITABLE, folder=self.target.parent) from exc
        self._temp = None
        _fsync_dir(self.target.parent)
        return self.target

    def abort(self) -> None:
        """Remove the temporary file; the final name is left untouched."""
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        if self._temp is not None:
            try:
                self._temp.unlink()
            except FileNotFoundError:
                pass
            self._temp = None

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._temp is not None:
            self.abort()

    def _refuse_bad_target(self) -> None:
        if not self.target.parent.is_dir():
            raise SigningError(SigningErrorCode.OUTPUT_NOT_WRITABLE, folder=self.target.parent)
        if self.target.exists():
            if _same_file(self.source, self.target):
                raise SigningError(SigningErrorCode.OUTPUT_SAME_AS_INPUT, file=self.target)
            if not self.overwrite:
                raise SigningError(SigningErrorCode.OUTPUT_EXISTS, file=self.target)

    def _rename(self) -> None:
        assert self._temp is not None
        if self.overwrite:
            os.replace(self._temp, self.target)
            return
        if os.name == "nt":
            os.rename(self._temp, self.target)  # fails if the target exists
            return
        try:
            os.link(self._temp, self.target)  # fails if the target exists: no clobbering
        except (PermissionError, NotImplementedError) as exc:  # no hard links here (FAT, SMB)
            if self.target.exists():
                raise FileExistsError(self.target) from exc
            os.rename(self._temp, self.target)
            return
        os.unlink(self._temp)


_cleaned_folders: set[Path] = set()


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files left by a crash more than a day ago are removed (never recent ones:
    another kyso process may be writing them right now). Once per folder per process."""
    if folder in _cleaned_folders:
        return
    _cleaned_folders.add(folder)
    limit = time.time() - STALE_AFTER_SECONDS
    try:
        for entry in os.scandir(folder):
            ours = entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX)
            if ours and entry.stat().st_mtime < limit:
                os.unlink(entry.path)
    except OSError:
        pass  # cleaning up is a courtesy; it never stops a signature


def _fault_point(name: str) -> None:
    """Crash here on purpose when the tests ask for it (KYSO_FAULT_POINT=name)."""
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _keep_mode(source: Path, fd: int) -> None:
    """The signed file gets the input's permission bits (mkstemp made it 0600): a document shared
    with the unit stays readable by it. Special bits are never copied; on Windows nothing is done
    (os.chmod only knows read-only there, and a read-only output could not be replaced later)."""
    if os.name == "nt":
        return
    try:
        os.fchmod(fd, stat.S_IMODE(os.stat(source).st_mode) & 0o777)
    except OSError as exc:
        log.warning("the permissions of %s could not be given to its signed copy: %s", source, exc)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
