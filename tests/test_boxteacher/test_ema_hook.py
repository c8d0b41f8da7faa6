"""The EMA teacher update equals its formula; the momentum ramp reaches
0.999; the teacher starts as a full copy of the student."""
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from projects.BoxTeacher.boxteacher import BoxTeacherEMAHook


class TeacherStudent(nn.Module):

    def __init__(self):
        super().__init__()
        self.student = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
        self.teacher = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))


def test_ramp_follows_the_original_and_reaches_0_999():
    hook = BoxTeacherEMAHook(momentum=0.999)
    assert hook.teacher_momentum_at(0) == 0  # first update copies
    assert hook.teacher_momentum_at(1) == pytest.approx(0.5)
    assert hook.teacher_momentum_at(9) == pytest.approx(0.9)
    assert hook.teacher_momentum_at(998) < 0.999
    assert hook.teacher_momentum_at(999) == pytest.approx(0.999)
    assert hook.teacher_momentum_at(50000) == 0.999
    ramp = [hook.teacher_momentum_at(t) for t in range(2000)]
    assert all(a <= b for a, b in zip(ramp, ramp[1:]))
    # warmup shifts the ramp: 1 - (1 + w) / (t + 1 + w)
    assert BoxTeacherEMAHook(warmup=4).teacher_momentum_at(5) == \
        pytest.approx(1 - 5 / 10)


def test_teacher_starts_as_a_copy_buffers_included():
    torch.manual_seed(0)
    model = TeacherStudent()
    model.student[1].running_mean.fill_(3.0)
    BoxTeacherEMAHook().before_train(SimpleNamespace(model=model, iter=0))
    for (_, s), (_, t) in zip(model.student.state_dict().items(),
                              model.teacher.state_dict().items()):
        assert torch.equal(s, t)


def test_update_equals_the_formula_on_parameters_only():
    torch.manual_seed(0)
    model = TeacherStudent()
    hook = BoxTeacherEMAHook(momentum=0.999)
    runner = SimpleNamespace(model=model, iter=0)
    hook.before_train(runner)
    for it in (0, 1, 7, 2000):
        with torch.no_grad():
            for p in model.student.parameters():
                p.add_(torch.randn_like(p))
            model.student[1].running_var.add_(1.0)
        before = [p.clone() for p in model.teacher.parameters()]
        buffers = model.teacher[1].running_var.clone()
        runner.iter = it
        hook.after_train_iter(runner, batch_idx=it)
        mu = min(0.999, (it + 1) / (it + 2))
        for t_old, t_new, s in zip(before, model.teacher.parameters(),
                                   model.student.parameters()):
            assert torch.allclose(t_new, mu * t_old + (1 - mu) * s,
                                  atol=1e-6)
        assert torch.equal(model.teacher[1].running_var, buffers)


def test_a_model_without_teacher_is_an_error():
    with pytest.raises(TypeError, match='teacher'):
        BoxTeacherEMAHook().before_train(
            SimpleNamespace(model=nn.Linear(2, 2), iter=0))
