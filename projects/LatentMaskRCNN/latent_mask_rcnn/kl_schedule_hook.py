"""Schedule of the KL weight beta of Latent-MaskRCNN."""
import bisect

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmrot_ext.registry import DET_HOOKS


@DET_HOOKS.register_module()
class KLWeightScheduleHook(Hook):
    """Set ``model.kl_weight`` before every training iteration from a
    piecewise-linear schedule over iterations.

    ``points`` is a list of ``(iteration, beta)``, iterations increasing;
    beta is interpolated linearly between points and held after the last.
    Two schedules of the method are one line each:

    * the paper's warm-up: ``[(0, 0), (20000, 0), (30000, 1e-4)]``
      (0 early, raised linearly towards the end);
    * the public code's two stages: ``[(0, 0), (90000, 0), (90000,
      1e-4)]`` (0, then a constant from iteration 90000 on).

    Args:
        points (list[tuple[int, float]]): the schedule.
    """
    priority = 'NORMAL'

    def __init__(self, points):
        points = [(int(i), float(b)) for i, b in points]
        if not points or any(a[0] > b[0] for a, b in zip(points, points[1:])):
            raise ValueError(f'points must be (iteration, beta) pairs with '
                             f'non-decreasing iterations, got {points}')
        if any(b < 0 for _, b in points):
            raise ValueError(f'beta must be >= 0, got {points}')
        self.points = points

    def weight(self, iteration):
        """beta at ``iteration``."""
        iters = [i for i, _ in self.points]
        k = bisect.bisect_right(iters, iteration)
        if k == 0:
            return self.points[0][1]
        if k == len(self.points):
            return self.points[-1][1]
        (i0, b0), (i1, b1) = self.points[k - 1], self.points[k]
        return b0 + (b1 - b0) * (iteration - i0) / (i1 - i0)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        model = runner.model.module if is_model_wrapper(runner.model) else \
            runner.model
        model.kl_weight = self.weight(runner.iter)
        runner.message_hub.update_scalar('train/kl_weight', model.kl_weight)
