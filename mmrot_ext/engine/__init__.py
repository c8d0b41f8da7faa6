from .cpu_distributed import (
    DeviceAwareDistributedDataParallel,
    close_distributed,
    setup_cpu_distributed,
)
from .exact_resume_loop import ExactResumeEpochBasedTrainLoop
from .loss_guard_hook import LossGuardHook
from .resume import (find_resume_checkpoint, load_checkpoint_lazily,
                     read_checkpoint_meta)
from .tool_runner import (add_project_root, load_tool_config,
                          prepare_training, run_tool)

__all__ = [
    'DeviceAwareDistributedDataParallel', 'ExactResumeEpochBasedTrainLoop',
    'LossGuardHook', 'add_project_root', 'close_distributed',
    'find_resume_checkpoint', 'load_checkpoint_lazily', 'load_tool_config',
    'prepare_training', 'read_checkpoint_meta', 'run_tool',
    'setup_cpu_distributed'
]
