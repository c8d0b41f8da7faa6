# BoxInst (box-only labels) on the synthetic dense set: the baseline of
# benchmarks/boxteacher_vs_boxinst.py.
#   python tools/dataset_converters/make_synthetic_dense.py \
#       data/synthetic_dense
#   python tools/train.py projects/BoxTeacher/configs/<this file>
_base_ = [
    './_base_/boxinst_r18_fpn_cpu-tiny.py',
    '../../../configs/_base_/datasets/synthetic_dense_instance_cpu-tiny.py',
    '../../../configs/_base_/schedules/schedule_cpu-tiny.py',
    '../../../configs/_base_/default_runtime_cpu-tiny.py'
]
# pairwise-loss warm-up: the paper's 10k of 90k iterations, scaled to the
# 1,250 iterations of this schedule
model = dict(mask_head=dict(warmup_iters=140))
custom_imports = dict(
    imports=['mmrot_ext.modules', 'projects.BoxTeacher.boxteacher'],
    allow_failed_imports=False)

# Box-only training: mask labels are deleted before anything reads them.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='DropInstanceMasks'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=False),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PackDetInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_evaluator = dict(metric=['bbox', 'segm'])
test_evaluator = val_evaluator
