"""A few real optimiser steps on a model, for the tests that show a loss
falls (one per method family)."""
import copy

import torch


def adamw_loss_history(model, batches, iterations, lr=1e-3, after_step=None):
    """Train ``model`` with AdamW and return the loss of every step.

    Step ``it`` preprocesses a deep copy of ``batches[it % len(batches)]``
    (a data loader's collated dict), takes the loss of
    ``model(..., mode='loss')`` through ``model.parse_losses``, fails on a
    non-finite loss, and updates the parameters that require gradients;
    ``after_step(it)`` then runs if given (e.g. an EMA hook).

    Returns:
        list[float]: the ``iterations`` losses before each update.
    """
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=lr)
    history = []
    for it in range(iterations):
        batch = batches[it % len(batches)]
        inputs = model.data_preprocessor(copy.deepcopy(batch), training=True)
        loss, _ = model.parse_losses(model(**inputs, mode='loss'))
        if not torch.isfinite(loss):
            raise AssertionError(f'loss {loss.item()} at step {it}')
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append(loss.item())
        if after_step is not None:
            after_step(it)
    return history
