"""Reader for WAV files: one (possibly multichannel) series per file.

Format ``wav``. :mod:`scipy.io.wavfile` (a core dependency) reads PCM and IEEE
float samples; when it cannot read a file (µ-law, A-law, ADPCM, ...) and
``soundfile`` (libsndfile, the ``audio`` extra) is installed, soundfile tries.
Integer PCM is scaled to [-1, 1): int16 / 2**15, 24- and 32-bit / 2**31, unsigned
8-bit (x - 128) / 128; float samples are kept. The sampling rate comes from the
file. Because a file holds one series, a folder of WAV files loads as a collection
with the file names as ids (and sub-folder names as labels).
"""

from __future__ import annotations

import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from ..data import SignalSet
from ..exceptions import DataFormatError, ValidationError
from ._registry import Format, register
from ._sampling import _out_dtype

__all__ = ["read_wav"]

# The WAVE format tags met in practice (RFC 2361 and mmreg.h).
_FORMAT_NAMES = {
    0x0001: "PCM",
    0x0002: "Microsoft ADPCM",
    0x0003: "IEEE float",
    0x0006: "A-law",
    0x0007: "mu-law",
    0x0011: "IMA ADPCM",
    0x0022: "TrueSpeech",
    0x0031: "GSM 6.10",
    0x0040: "G.721 ADPCM",
    0x0050: "MPEG",
    0x0055: "MPEG Layer 3 (MP3)",
    0x0161: "Windows Media Audio",
    0x2000: "Dolby AC-3",
    0xFFFE: "WAVE_FORMAT_EXTENSIBLE",
}
_PCM_NAMES = {1: "PCM_U8", 2: "PCM_16", 3: "PCM_24", 4: "PCM_32", 8: "PCM_64"}


def _soundfile() -> ModuleType | None:
    """The soundfile module if it is installed (an optional extra), else None."""
    try:
        import soundfile
    except (ImportError, OSError):  # OSError: the package is there but libsndfile is not
        return None
    return soundfile


@dataclass(frozen=True)
class _Fmt:
    """What the ``fmt`` chunk of a RIFF/WAVE file says."""

    tag: int
    sub: int | None  # real tag of a WAVE_FORMAT_EXTENSIBLE file (first 2 bytes of its GUID)
    bits: int | None

    @property
    def code(self) -> int:
        return self.sub if self.tag == 0xFFFE and self.sub is not None else self.tag


def _read_fmt(path: Path) -> _Fmt | None:
    """The ``fmt`` chunk of ``path``; None if it is not RIFF/WAVE or has no readable one."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[8:12] != b"WAVE" or head[:4] not in (b"RIFF", b"RIFX", b"RF64"):
                return None
            endian = ">" if head[:4] == b"RIFX" else "<"
            while True:
                chunk = f.read(8)
                if len(chunk) < 8:
                    return None
                (size,) = struct.unpack(endian + "I", chunk[4:])
                if chunk[:4] == b"fmt ":
                    body = f.read(min(size, 64))
                    if len(body) < 2:
                        return None
                    (tag,) = struct.unpack(endian + "H", body[:2])
                    bits = struct.unpack(endian + "H", body[14:16])[0] if len(body) >= 16 else None
                    sub = None
                    if tag == 0xFFFE and len(body) >= 26:
                        (sub,) = struct.unpack(endian + "H", body[24:26])
                    return _Fmt(tag, sub, bits)
                f.seek(size + (size & 1), 1)
    except OSError:
        return None


def _tag_text(fmt: _Fmt) -> str:
    if fmt.tag == 0xFFFE and fmt.sub is not None:
        return f"{_FORMAT_NAMES.get(fmt.sub, 'unknown')} (WAVE_FORMAT_EXTENSIBLE, sub-format code 0x{fmt.sub:04X})"
    return f"{_FORMAT_NAMES.get(fmt.tag, 'unknown')} (format code 0x{fmt.tag:04X})"


def _read_scipy(path: Path) -> tuple[int, np.ndarray]:
    from scipy.io import wavfile

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", wavfile.WavFileWarning)
        rate, x = wavfile.read(path, mmap=False)
    for w in caught:
        msg = str(w.message)
        category = w.category
        if issubclass(category, wavfile.WavFileWarning):
            if "not understood, skipping" in msg:
                continue  # LIST/bext/... metadata chunks: harmless
            category = UserWarning
        if "EOF" in msg:
            msg = f"{str(path)!r}: the file is truncated; the samples present are kept ({msg})"
        else:
            msg = f"{str(path)!r}: {msg}"
        # _read_scipy <- read_wav <- Format.call_read <- load <- the user's call
        warnings.warn(msg, category, stacklevel=5)
    return int(rate), x


def _channels_first(x: np.ndarray, out: np.dtype | None) -> np.ndarray:
    """``(n_frames, n_channels)`` samples as ``(n_channels, n_frames)`` floats, PCM scaled to [-1, 1).

    One allocation, in the output type: the scale factors are powers of two, so
    scaling in float32 gives the same values as scaling in float64 and rounding.
    """
    if out is None:
        out = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    y = np.empty((x.shape[1], x.shape[0]), dtype=out)
    y[...] = x.T
    if x.dtype.kind == "u":
        half = 2.0 ** (8 * x.dtype.itemsize - 1)
        y -= out.type(half)
        y *= out.type(1.0 / half)
    elif x.dtype.kind == "i":
        y *= out.type(2.0 ** -(8 * x.dtype.itemsize - 1))
    return y


def _sample_format(x: np.ndarray, fmt: _Fmt | None) -> str:
    """soundfile's name for the sample type that scipy read."""
    if x.dtype.kind == "f":
        return "FLOAT" if x.dtype.itemsize == 4 else "DOUBLE"
    if fmt is not None and fmt.bits == 24 and x.dtype.itemsize == 4:
        return "PCM_24"  # scipy returns 24-bit samples left-justified in int32
    return _PCM_NAMES.get(x.dtype.itemsize, f"PCM_{8 * x.dtype.itemsize}")


