# BoxTeacher R-50 FPN 1x on COCO (paper: 32.6 mask AP on val2017): mmdet's
# BoxInst R-50 as student and EMA teacher, with the original's 8-channel
# dynamic mask head on 16-channel mask features (233 dynamic parameters).
# Box-only training: mask labels are deleted before anything reads them.
# SGD lr 0.01, batch 16 (8 GPUs x 2), 90k iterations, steps at 60k / 80k.
#   bash tools/dist_train.sh projects/BoxTeacher/configs/<this file> 8
_base_ = [
    'mmdet::boxinst/boxinst_r50_fpn_ms-90k_coco.py',
    './_base_/student_colour_views.py'
]
custom_imports = dict(
    imports=['mmrot_ext.modules', 'projects.BoxTeacher.boxteacher'],
    allow_failed_imports=False)

detector = _base_.model
detector.type = 'BoxTeacherCondInst'
detector.bbox_head.num_params = 233  # (16 + 2) * 8 + 8 + 8 * 8 + 8 + 8 + 1
detector.mask_head.update(
    type='BoxTeacherMaskHead',
    feat_channels=8,
    warmup_iters=10000,  # colour pairwise loss
    mask_weight=0.5,  # noise-aware pixel loss
    affinity_weight=0.1,  # noise-reduced affinity loss
    affinity_thr=0.5,
    pseudo_warmup_iters=10000)
detector.test_cfg.mask_aware_score = True  # final score sqrt(p * q)

# the wrapper's defaults are the paper's; only the teacher's scale differs
model = dict(
    _delete_=True,
    type='BoxTeacher',
    detector=detector,
    semi_train_cfg=dict(teacher_test_scale=(1333, 800)))

# The training pipeline in named pieces: the 3x, VOC and Cityscapes configs
# replace a piece by name instead of slicing the list.
load_box_labels = [
    dict(type='LoadImageFromFile', imdecode_backend='pillow'),
    dict(type='DropInstanceMasks'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=False)
]
train_resize = dict(
    type='RandomChoiceResize',
    scales=[(1333, 640), (1333, 672), (1333, 704), (1333, 736), (1333, 768),
            (1333, 800)],
    keep_ratio=True,
    backend='pillow')
train_flip = dict(type='RandomFlip', prob=0.5)
two_views = dict(
    type='MultiBranch',
    branch_field=['teacher', 'student'],
    teacher=dict(type='PackDetInputs'),
    student=[*_base_.student_colour,
             dict(type='PackDetInputs')])
train_pipeline = [*load_box_labels, train_resize, train_flip, two_views]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

custom_hooks = [dict(type='BoxTeacherEMAHook', momentum=0.999)]
val_evaluator = dict(metric=['bbox', 'segm'])
test_evaluator = val_evaluator
