# Runtime of the horizontal cpu-tiny configs: default_runtime.py, keeping the
# 2 newest checkpoints (an R-18 Mask R-CNN checkpoint is 149 MB; `--resume`
# needs one, the second covers a checkpoint cut short by a kill). The
# benchmarks keep all (harness.schedule_options) to evaluate several epochs.
_base_ = './default_runtime.py'

default_hooks = dict(checkpoint=dict(max_keep_ckpts=2))
