"""Seismic reader (ObsPy): real miniSEED and SAC data, grouping into stations, gaps, errors."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

obspy = pytest.importorskip("obspy")

from wavelens.exceptions import DataFormatError, MissingDependencyError, ValidationError  # noqa: E402
from wavelens.io import detect_format, get_format, load  # noqa: E402

# Test files shipped in ObsPy's wheel (real recordings).
OBSPY_DATA = Path(obspy.__file__).parent / "io"
GAPS_MSEED = OBSPY_DATA / "mseed" / "tests" / "data" / "gaps.mseed"
TWO_CHANNELS = OBSPY_DATA / "mseed" / "tests" / "data" / "CH.BALST..LH_two_channels"
SAC_FILE = OBSPY_DATA / "sac" / "tests" / "data" / "seism.sac"


@pytest.fixture
def rjob():
    """ObsPy's example: BW.RJOB, EHZ/EHN/EHE, 3000 samples at 100 Hz each."""
    return obspy.read()


def _component(st, c):
    return st.select(component=c)[0].data.astype(np.float64)


def test_mseed_round_trip_groups_the_three_channels(tmp_path, rjob):
    path = tmp_path / "rjob.mseed"
    rjob.write(str(path), format="MSEED")
    s = load(path, dtype="float64")
    assert s.ids.tolist() == ["BW.RJOB..2009-08-24T00:20:03"]
    assert s.channels == ["Z", "N", "E"]
    assert s.fs == 100.0
    assert s.to_numpy().shape == (1, 3, 3000)
    np.testing.assert_array_equal(s[0], np.stack([_component(rjob, c) for c in "ZNE"]))
    row = s.metadata.iloc[0]
    assert (row["network"], row["station"], row["location"]) == ("BW", "RJOB", "")
    assert row["channel"] == "EHZ,EHN,EHE"
    assert str(row["starttime"]) == "2009-08-24 00:20:03+00:00"
    assert row["gaps_filled"] == 0


def test_sac_files_written_from_the_stream(tmp_path, rjob):
    for tr in rjob:
        tr.write(str(tmp_path / f"{tr.id}.sac"), format="SAC")
    s = load(tmp_path / "BW.RJOB..EHN.sac", dtype="float64")
    assert s.channels == ["N"] and s.fs == 100.0
    np.testing.assert_allclose(s[0][0], _component(rjob, "N"), rtol=1e-6)
    # SAC files hold one component each: read together, a station's files join
    # into one multichannel series.
    both = load([tmp_path / "BW.RJOB..EHZ.sac", tmp_path / "BW.RJOB..EHE.sac"], dtype="float64")
    assert both.ids.tolist() == ["BW.RJOB..2009-08-24T00:20:03"]
    assert both.channels == ["Z", "E"]
    np.testing.assert_allclose(both.to_numpy()[0], np.stack([_component(rjob, c) for c in "ZE"]), rtol=1e-6)
    folder = load(tmp_path, dtype="float64")
    assert folder.channels == ["Z", "N", "E"] and folder.to_numpy().shape == (1, 3, 3000)


def test_real_sac_file_from_obspy(tmp_path):
    s = load(SAC_FILE)
    st = obspy.read(str(SAC_FILE))
    assert s.fs == pytest.approx(st[0].stats.sampling_rate)
    assert s.lengths.tolist() == [st[0].stats.npts]
    np.testing.assert_allclose(s[0][0], st[0].data, rtol=1e-6)


def test_folder_of_several_files(tmp_path, rjob):
    rjob.write(str(tmp_path / "a_rjob.mseed"), format="MSEED")
    later = rjob.copy()
    for tr in later:
        tr.stats.starttime += 3600
        tr.data = tr.data[:2000]
    later.write(str(tmp_path / "b_later.mseed"), format="MSEED")
    other = rjob.copy()
    for tr in other:
        tr.stats.station = "XYZ"
        tr.stats.sampling_rate = 50.0
    other.write(str(tmp_path / "c_other.mseed"), format="MSEED")
    # the files are read together, so a station's traces continue across files:
    # with gaps="fill" the hour between a_rjob and b_later would be filled
    merged = load(tmp_path)
    assert len(merged) == 2 and merged.metadata["gaps_filled"].tolist()[0] >= 1
    s = load(tmp_path, gaps="split")
    # series are named by station and start time
    assert s.ids.tolist() == [
        "BW.RJOB..2009-08-24T00:20:03",
        "BW.RJOB..2009-08-24T01:20:03",
        "BW.XYZ..2009-08-24T00:20:03",
    ]
    assert s.lengths.tolist() == [3000, 2000, 3000]
    np.testing.assert_array_equal(s.fs, [100.0, 100.0, 50.0])
    assert s.channels == ["Z", "N", "E"]


