"""Linear loss warm-up read from the runner's iteration counter."""
from mmengine import MessageHub


def linear_warmup(warmup_iters: int) -> float:
    """min(iter / warmup_iters, 1) at the runner's current iteration."""
    if warmup_iters <= 0:
        return 1.0
    it = MessageHub.get_current_instance().get_info('iter', 0)
    return min(it / float(warmup_iters), 1.0)
