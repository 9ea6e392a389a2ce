"""Torch tests run on one intra-op thread: the networks are tiny, and on a busy machine
OpenMP threads waiting on each other cost far more than they gain."""

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread():
    try:
        import torch
    except ImportError:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