def test_channels_option_orders_and_selects(tmp_path, rjob):
    path = tmp_path / "rjob.mseed"
    rjob.write(str(path), format="MSEED")
    s = load(path, channels=["E", "N", "Z"], dtype="float64")
    np.testing.assert_array_equal(s[0], np.stack([_component(rjob, c) for c in "ENZ"]))
    z = load(path, channels=["Z"])
    assert z.channels == ["Z"] and z.n_channels == 1


def test_channels_of_slightly_different_spans_are_trimmed_to_the_common_span(tmp_path, rjob):
    t0 = rjob[0].stats.starttime
    st = obspy.Stream(
        [
            rjob.select(component="Z")[0].copy(),
            rjob.select(component="N")[0].slice(t0 + 0.2, None),  # starts 20 samples late
            rjob.select(component="E")[0].slice(None, t0 + 29.5),  # ends 49 samples early
        ]
    )
    path = tmp_path / "uneven.mseed"
    st.write(str(path), format="MSEED")
    s = load(path, dtype="float64")
    assert s.ids.tolist() == ["BW.RJOB..2009-08-24T00:20:03.2"]
    assert s.to_numpy().shape == (1, 3, 2931)  # samples 20..2950
    np.testing.assert_array_equal(s[0][0], _component(rjob, "Z")[20:2951])
    np.testing.assert_array_equal(s[0][2], _component(rjob, "E")[20:2951])


def test_real_channels_with_different_start_and_end_are_trimmed():
    s = load(TWO_CHANNELS, format="seismic")
    st = obspy.read(str(TWO_CHANNELS))
    z, e = st.select(component="Z")[0], st.select(component="E")[0]
    assert s.channels == ["Z", "E"]
    start = max(z.stats.starttime, e.stats.starttime)
    end = min(z.stats.endtime, e.stats.endtime)
    assert abs(s.lengths[0] - ((end - start) + 1)) <= 1  # 1 Hz: one sample per second
    assert s.lengths[0] <= min(z.stats.npts, e.stats.npts)


def test_sniff_finds_miniseed_without_extension(tmp_path, rjob):
    path = tmp_path / "BW_RJOB_record"
    rjob.write(str(path), format="MSEED")
    assert detect_format(path).name == "seismic"
    assert len(load(path, format="seismic")) == 1


def test_sniff_does_not_claim_text_or_numpy_files(tmp_path):
    sniff = get_format("seismic").sniff
    text = tmp_path / "rows_nosuffix"
    np.savetxt(text, np.random.default_rng(0).normal(size=(5, 200)))
    csv = tmp_path / "csv_nosuffix"
    np.savetxt(csv, np.arange(300.0).reshape(100, 3), delimiter=",")
    npy = tmp_path / "array_nosuffix"
    with open(npy, "wb") as fh:
        np.save(fh, np.zeros((4, 100)))
    raw = tmp_path / "raw_nosuffix"
    np.random.default_rng(1).normal(size=4096).astype(np.float32).tofile(raw)
    for path in (text, csv, npy, raw):
        assert sniff(path) is False, path.name


# -- gaps ------------------------------------------------------------------------------------
@pytest.fixture
def gappy(tmp_path, rjob):
    """RJOB with a 2-second gap in Z: samples 1001..1199 missing."""
    t0 = rjob[0].stats.starttime
    z = rjob.select(component="Z")[0]
    st = obspy.Stream(
        [z.slice(t0, t0 + 10), z.slice(t0 + 12, None)]
        + [tr.copy() for tr in rjob if tr.stats.channel != "EHZ"]
    )
    path = tmp_path / "gappy.mseed"
    st.write(str(path), format="MSEED")
    return path, rjob


