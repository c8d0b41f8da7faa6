"""Stop a diverged training run before anything of it is saved."""
import math

from mmdet.engine.hooks import CheckInvalidLossHook

from mmrot_ext.registry import ROOT_HOOKS


@ROOT_HOOKS.register_module()
class LossGuardHook(CheckInvalidLossHook):
    """mmdet's ``CheckInvalidLossHook``, also for exploding losses, with an
    error that says what broke.

    Every ``interval`` iterations (default 1: the logger reads each loss to
    the host anyway, so checking adds no device sync), a total loss that is
    NaN, infinite or above ``max_loss`` (default 1e5; detection losses start
    near 1-10) raises ``RuntimeError`` naming the iteration, the epoch and
    the offending loss terms. It runs before the checkpoint hook, so the
    diverged weights are never saved and ``--resume`` continues from the
    last good checkpoint. ``tools/train.py`` adds it to every run that has
    neither it nor ``CheckInvalidLossHook``.
    """
    priority = 'ABOVE_NORMAL'

    def __init__(self, interval=1, max_loss=1e5):
        super().__init__(interval)
        self.max_loss = max_loss

    def _ok(self, value):
        return math.isfinite(value) and value <= self.max_loss

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if not self.every_n_train_iters(runner, self.interval) or \
                self._ok(float(outputs['loss'])):
            return
        bad = {k: float(v) for k, v in outputs.items()
               if 'loss' in k and not self._ok(float(v))}
        raise RuntimeError(
            f'training diverged at iteration {runner.iter + 1} (epoch '
            f'{runner.epoch + 1}): {bad} (non-finite or above max_loss='
            f'{self.max_loss:g}). Stopped before saving this iteration; lower '
            f'the learning rate or check the data, then --resume from the '
            f'last checkpoint in {runner.work_dir}')
