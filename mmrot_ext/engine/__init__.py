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
                          prepare_training, run_tool,
                          test_dataset_of)
from .upstream_tools import (list_upstream_tools, upstream_tool,
                             upstream_tool_path)

__all__ = [
    'DeviceAwareDistributedDataParallel', 'ExactResumeEpochBasedTrainLoop',
    'LossGuardHook', 'add_project_root', 'close_distributed',
    'find_resume_checkpoint', 'list_upstream_tools',
    'load_checkpoint_lazily', 'load_tool_config', 'prepare_training',
    'read_checkpoint_meta', 'run_tool', 'setup_cpu_distributed',
    'test_dataset_of', 'upstream_tool', 'upstream_tool_path'
]
