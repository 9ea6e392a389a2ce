"""Tests of the WAV reader (wavelens/io/_wav.py)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile

from wavelens.exceptions import DataFormatError, ValidationError
from wavelens.io import _wav, iter_chunks, load
from wavelens.io._wav import read_wav


def _pcm16(n: int = 400, channels: int = 1, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.integers(-32768, 32767, size=(n, channels), endpoint=True, dtype=np.int16)
    x[0, 0], x[1, 0] = -32768, 32767  # the extremes map to -1 and 1 - 2**-15
    return x[:, 0] if channels == 1 else x


def _riff(tag: int, payload: bytes, channels: int = 1, rate: int = 8000, bits: int = 16) -> bytes:
    """A minimal RIFF/WAVE file with the given format tag."""
    block = channels * max(bits // 8, 1)
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_int16_mono_round_trip(tmp_path):
    x = _pcm16()
    p = tmp_path / "mono.wav"
    wavfile.write(p, 8000, x)
    s = read_wav(p, dtype="float64")
    assert s.data.shape == (1, 1, 400)
    assert s.fs == 8000.0 and s.ids.tolist() == ["mono"]
    np.testing.assert_array_equal(s.data[0, 0], x / 32768.0)
    assert s.data[0, 0, 0] == -1.0 and s.data[0, 0, 1] == 1.0 - 2.0**-15
    assert s.metadata["sample_format"].tolist() == ["PCM_16"]
    s32 = load(p)  # float32 by default, same values (int16 / 2**15 is exact in float32)
    assert s32.dtype == np.float32
    np.testing.assert_array_equal(s32.data[0, 0], (x / 32768.0).astype(np.float32))


def test_multichannel_channels_in_order(tmp_path):
    x = _pcm16(300, channels=3)
    p = tmp_path / "three.wav"
    wavfile.write(p, 16000, x)
    s = read_wav(p, dtype="float64")
    assert (s.n_channels, int(s.lengths[0]), s.fs) == (3, 300, 16000.0)
    np.testing.assert_array_equal(s.data[0], x.T / 32768.0)


def test_uint8_and_int32_scaling(tmp_path):
    u = np.array([0, 64, 128, 192, 255], np.uint8)
    wavfile.write(tmp_path / "u8.wav", 1000, u)
    s = read_wav(tmp_path / "u8.wav", dtype="float64")
    np.testing.assert_array_equal(s.data[0, 0], [-1.0, -0.5, 0.0, 0.5, 127 / 128])
    assert s.metadata["sample_format"][0] == "PCM_U8"
    i = np.array([-(2**31), -(2**30), 0, 2**30, 2**31 - 1], np.int32)
    wavfile.write(tmp_path / "i32.wav", 1000, i)
    s = read_wav(tmp_path / "i32.wav", dtype="float64")
    np.testing.assert_array_equal(s.data[0, 0], i / 2.0**31)
    assert s.data.max() < 1.0 and s.data.min() == -1.0
    assert s.metadata["sample_format"][0] == "PCM_32"


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_float_samples_are_kept(tmp_path, dt):
    x = np.random.default_rng(1).uniform(-3, 3, size=(200, 2)).astype(dt)  # floats may exceed 1
    p = tmp_path / "f.wav"
    wavfile.write(p, 44100, x)
    s = read_wav(p, dtype=None)
    assert s.dtype == dt
    np.testing.assert_array_equal(s.data[0], x.T)
    assert s.metadata["sample_format"][0] == ("FLOAT" if dt == np.float32 else "DOUBLE")


def test_fs_must_agree_with_the_file(tmp_path):
    p = tmp_path / "a.wav"
    wavfile.write(p, 8000, _pcm16())
    assert read_wav(p, fs=8000).fs == 8000.0
    with pytest.raises(ValidationError, match=r"a\.wav'.*fs=44100 was given, but the file's sampling rate is 8000 Hz"):
        read_wav(p, fs=44100)
    with pytest.raises(ValidationError, match=r"fs=44100 was given"):
        load(p, fs=44100)


def test_dtype_must_be_float(tmp_path):
    p = tmp_path / "a.wav"
    wavfile.write(p, 8000, _pcm16())
    with pytest.raises(ValidationError, match=r"dtype='int16' is not a floating-point type"):
        read_wav(p, dtype="int16")
    with pytest.raises(ValidationError, match=r"dtype='float99' is not a NumPy dtype"):
        read_wav(p, dtype="float99")


def test_24_bit_read_through_scipy_or_soundfile(tmp_path):
    sf = pytest.importorskip("soundfile")
    x = np.random.default_rng(2).integers(-(2**23), 2**23, size=(500, 2)) / 2.0**23
    p = tmp_path / "p24.wav"
    sf.write(p, x, 48000, subtype="PCM_24")
    s = read_wav(p, dtype="float64")
    np.testing.assert_array_equal(s.data[0], x.T)  # 24-bit values are exact
    assert s.fs == 48000.0 and s.metadata["sample_format"][0] == "PCM_24"


def test_wave_format_extensible(tmp_path, monkeypatch):
    sf = pytest.importorskip("soundfile")
    x = _pcm16(200, channels=4) / 32768.0
    p = tmp_path / "wx.wav"
    sf.write(p, x, 8000, format="WAVEX", subtype="PCM_16")
    s = read_wav(p, dtype="float64")
    np.testing.assert_array_equal(s.data[0], x.T)
    assert s.n_channels == 4 and s.metadata["sample_format"][0] == "PCM_16"
    q = tmp_path / "wxu.wav"
    sf.write(q, x, 8000, format="WAVEX", subtype="ULAW")
    assert read_wav(q).metadata["sample_format"][0] == "ULAW"
    monkeypatch.setattr(_wav, "_soundfile", lambda: None)
    with pytest.raises(DataFormatError, match=r"mu-law \(WAVE_FORMAT_EXTENSIBLE, sub-format code 0x0007\)"):
        read_wav(q)


def test_metadata_chunks_are_skipped_quietly(tmp_path, recwarn):
    x = _pcm16(100)
    p = tmp_path / "a.wav"
    wavfile.write(p, 8000, x)
    raw = p.read_bytes()
    # scipy warns "Chunk (non-data) not understood" for a Broadcast-WAV bext chunk
    chunk = b"bext" + struct.pack("<I", 8) + bytes(8)
    body = raw[12:36] + chunk + raw[36:]  # fmt chunk, bext chunk, data chunk
    q = tmp_path / "tagged.wav"
    q.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)
    s = read_wav(q, dtype="float64")
    np.testing.assert_array_equal(s.data[0, 0], x / 32768.0)
    assert not [w for w in recwarn if "tagged.wav" in str(w.message)]


def test_mu_law_read_by_soundfile(tmp_path):
    sf = pytest.importorskip("soundfile")
    x = _pcm16(800) / 32768.0
    p = tmp_path / "ulaw.wav"
    sf.write(p, x, 8000, subtype="ULAW")
    s = read_wav(p, dtype="float64")
    expected, _ = sf.read(p, dtype="float64")
    np.testing.assert_array_equal(s.data[0, 0], expected)
    np.testing.assert_allclose(s.data[0, 0], x, atol=0.04)  # mu-law is lossy
    assert s.metadata["sample_format"][0] == "ULAW"


def test_mu_law_without_soundfile_names_the_format(tmp_path, monkeypatch):
    p = tmp_path / "ulaw.wav"
    p.write_bytes(_riff(0x0007, bytes(range(200)), bits=8))
    monkeypatch.setattr(_wav, "_soundfile", lambda: None)
    with pytest.raises(
        DataFormatError,
        match=r"ulaw\.wav'.*unsupported WAV sample format mu-law \(format code 0x0007\).*soundfile.*not "
        r"installed \(pip install 'wavelens\[audio\]'\)",
    ):
        read_wav(p)


def test_unsupported_format_names_the_code(tmp_path):
    p = tmp_path / "mp3.wav"
    p.write_bytes(_riff(0x0055, bytes(300)))
    with pytest.raises(DataFormatError, match=r"mp3\.wav'.*unsupported WAV sample format MPEG Layer 3 \(MP3\) \(format code 0x0055\)"):
        read_wav(p)
    q = tmp_path / "odd.wav"
    q.write_bytes(_riff(0x1234, bytes(300)))
    with pytest.raises(DataFormatError, match=r"odd\.wav'.*unknown \(format code 0x1234\).*Convert the file to PCM"):
        load(q)


def test_not_a_wav_and_corrupt_header(tmp_path):
    p = tmp_path / "text.wav"
    p.write_text("this is not audio at all, just some text")
    with pytest.raises(DataFormatError, match=r"text\.wav'.*not a readable WAV file"):
        read_wav(p)
    wavfile.write(tmp_path / "a.wav", 8000, _pcm16())
    q = tmp_path / "cut.wav"
    q.write_bytes((tmp_path / "a.wav").read_bytes()[:30])
    with pytest.raises(DataFormatError, match=r"cut\.wav'.*corrupt"):
        read_wav(q)


def test_truncated_data_warns_and_keeps_the_samples(tmp_path):
    x = _pcm16(1000)
    p = tmp_path / "a.wav"
    wavfile.write(p, 8000, x)
    t = tmp_path / "short.wav"
    t.write_bytes(p.read_bytes()[:1044])  # 44-byte header + 500 samples
    with pytest.warns(UserWarning, match=r"short\.wav'.*truncated; the samples present are kept"):
        s = read_wav(t, dtype="float64")
    np.testing.assert_array_equal(s.data[0, 0], x[:500] / 32768.0)


def test_empty_wav(tmp_path):
    p = tmp_path / "empty.wav"
    wavfile.write(p, 8000, np.zeros(0, np.int16))
    with pytest.raises(DataFormatError, match=r"empty\.wav'.*holds no samples"):
        read_wav(p)


def test_folder_of_wavs_is_a_collection(tmp_path):
    root = tmp_path / "clips"
    rng = np.random.default_rng(3)
    written = {}
    for label, names in {"normal": ["n1", "n2"], "fault": ["f1"]}.items():
        (root / label).mkdir(parents=True)
        for name in names:
            x = rng.integers(-1000, 1000, size=(256, 2)).astype(np.int16)
            wavfile.write(root / label / f"{name}.wav", 4000, x)
            written[f"{label}/{name}"] = x
    (root / "README.md").write_text("not data")
    s = load(root)
    assert len(s) == 3 and s.n_channels == 2 and s.fs == 4000.0
    assert s.ids.tolist() == ["fault/f1", "normal/n1", "normal/n2"]
    assert s.labels.tolist() == ["fault", "normal", "normal"]
    for i, key in enumerate(s.ids):
        np.testing.assert_array_equal(s.data[i], (written[key].T / 32768.0).astype(np.float32))
    assert s.metadata["file"].map(lambda f: Path(f).name).tolist() == ["f1.wav", "n1.wav", "n2.wav"]
    chunks = list(iter_chunks(root, chunk_size=1))
    assert [c.ids.tolist() for c in chunks] == [["fault/f1"], ["normal/n1"], ["normal/n2"]]


def test_folder_of_wavs_with_different_lengths_is_ragged(tmp_path):
    for i, n in enumerate([100, 150]):
        wavfile.write(tmp_path / f"c{i}.wav", 2000, _pcm16(n, seed=i))
    s = load(tmp_path)
    assert s.ids.tolist() == ["c0", "c1"] and s.labels is None
    assert s.lengths.tolist() == [100, 150]
