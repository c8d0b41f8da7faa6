# BoxTeacher's training data on the synthetic dense set: box-only labels and
# two views of one image with shared geometry. The teacher (and the colour
# similarity of the pairwise loss) sees the clean view. On this schedule the
# student sees the clean view too: the paper's colour jitter ("strong",
# kept in the full configs) slows a from-scratch ResNet-18 over 1,250
# iterations (sparse preset, pseudo warm-up 140: box AP 0.233 with it, 0.269
# without; mask AP 0.057 vs 0.061). To restore it, use
# student=[*_base_.student_colour, dict(type='PackDetInputs')].
_base_ = [
    '../../../../configs/_base_/datasets/synthetic_dense_instance_cpu-tiny.py',
    './student_colour_views.py'
]

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='DropInstanceMasks'),  # mask labels never enter training
    dict(type='LoadAnnotations', with_bbox=True, with_mask=False),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(
        type='MultiBranch',
        branch_field=['teacher', 'student'],
        teacher=dict(type='PackDetInputs'),
        student=dict(type='PackDetInputs'))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
