# cpu-tiny RPN-only detector on the synthetic dense set, evaluated by
# proposal recall (AR@100/300/1000).
_base_ = [
    '../_base_/models/rpn_r18_fpn_cpu-tiny.py',
    '../_base_/datasets/synthetic_dense_detection_cpu-tiny.py',
    '../_base_/schedules/schedule_cpu-tiny.py',
    '../_base_/default_runtime_cpu-tiny.py'
]
val_evaluator = dict(metric='proposal_fast')
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=20))
