"""ROC AUC, PR AUC and precision@k against scikit-learn and by hand."""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, roc_auc_score

from wavelens.evaluate import pr_auc, precision_at_k, roc_auc
from wavelens.exceptions import ValidationError


@st.composite
def _labelled_scores(draw, max_n=60):
    n = draw(st.integers(2, max_n))
    labels = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(lambda v: 0 < sum(v) < len(v)))
    # few distinct values, so ties are common
    scores = draw(st.lists(st.integers(-3, 3).map(float), min_size=n, max_size=n))
    return np.array(labels), np.array(scores)


@settings(max_examples=200, deadline=None)
@given(_labelled_scores())
def test_roc_and_pr_auc_equal_sklearn(data):
    labels, scores = data
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert pr_auc(labels, scores) == pytest.approx(average_precision_score(labels, scores), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(_labelled_scores(max_n=14), st.data())
def test_precision_at_k_is_the_mean_over_every_choice_of_tied_series(data, draw):
    labels, scores = data
    k = draw.draw(st.integers(1, len(labels)))
    kth = np.sort(scores)[::-1][k - 1]
    above, tied = np.flatnonzero(scores > kth), np.flatnonzero(scores == kth)
    # every way of filling the top k from the series tied at the cut, equally likely
    choices = [labels[above].sum() + labels[list(c)].sum() for c in combinations(tied, k - len(above))]
    assert precision_at_k(labels, scores, k) == pytest.approx(np.mean(choices) / k, abs=1e-12)


def test_precision_at_k_without_ties_and_by_default():
    labels = np.array([0, 1, 0, 1, 1, 0])
    scores = np.array([0.9, 0.8, 0.1, 0.7, 0.3, 0.2])
    assert precision_at_k(labels, scores, k=1) == 0.0
    assert precision_at_k(labels, scores, k=3) == pytest.approx(2 / 3)
    assert precision_at_k(labels, scores) == pytest.approx(2 / 3)  # k = 3 abnormal series
    assert precision_at_k(labels.astype(bool), scores, k=6) == 0.5


def test_perfect_and_reversed_rankings():
    labels = np.array([0, 0, 0, 1, 1])
    assert roc_auc(labels, [1, 2, 3, 4, 5]) == 1.0 and roc_auc(labels, [5, 4, 3, 2, 1]) == 0.0
    assert pr_auc(labels, [1, 2, 3, 4, 5]) == 1.0
    assert roc_auc(labels, np.zeros(5)) == 0.5


@pytest.mark.parametrize("func", [roc_auc, pr_auc, precision_at_k])
def test_different_counts_name_both(func):
    with pytest.raises(ValidationError, match=r"got 4 labels but 5 scores; pass one label and one score per series"):
        func([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5])


@pytest.mark.parametrize("func", [roc_auc, pr_auc, precision_at_k])
def test_non_binary_labels_name_the_values(func):
    expected = r"labels must be 0 \(normal\) or 1 \(abnormal\), found other values \[-1, 2\]"
    with pytest.raises(ValidationError, match=expected):
        func([-1, 0, 1, 2], [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValidationError, match=r"found values of dtype .* such as \['a', 'b', 'a'\]"):
        func(["a", "b", "a"], [0.1, 0.2, 0.3])


@pytest.mark.parametrize("func", [roc_auc, pr_auc, precision_at_k])
def test_non_finite_score_is_named(func):
    with pytest.raises(ValidationError, match=r"score 2 is nan; scores must be finite"):
        func([0, 1, 0, 1], [0.1, 0.2, np.nan, 0.4])


def test_one_class_only():
    with pytest.raises(ValidationError, match=r"the labels hold no normal \(0\) series \(3 of 3 are 1\)"):
        roc_auc([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValidationError, match=r"the labels hold no abnormal \(1\) series \(0 of 3 are 1\)"):
        pr_auc([0, 0, 0], [0.1, 0.2, 0.3])
    assert pr_auc([1, 1], [0.1, 0.2]) == 1.0  # all abnormal: defined for PR


@pytest.mark.parametrize("k", [0, 6, 2.5, True])
def test_precision_at_k_bad_k(k):
    with pytest.raises(ValidationError, match=r"k must be an integer in \[1, 5\] \(the number of series\)"):
        precision_at_k([0, 1, 0, 1, 0], [1, 2, 3, 4, 5], k=k)


def test_shapes_must_be_one_dimensional():
    expected = r"labels and scores must be 1-D, one value per series; found shapes \(2, 2\) and \(4,\)"
    with pytest.raises(ValidationError, match=expected):
        roc_auc(np.zeros((2, 2)), np.zeros(4))
    with pytest.raises(ValidationError, match=r"labels and scores are empty"):
        roc_auc([], [])
