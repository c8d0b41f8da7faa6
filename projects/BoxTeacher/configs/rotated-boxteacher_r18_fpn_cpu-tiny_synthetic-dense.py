# Rotated BoxTeacher: the box-supervised Rotated Mask R-CNN of
# rotated-box-supervised-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py as
# student and EMA teacher. The teacher's soft masks are matched to the GT
# rotated boxes by rotated IoU and resampled into each positive RoI's frame
# as pseudo targets (noise-aware pixel loss x 0.5, noise-reduced affinity
# loss x 0.1). Box-only labels: no mask is loaded.
#   python tools/train.py projects/BoxTeacher/configs/<this file>
#   python tools/test.py projects/BoxTeacher/configs/<this file> <ckpt> \
#       --eval segm rbox            (the teacher predicts)
_base_ = './rotated-box-supervised-mask-rcnn_r18_fpn_cpu-tiny_' \
    'synthetic-dense.py'

detector = _base_.model
# The pseudo-mask warm-up spans the whole schedule, as in the axis-aligned
# cpu-tiny BoxTeacher: a from-scratch teacher is poor for most of the run.
detector.roi_head.mask_head.pseudo_warmup_iters = 1250
model = dict(_delete_=True, type='mmdet.BoxTeacher', detector=detector)

# Both views are the clean image on this schedule (see the axis-aligned
# cpu-tiny BoxTeacher's dataset base for why).
two_views = dict(
    type='mmdet.MultiBranch',
    branch_field=['teacher', 'student'],
    teacher=_base_.pack_train,
    student=_base_.pack_train)
train_pipeline = [
    _base_.load_image, _base_.load_rboxes, _base_.resize, _base_.flip,
    two_views
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# EMA teacher, 0.99 on the cpu-tiny schedule (as the axis-aligned one)
custom_hooks = [dict(type='mmdet.BoxTeacherEMAHook', momentum=0.99)]
