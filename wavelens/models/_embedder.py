"""AutoencoderEmbedder: train an autoencoder, embed series, reconstruct them, score them."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import BaseTransform
from ..data import SignalSet
from ._estimator import NeuralEstimatorMixin, is_path
from ._persist import PersistMixin

__all__ = ["AutoencoderEmbedder"]


class AutoencoderEmbedder(PersistMixin, NeuralEstimatorMixin, BaseTransform):
    """Learn embeddings of series (or of their spectrograms) with an autoencoder.

    ``fit`` trains the network on the series without labels; ``transform`` returns
    one embedding per series (the encoder LSTM's final hidden states, the VAE's latent
    mean, the conv autoencoder's bottleneck); ``reconstruct`` and
    ``reconstruction_error`` show how well each series is reproduced.

    Parameters
    ----------
    model : {"convlstm-ae", "conv-ae", "conv-vae"}, default="convlstm-ae"
        ``"convlstm-ae"`` (:class:`ConvLSTMAutoencoder`) takes series of any, and
        unequal, length; ``"conv-ae"`` (:class:`ConvAutoencoder`) equal-length series;
        ``"conv-vae"`` (:class:`ConvVAE`) images — a 4-D array or the output of
        ``representation``.
    model_params : dict, optional
        Constructor arguments of the network besides those the data sets
        (``n_channels``, ``n_times``, ``in_shape``), e.g. ``{"hidden_size": 32}``.
    representation : str, optional
        A pipeline spec (:func:`wavelens.pipeline.build_pipeline`) applied to the raw
        series first, e.g. ``"spectrogram(nperseg=64, noverlap=8, fmax=22000,
        normalize='max')"`` for a 2-D model. Its transforms must learn nothing from the
        data (the spectral ones do not): a loaded model rebuilds it from the spec.
    epochs : int or "auto", default="auto"
        ``"auto"``: enough epochs for about 3,000 optimizer steps, at least 50 and at
        most 1,000 — small collections (a UCR training split of 50 series) train for
        1,000 epochs, which their embeddings need; 10,000 series get 50.
    batch_size : int, default=32
    lr : float, default=1e-3
        Adam's learning rate.
    validation_fraction : float or "auto", default="auto"
        Series held out (seeded draw) for the validation loss, early stopping and
        choosing the best epoch; 0 trains on all of them and monitors the training
        loss. ``"auto"``: 0.1 when that holds out at least 32 series, else 0 (on a
        small collection a few held-out series make early stopping noise, and every
        series is worth training on).
    patience : int, None or "auto", default="auto"
        Epochs without a better validation (or training) loss before stopping; None
        never stops early. ``"auto"``: a tenth of the epochs, at least 10.
    grad_clip : float, optional
        Clip the gradient norm.
    lr_schedule : {None, "cosine", "plateau"}, default=None
    device : str, default="auto"
        ``"auto"`` trains on CUDA when available.
    num_threads : int, optional
        ``torch.set_num_threads`` during fit and inference (restored afterwards).
    standardize : {"global", "series", "none"} or bool, default=True
        How the network's inputs (after any ``representation``) are scaled.
        ``"global"`` (or ``True``): each channel by the mean and standard deviation of
        all training samples — one linear map for the whole collection, so amplitude
        differences between series stay in the embedding. ``"series"``: each series,
        each channel of it, is centred and divided by its own standard deviation (a
        constant channel is only centred: scale 1, never NaN), as seismologists
        normalise every trace; the embedding then describes the waveform's *shape* and
        not its amplitude (a series and 1,000× it embed alike), which lets an
        autoencoder learn on series whose amplitudes span orders of magnitude.
        ``"none"`` (or ``False``/``None``): raw values. The saved model records the mode.
    fs : float, optional
        Sampling rate in Hz, for a representation that needs it when ``X`` is a bare
        array.
    checkpoint : path, optional
        Write a training checkpoint there after every epoch; ``fit(X,
        resume_from=checkpoint)`` continues from it.
    random_state : int, optional
        Seed of the weights, the validation split, the batch order and the VAE's
        sampling; the same seed gives the same weights on the CPU.
    verbose : bool, default=False
        Show a progress bar with the losses.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network (in evaluation mode).
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss``, ``val_loss``, ``seconds``, ``lr``, parts.
    n_latent_ : int
        Embedding size.
    n_channels_ : int
    input_shape_ : list of int or None
        ``(n_channels, n_times)`` or ``(n_channels, height, width)`` of the training
        inputs when they had one shape.
    standardize_ : {"global", "series", "none"}
        The standardisation the model was trained with.
    input_mean_, input_scale_ : ndarray of float64, shape (n_channels,)
        Global standardisation of each channel (0 and 1 unless ``standardize_`` is
        ``"global"``).
    device_ : str

    Examples
    --------
    >>> from wavelens.testing import make_collection
    >>> X = make_collection(12, n_channels=2, n_times=200, ragged=True, random_state=0)
    >>> emb = AutoencoderEmbedder(model_params={"conv_channels": (8, 8, 8), "hidden_size": 8},
    ...                           epochs=2, random_state=0).fit(X)
    >>> emb.transform(X).shape
    (12, 16)
    """

    _role = "autoencoder"
    _tags = {"output": "features", "stochastic": True, "preserves_dtype": False}

    def __init__(self, model="convlstm-ae", model_params=None, representation=None, *, epochs="auto", batch_size=32,
                 lr=1e-3, validation_fraction="auto", patience="auto", grad_clip=None, lr_schedule=None, device="auto",
                 num_threads=None, standardize=True, fs=None, checkpoint=None, random_state=None, verbose=False):
        self.model = model
        self.model_params = model_params
        self.representation = representation
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.grad_clip = grad_clip
        self.lr_schedule = lr_schedule
        self.device = device
        self.num_threads = num_threads
        self.standardize = standardize
        self.fs = fs
        self.checkpoint = checkpoint
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X: Any, y: Any = None, *, resume_from: Any = None, chunk_size: int | None = None,
            buffer_size: int = 2048) -> "AutoencoderEmbedder":
        """Train the autoencoder on ``X`` (labels, if any, are ignored).

        Parameters
        ----------
        X : SignalSet, ndarray (n_series, n_channels, n_times), list of (n_channels, n_times_i) arrays,
            ndarray (n_series, n_channels, height, width) for a 2-D model without representation,
            or a path/folder/glob
            A path is streamed from disk (:func:`wavelens.io.iter_chunks`) through a seeded
            shuffle buffer: one pass for the standardisation, then batches of bounded memory.
        y : ignored
        resume_from : path, optional
            A training checkpoint (``checkpoint=`` of an earlier fit) to continue from.
        chunk_size : int, optional
            Series per chunk when streaming.
        buffer_size : int, default=2048
            Series in the shuffle buffer when streaming.

        Returns
        -------
        self

        Raises
        ------
        ValidationError
            NaN/inf (series named), series shorter than the network's receptive field
            (the minimum named), ragged series for a fixed-length model, bad parameters.
        MissingDependencyError
            PyTorch is not installed (``pip install 'wavelens[torch]'``).
        """
        self._check_params()
        from ._spec import require_torch

        require_torch(self._caller())
        self._pipe_ = None
        if is_path(X):
            from ._streamfit import fit_stream

            fit_stream(self, X, resume_from=resume_from, chunk_size=chunk_size, buffer_size=buffer_size)
            return self
        prep = self._prepare(X, fit=True)
        self._train_network(prep, None, resume_from=resume_from)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Embeddings of the series.

        Parameters
        ----------
        X : SignalSet, ndarray, list of ndarray, or path
            Series like the training ones (same channels; for fixed-size models the same
            shape).

        Returns
        -------
        ndarray of float32, shape (n_series, n_latent_)
            A series' embedding does not depend on the other series of ``X``. With
            ``standardize="series"`` it is the embedding of the series scaled by its own
            statistics: amplitude-free, it describes the waveform's shape.
        """
        if is_path(X):
            return self._map_chunks(X, self.transform)
        prep = self._prepare_fitted(X)
        return self._run(prep, lambda m, b: m.encode(b))

    def reconstruction_error(self, X: Any) -> np.ndarray:
        """Mean squared reconstruction error of each series, in standardised units.

        That is, in the units the network sees: with ``standardize="series"`` each series'
        own standard deviations (so a quiet and a loud series with the same shape score
        alike), with ``"global"`` the training set's, with ``"none"`` the input's.

        Returns
        -------
        ndarray of float64, shape (n_series,)
            Averaged over every channel and valid sample (padding excluded).
        """
        if is_path(X):
            return self._map_chunks(X, self.reconstruction_error)
        prep = self._prepare_fitted(X)
        return self._run(prep, lambda m, b: m.series_error(b)).astype(np.float64)

    def reconstruct(self, X: Any) -> Any:
        """The network's reconstruction of each series, in the input's units.

        Returns
        -------
        Same structure as the model input: a 3-D (or, for images, 4-D) array for an
        array, a list of ``(n_channels, n_times_i)`` arrays for a ragged list, a
        SignalSet (same ids, fs, channels) for a SignalSet. With a ``representation`` the
        reconstruction is of the representation (e.g. spectrograms), a 4-D array.
        float32. Any standardisation is undone — with ``standardize="series"`` with each
        series' own mean and standard deviation — so the reconstruction compares
        directly with the input.
        """
        prep = self._prepare_fitted(X)
        out = self._run(prep, lambda m, b: m.reconstruct(b), per_series=True)
        out = self._to_input_units(prep, out)
        if self.representation is not None or not prep.is_list and len({a.shape for a in out}) == 1:
            arr = np.stack(out)
            if isinstance(X, SignalSet) and self.representation is None:
                return SignalSet(arr, fs=X.fs, ids=X.ids, channels=X.channels, labels=X.labels)
            return arr
        if isinstance(X, SignalSet):
            return SignalSet(out, fs=X.fs, ids=X.ids, channels=X.channels, labels=X.labels)
        return out

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        fast = {"epochs": 2, "batch_size": 4, "num_threads": 1, "random_state": 0}
        return cls._torch_or_no_tests([
            {"model": "convlstm-ae", "model_params": {"conv_channels": (4, 4, 4), "hidden_size": 4,
                                                       "num_layers": 1}, **fast},
            {"model": "conv-ae", "model_params": {"filters": (4, 4), "latent_dim": 4}, **fast},
            {"model": "conv-vae", "representation": "spectrogram(nperseg=32)",
             "model_params": {"filters": (4, 4), "dense": 8}, **fast},
        ])

