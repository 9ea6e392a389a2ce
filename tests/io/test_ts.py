"""Tests of the UCR/UEA .ts reader (wavelens/io/_ts.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wavelens.exceptions import DataFormatError, ValidationError
from wavelens.io import load
from wavelens.io._ts import read_ts

HEADER = "@problemName toy\n@timeStamps false\n@missing true\n@univariate false\n@dimensions 2\n"


def _write(tmp_path: Path, text: str, name: str = "toy.ts") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


# ---------------------------------------------------------------------------------
# aeon's shipped archive files: the same arrays and labels as aeon's own loader
# ---------------------------------------------------------------------------------
AEON_FILES = [
    "GunPoint/GunPoint_TRAIN.ts",
    "ItalyPowerDemand/ItalyPowerDemand_TEST.ts",
    "BasicMotions/BasicMotions_TRAIN.ts",
    "JapaneseVowels/JapaneseVowels_TRAIN.ts",
    "PickupGestureWiimoteZ/PickupGestureWiimoteZ_TEST.ts",
    "ArrowHead/ArrowHead_TRAIN.ts",
    "CardanoSentiment/CardanoSentiment_TRAIN.ts",
    "UnitTest/UnitTestTimeStamps_TRAIN.ts",
]


@pytest.mark.parametrize("rel", AEON_FILES)
def test_same_as_aeon(rel):
    aeon = pytest.importorskip("aeon")
    from aeon.datasets import load_from_ts_file

    path = Path(aeon.__file__).parent / "datasets" / "data" / rel
    if not path.exists():
        pytest.skip(f"{rel} is not shipped with this aeon version")
    X, y = load_from_ts_file(str(path))
    s = read_ts(path, dtype="float64")
    if isinstance(X, np.ndarray):
        assert s.is_equal_length
        np.testing.assert_array_equal(s.to_numpy(), X)
    else:
        assert not s.is_equal_length and len(s) == len(X)
        for ours, theirs in zip(s.to_list(), X):
            np.testing.assert_array_equal(ours, theirs)
    if y.dtype.kind == "f":  # regression targets (@targetLabel true)
        np.testing.assert_array_equal(s.labels, y)
    else:
        # aeon lower-cases class labels ("Standing" -> "standing"); wavelens keeps them as written
        assert s.labels.dtype.kind == "U"
        np.testing.assert_array_equal(np.char.lower(s.labels), y)


def test_basic_motions_keeps_label_case_and_float32():
    aeon = pytest.importorskip("aeon")
    path = Path(aeon.__file__).parent / "datasets" / "data" / "BasicMotions" / "BasicMotions_TEST.ts"
    if not path.exists():
        pytest.skip("BasicMotions is not shipped with this aeon version")
    s = load(path, fs=10.0)
    assert (len(s), s.n_channels, int(s.lengths[0]), s.dtype, s.fs) == (40, 6, 100, np.float32, 10.0)
    assert sorted(set(s.labels.tolist())) == ["Badminton", "Running", "Standing", "Walking"]


# ---------------------------------------------------------------------------------
# hand-written files
# ---------------------------------------------------------------------------------
def test_multivariate_with_missing_values(tmp_path):
    p = _write(
        tmp_path,
        "# a comment\n% another\n"
        + HEADER
        + "@equalLength true\n@seriesLength 3\n@classLabel true up down\n@data\n"
        "1,2,3:4,5,6:up\n\n1.5,?,3e2:-4,5,?:down\n",
    )
    s = read_ts(p, dtype="float64")
    assert s.data.shape == (2, 2, 3)
    np.testing.assert_array_equal(s.data[0], [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(s.data[1], [[1.5, np.nan, 300], [-4, 5, np.nan]])
    assert s.labels.tolist() == ["up", "down"]
    assert s.ids.tolist() == ["0", "1"] and s.fs is None
    assert read_ts(p).dtype == np.float32


def test_unequal_length_is_ragged(tmp_path):
    p = _write(
        tmp_path,
        HEADER + "@equalLength false\n@classLabel true a b\n@data\n1,2,3,4:5,6,7,8:a\n1,2:3,4:b\n9,8,7:6,5,4:a\n",
    )
    s = read_ts(p, dtype="float64")
    assert not s.is_equal_length
    assert s.lengths.tolist() == [4, 2, 3]
    np.testing.assert_array_equal(s[1], [[1, 2], [3, 4]])
    assert s.labels.tolist() == ["a", "b", "a"]


def test_no_labels_and_regression_targets(tmp_path):
    p = _write(tmp_path, "@problemName u\n@univariate true\n@classLabel false\n@data\n1,2,3\n4,5,6\n")
    s = read_ts(p, dtype="float64")
    assert s.labels is None and s.data.shape == (2, 1, 3)
    np.testing.assert_array_equal(s.data[:, 0], [[1, 2, 3], [4, 5, 6]])
    q = _write(tmp_path, "@problemName r\n@targetLabel true\n@data\n1,2:3,4:0.5\n5,6:7,8:-2e-1\n", "r.ts")
    s = read_ts(q)
    assert s.labels.dtype == np.float64 and s.labels.tolist() == [0.5, -0.2]


def test_time_stamps_are_dropped(tmp_path):
    p = _write(
        tmp_path,
        "@problemName t\n@timeStamps true\n@univariate true\n@classLabel true 1 2\n@data\n"
        "(2007-01-01 00:00:00,1.5),(2007-01-01 00:01:00,?),(2007-01-01 00:02:00,3):1\n"
        "(0,4),(1,5),(2,6):2\n",
    )
    s = read_ts(p, dtype="float64")
    np.testing.assert_array_equal(s.data[:, 0], [[1.5, np.nan, 3], [4, 5, 6]])
    assert s.labels.tolist() == ["1", "2"]


def test_windows_line_endings_and_spaces(tmp_path):
    p = tmp_path / "crlf.ts"
    p.write_bytes(b"@problemName c\r\n@classLabel true x y\r\n@data\r\n1, 2 ,3:x\r\n4,5,6: y \r\n")
    s = read_ts(p, dtype="float64")
    np.testing.assert_array_equal(s.data[:, 0], [[1, 2, 3], [4, 5, 6]])
    assert s.labels.tolist() == ["x", "y"]


# ---------------------------------------------------------------------------------
# errors name the file and the line
# ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, pattern",
    [
        ("@problemName x\n@classLabel true a\n1,2,3:a\n", r"line 3: expected a header line"),
        ("1,2,3\n", r"line 1: expected a header line.*Is this a UCR/UEA \.ts file"),
        ("@problemName x\n@univariate maybe\n@data\n1,2\n", r"line 2: @univariate must be 'true' or 'false', found 'maybe'"),
        ("@problemName x\n@seriesLength ten\n@data\n1,2\n", r"line 2: @seriesLength must be a positive integer, found 'ten'"),
        ("@problemName x\n@classLabel true a b\n@data\n1,2,3:a\n1,abc,3:b\n", r"line 5: channel 0, value 1: 'abc' is not a number"),
        ("@problemName x\n@classLabel true a b\n@data\n1,2,3:a\n1,,3:b\n", r"line 5: channel 0, value 1: an empty value is not a number"),
        ("@problemName x\n@classLabel true a b\n@data\n1,2,3:a\n1,2,3:c\n", r"line 5: class label 'c' is not among those declared by @classLabel: \['a', 'b'\]"),
        ("@problemName x\n@classLabel true a b\n@data\n1,2,3\n", r"line 4: expected channels then a label after the last ':'"),
        ("@problemName x\n@classLabel true a\n@data\n1,2,3:4,5:a\n", r"line 4: the channels of this case have different lengths \[3, 2\]"),
        ("@problemName x\n@classLabel true a\n@data\n1,2:3,4:a\n1,2:a\n", r"line 5: the case has 1 channels, but the first case \(line 4\) has 2"),
        ("@problemName x\n@univariate true\n@classLabel true a\n@data\n1,2:3,4:a\n", r"line 5: @univariate true, but the case has 2 channels"),
        ("@problemName x\n@dimensions 3\n@classLabel true a\n@data\n1,2:3,4:a\n", r"line 5: @dimensions 3, but the case has 2 channels"),
        ("@problemName x\n@equalLength true\n@seriesLength 3\n@classLabel true a\n@data\n1,2:a\n", r"line 6: @equalLength true with @seriesLength 3, but the case has 2 values"),
        ("@problemName x\n@equalLength true\n@classLabel true a\n@data\n1,2:a\n1,2,3:a\n", r"line 6: @equalLength true, but the case has 3 values and the first case \(line 5\) has 2"),
        ("@problemName x\n@classLabel true a\n@data\n1,2::a\n", r"line 4: channel 1 is empty"),
        ("@problemName x\n@targetLabel true\n@data\n1,2:high\n", r"line 4: the target 'high' is not a number"),
        ("@problemName x\n@timeStamps true\n@classLabel true a\n@data\n1,2:a\n", r"line 5: channel 0: expected \(timestamp,value\) pairs"),
    ],
)
def test_errors_name_file_and_line(tmp_path, text, pattern):
    p = _write(tmp_path, text, "bad.ts")
    with pytest.raises(DataFormatError, match=r"bad\.ts', " + pattern):
        read_ts(p)


def test_missing_data_section_and_no_cases(tmp_path):
    p = _write(tmp_path, "@problemName x\n@classLabel true a\n", "nodata.ts")
    with pytest.raises(DataFormatError, match=r"nodata\.ts': no @data line in 2 lines"):
        read_ts(p)
    q = _write(tmp_path, "@problemName x\n@data\n\n", "nocase.ts")
    with pytest.raises(DataFormatError, match=r"nocase\.ts': no cases after the @data line"):
        read_ts(q)


def test_bad_dtype(tmp_path):
    p = _write(tmp_path, "@problemName x\n@data\n1,2\n")
    with pytest.raises(ValidationError, match=r"dtype='int32' is not a floating-point type"):
        read_ts(p, dtype="int32")


def test_train_and_test_files_load_together(tmp_path):
    _write(tmp_path, "@problemName x\n@classLabel true a b\n@data\n1,2,3:a\n4,5,6:b\n", "X_TRAIN.ts")
    _write(tmp_path, "@problemName x\n@classLabel true a b\n@data\n7,8,9:b\n", "X_TEST.ts")
    s = load(tmp_path)
    # ids are "<file>:<case>" whatever the number of cases (wavelens.io._load._retag)
    assert s.ids.tolist() == ["X_TEST:0", "X_TRAIN:0", "X_TRAIN:1"]
    assert s.labels.tolist() == ["b", "a", "b"]
    np.testing.assert_array_equal(s.data[:, 0, 0], [7, 1, 4])