def test_gaps_fill_interpolates_by_default(gappy):
    path, rjob = gappy
    s = load(path, dtype="float64")
    assert s.to_numpy().shape == (1, 3, 3000)
    z = _component(rjob, "Z")
    got = s[0][0]
    np.testing.assert_array_equal(got[:1001], z[:1001])
    np.testing.assert_array_equal(got[1200:], z[1200:])
    line = np.linspace(z[1000], z[1200], 201)
    np.testing.assert_allclose(got[1000:1201], line, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(s[0][1], _component(rjob, "N"))
    assert s.metadata["gaps_filled"].tolist() == [1]


@pytest.mark.parametrize("fill_value", [0.0, 7, float("nan"), "latest"])
def test_gaps_fill_with_a_number_nan_or_the_latest_sample(gappy, fill_value):
    path, rjob = gappy
    z = _component(rjob, "Z")
    s = load(path, fill_value=fill_value, dtype="float64")
    expected = z[1000] if fill_value == "latest" else fill_value
    np.testing.assert_array_equal(s[0][0][1001:1200], np.full(199, expected, dtype=np.float64))
    np.testing.assert_array_equal(s[0][0][1200:], z[1200:])


def test_gaps_split_makes_a_series_per_contiguous_stretch(gappy):
    path, rjob = gappy
    s = load(path, gaps="split", dtype="float64")
    assert s.ids.tolist() == ["BW.RJOB..2009-08-24T00:20:03", "BW.RJOB..2009-08-24T00:20:15"]
    assert s.lengths.tolist() == [1001, 1800]
    for c, comp in enumerate("ZNE"):
        full = _component(rjob, comp)
        np.testing.assert_array_equal(s[0][c], full[:1001])
        np.testing.assert_array_equal(s[1][c], full[1200:])


def test_real_gappy_file_both_ways():
    st = obspy.read(str(GAPS_MSEED))
    filled = load(GAPS_MSEED)
    assert len(filled) == 1 and filled.metadata["gaps_filled"].tolist() == [len(st) - 1]
    span = st[-1].stats.endtime - st[0].stats.starttime
    assert filled.lengths.tolist() == [int(round(span * 200.0)) + 1]
    split = load(GAPS_MSEED, gaps="split", dtype="float64")
    assert split.lengths.tolist() == [tr.stats.npts for tr in st]
    for i, tr in enumerate(st):
        np.testing.assert_array_equal(split[i][0], tr.data.astype(np.float64))


# -- errors ----------------------------------------------------------------------------------
def test_stations_with_different_components(tmp_path, rjob):
    other = rjob.select(component="Z").copy()
    other[0].stats.station = "LONE"
    (rjob + other).write(str(tmp_path / "mixed.mseed"), format="MSEED")
    with pytest.raises(DataFormatError, match=r"mixed\.mseed.*BW\.LONE\. has \['Z'\], BW\.RJOB\. has \['Z', 'N', 'E'\].*channels=\['Z'\]"):
        load(tmp_path / "mixed.mseed")
    assert len(load(tmp_path / "mixed.mseed", channels=["Z"])) == 2


def test_station_lacking_a_requested_component(tmp_path, rjob):
    rjob.select(component="Z").write(str(tmp_path / "z.mseed"), format="MSEED")
    with pytest.raises(DataFormatError, match=r"z\.mseed.*no trace has a component in channels=\['N'\]; components found: \['Z'\]"):
        load(tmp_path / "z.mseed", channels=["N"])
    (rjob.select(component="Z") + rjob.select(component="N")).write(str(tmp_path / "zn.mseed"), format="MSEED")
    with pytest.raises(DataFormatError, match=r"zn\.mseed.*BW\.RJOB\. has components \['Z', 'N'\], lacking \['E'\]"):
        load(tmp_path / "zn.mseed", channels=["Z", "N", "E"])


def test_bad_gap_options(tmp_path, rjob):
    path = tmp_path / "rjob.mseed"
    rjob.write(str(path), format="MSEED")
    with pytest.raises(ValidationError, match=r"rjob\.mseed.*gaps='drop' is not one of \['fill', 'split'\]"):
        load(path, gaps="drop")
    with pytest.raises(ValidationError, match=r"rjob\.mseed.*fill_value='mean' should be 'interpolate', 'latest' or a number"):
        load(path, fill_value="mean")


def test_fs_must_agree_with_the_traces(tmp_path, rjob):
    path = tmp_path / "rjob.mseed"
    rjob.write(str(path), format="MSEED")
    assert load(path, fs=100.0).fs == 100.0
    with pytest.raises(ValidationError, match=r"rjob\.mseed.*fs=200\.0 was given, but the traces are sampled at \[100\.0\] Hz"):
        load(path, fs=200.0)


def test_file_that_is_not_miniseed(tmp_path):
    path = tmp_path / "notes.mseed"
    path.write_text("this is not a seismogram\n" * 20)
    with pytest.raises(DataFormatError, match=r"notes\.mseed.*ObsPy does not recognise it as MSEED.*obspy_format="):
        load(path)


def test_missing_obspy_says_how_to_install(tmp_path, rjob, monkeypatch):
    path = tmp_path / "rjob.mseed"
    rjob.write(str(path), format="MSEED")
    bare = tmp_path / "rjob_record"
    rjob.write(str(bare), format="MSEED")
    monkeypatch.setitem(sys.modules, "obspy", None)
    with pytest.raises(MissingDependencyError, match=r"needs ObsPy, which is not installed.*pip install 'wavelens\[seismic\]'"):
        load(path)
    assert get_format("seismic").sniff(bare) is False  # without ObsPy, no claim on the content
