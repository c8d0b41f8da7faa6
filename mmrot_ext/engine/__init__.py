from .cpu_distributed import (
    DeviceAwareDistributedDataParallel,
    close_distributed,
    setup_cpu_distributed,
)
from .tool_config import load_tool_config

__all__ = [
    'DeviceAwareDistributedDataParallel', 'close_distributed',
    'load_tool_config', 'setup_cpu_distributed'
]
