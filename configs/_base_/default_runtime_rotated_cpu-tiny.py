# Runtime of the rotated cpu-tiny configs: default_runtime_rotated.py,
# keeping the 2 newest checkpoints (see default_runtime_cpu-tiny.py).
_base_ = './default_runtime_rotated.py'

default_hooks = dict(checkpoint=dict(max_keep_ckpts=2))
