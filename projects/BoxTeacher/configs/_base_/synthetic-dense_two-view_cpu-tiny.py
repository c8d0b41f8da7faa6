# BoxTeacher's training data on the synthetic dense set: box-only labels and
# two views of one image. Geometry is shared; the teacher (and the colour
# similarity of the pairwise loss) sees the clean view, the student a
# colour-only jitter (the original's "strong").
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
        student=[*_base_.student_colour,
                 dict(type='PackDetInputs')])
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
