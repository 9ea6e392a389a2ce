"""A test kit shipped with wavelens: synthetic data makers and the common estimator checks.

Use it to test your own estimators the way wavelens tests its own::

    from wavelens.testing import check_estimator
    check_estimator(MyTransform())
"""

from ._checks import check_estimator, estimator_checks
from ._data import ANOMALY_KINDS, make_collection, plant_anomalies
from ._plot_reference import make_power_spectra, reference_plot_to_array

__all__ = [
    "check_estimator",
    "estimator_checks",
    "make_collection",
    "plant_anomalies",
    "ANOMALY_KINDS",
    "make_power_spectra",
    "reference_plot_to_array",
]
