"""EMA teacher update with BoxTeacher's momentum ramp."""
from typing import Optional

from mmdet.engine.hooks import MeanTeacherHook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from mmrot_ext.registry import DET_HOOKS


@DET_HOOKS.register_module()
class BoxTeacherEMAHook(MeanTeacherHook):
    """theta_T <- mu * theta_T + (1 - mu) * theta_S after every iteration.

    mu = min(momentum, 1 - (1 + warmup) / (t + 1 + warmup)), t the number of
    student updates so far: the original's ramp (mu = t / (t + 1) with
    warmup 0), which reaches 0.999 at t = 999. Parameters only, as the
    original; the teacher starts as a full copy of the student (buffers
    included) at iteration 0.

    Args:
        momentum (float): final teacher momentum mu (BoxTeacher's
            convention; mmdet's MeanTeacherHook uses 1 - mu). Default 0.999.
        warmup (int): shifts the ramp. Default 0.
        interval (int): update every ``interval`` iterations. Default 1.
    """

    def __init__(self,
                 momentum: float = 0.999,
                 warmup: int = 0,
                 interval: int = 1) -> None:
        super().__init__(
            momentum=1 - momentum, interval=interval, skip_buffer=True)
        self.teacher_momentum = momentum
        self.warmup = warmup

    def teacher_momentum_at(self, num_updates: int) -> float:
        """mu after ``num_updates`` student updates."""
        ramp = 1 - (1 + self.warmup) / (num_updates + 1 + self.warmup)
        return min(self.teacher_momentum, ramp)

    def before_train(self, runner: Runner) -> None:
        """Copy the student, buffers included, into the teacher at iter 0."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if not (hasattr(model, 'teacher') and hasattr(model, 'student')):
            raise TypeError(f'{type(self).__name__} needs a model with '
                            '`teacher` and `student`')
        if runner.iter == 0:
            model.teacher.load_state_dict(model.student.state_dict())

    def after_train_iter(self,
                         runner: Runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """EMA step with the ramped momentum."""
        if (runner.iter + 1) % self.interval != 0:
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        mu = self.teacher_momentum_at(runner.iter + 1)
        self.momentum_update(model, 1 - mu)