def read_wav(path: Path, *, fs: float | None = None, dtype: Any = "float32") -> SignalSet:
    """Read one WAV file as one series with one channel per audio channel.

    Parameters
    ----------
    path : pathlib.Path
        The ``.wav`` file.
    fs : float, optional
        Expected sampling rate in Hz. WAV files carry their rate; a value that
        differs from it raises :class:`ValidationError` (resample after loading to
        change it).
    dtype : str or numpy dtype, default="float32"
        Floating-point type of the samples; None gives float64 for PCM and keeps
        float WAV samples as stored.

    Returns
    -------
    SignalSet
        One series of shape ``(1, n_channels, n_frames)`` with ``fs`` from the file,
        id the file's stem, and a metadata column ``sample_format`` (``"PCM_16"``,
        ``"PCM_24"``, ``"FLOAT"``, ``"ULAW"`` ...). PCM samples are scaled to
        [-1, 1).

    Raises
    ------
    DataFormatError
        Not a WAV file, a corrupt header, no samples, or a sample format that neither
        scipy nor soundfile reads (the message names the format code).
    ValidationError
        ``fs`` disagrees with the file's rate.

    Warns
    -----
    UserWarning
        The data chunk is shorter than its header says (a truncated file); the
        samples present are kept.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from scipy.io import wavfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tone.wav"
    >>> wavfile.write(p, 8000, np.zeros((800, 2), np.int16))
    >>> read_wav(p)
    SignalSet(n_series=1, n_channels=2, n_times=800, fs=8000, dtype=float32)
    """
    path = Path(path)
    where = repr(str(path))
    out = _out_dtype(dtype)
    try:
        rate, x = _read_scipy(path)
        sample_format = _sample_format(x, _read_fmt(path))
    except (ValueError, EOFError, struct.error, IndexError) as err:
        # scipy reads PCM and IEEE float only; libsndfile reads the rest, if present
        scipy_err = err
        sf = _soundfile()
        fmt = _read_fmt(path)
        sf_err: Exception | None = None
        if sf is not None:
            try:
                info = sf.info(str(path))
                x, rate = sf.read(str(path), dtype="float64", always_2d=True)
                sample_format = info.subtype
            except (RuntimeError, ValueError, TypeError, OSError) as err2:  # LibsndfileError is a RuntimeError
                sf_err = err2
        if sf is None or sf_err is not None:
            raise _unreadable(where, fmt, scipy_err, sf is not None, sf_err) from scipy_err
        x = x.astype(np.float64, copy=False)
    except OSError as err:
        raise DataFormatError(f"{where}: cannot read the file ({err.strerror or err}).") from err
    if x.ndim == 1:
        x = x[:, np.newaxis]
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise DataFormatError(f"{where}: the WAV file holds no samples ({x.shape[1]} channels, 0 frames).")
    if fs is not None:
        try:
            given = float(fs)
        except (TypeError, ValueError) as err:
            raise ValidationError(f"fs={fs!r} must be one number in Hz for a WAV file.") from err
        if not np.isclose(given, rate, rtol=1e-6, atol=0):
            raise ValidationError(
                f"{where}: fs={fs!r} was given, but the file's sampling rate is {rate} Hz. Drop "
                "fs= (WAV files carry their rate) or resample the series after loading."
            )
    data = _channels_first(x, out)[np.newaxis]
    return SignalSet(
        data,
        fs=float(rate),
        ids=[path.stem],
        metadata=pd.DataFrame({"sample_format": [sample_format]}),
    )


def _unreadable(
    where: str,
    fmt: _Fmt | None,
    scipy_err: Exception,
    have_soundfile: bool,
    sf_err: Exception | None,
) -> DataFormatError:
    if fmt is None:
        return DataFormatError(
            f"{where}: not a readable WAV file (no RIFF/WAVE header with a 'fmt ' chunk): {scipy_err}"
        )
    if fmt.code in (0x0001, 0x0003):
        return DataFormatError(f"{where}: the WAV file is corrupt: {scipy_err}")
    if have_soundfile:
        tried = f"neither scipy.io.wavfile (PCM and IEEE float only) nor soundfile ({sf_err}) reads it"
    else:
        tried = (
            "scipy.io.wavfile reads PCM and IEEE float only, and soundfile, which reads "
            "mu-law, A-law and ADPCM WAV files, is not installed (pip install 'wavelens[audio]')"
        )
    return DataFormatError(
        f"{where}: unsupported WAV sample format {_tag_text(fmt)}: {tried}. Convert the file to "
        "PCM or float WAV, e.g. with: ffmpeg -i IN -c:a pcm_s16le OUT.wav"
    )


register(
    Format(
        name="wav",
        extensions=(".wav", ".wave"),
        read=read_wav,
        description="WAV audio (PCM 8/16/24/32-bit, float; more with soundfile): one series per file",
        one_series_per_file=True,
    )
)
