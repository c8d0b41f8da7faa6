# Fully supervised CondInst (mask labels) with the same network, data and
# schedule as the BoxInst / BoxTeacher cpu-tiny configs: the upper reference
# of benchmarks/boxteacher_vs_boxinst.py.
_base_ = [
    './_base_/boxinst_r18_fpn_cpu-tiny.py',
    '../../../configs/_base_/datasets/synthetic_dense_instance_cpu-tiny.py',
    '../../../configs/_base_/schedules/schedule_cpu-tiny.py',
    '../../../configs/_base_/default_runtime_cpu-tiny.py'
]
model = dict(
    type='CondInst',
    data_preprocessor=dict(
        _delete_=True,
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32,
        pad_mask=True),
    bbox_head=dict(type='CondInstBboxHead'),
    mask_head=dict(type='CondInstMaskHead'))
val_evaluator = dict(metric=['bbox', 'segm'])
test_evaluator = val_evaluator
