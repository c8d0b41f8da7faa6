# Rotated BoxTeacher R-50 FPN 1x (ImageNet-pretrained backbone, for GPU
# users) on a COCO-format set whose annotations carry a le90 `rbox`
# (cx, cy, w, h, theta) per instance: PPC, our synthetic dense set, or your
# own rotated-box labels (two clicks and a drag per object; no polygon is
# read). The student and EMA teacher are Rotated Mask R-CNN with the
# box-supervised rotated mask head; the student sees the paper's "strong"
# colour view, the teacher and the pairwise colour terms the clean one.
#   bash tools/dist_train.sh projects/BoxTeacher/configs/<this file> 8 \
#       --cfg-options data_root=data/ppc/ ...
# Masks are evaluated (segm) where the annotation file has them.
_base_ = [
    '../../../configs/_base_/models/rotated-mask-rcnn_r50_fpn.py',
    '../../../configs/_base_/models/rotated_anchors_for_sticks.py',
    '../../../configs/_base_/datasets/synthetic_dense_rotated.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    '../../../configs/_base_/default_runtime_rotated.py',
    './_base_/student_colour_views.py'
]
custom_imports = dict(
    imports=['mmrot_ext.modules', 'projects.BoxTeacher.boxteacher'],
    allow_failed_imports=False)

detector = _base_.model
detector.type = 'RotatedBoxSupervisedMaskRCNN'
detector.rpn_head.anchor_generator.update(_base_.stick_anchors)
detector.roi_head.mask_head = dict(
    type='RotatedBoxSupervisedMaskHead',
    num_convs=4,
    in_channels=256,
    conv_out_channels=256,
    num_classes=3)  # the paper's weights and warm-ups by default
# masks are learned and predicted in frames that look past the box (the
# head learns only in frames that hold the whole box): projects/BoxTeacher/
# README.md, "The frame looks past the box"
mask_frame = (1.2, 2.0)
detector.train_cfg.rcnn.mask_rbox_scale = mask_frame
detector.test_cfg.rcnn.mask_rbox_scale = mask_frame
model = dict(_delete_=True, type='mmdet.BoxTeacher', detector=detector)

# rotated boxes from the annotations, never a mask; two views of one image
load_rboxes = dict(type='LoadRotatedBoxAnnotations')
two_views = dict(
    type='mmdet.MultiBranch',
    branch_field=['teacher', 'student'],
    teacher=_base_.pack_train,
    student=[
        dict(
            type='RandomApply',
            transforms=[dict(_base_.student_colour[0].transforms[0],
                             type='mmdet.ColorJitter')],
            prob=0.8), _base_.student_colour[1], _base_.pack_train
    ])
train_pipeline = [
    _base_.load_image, load_rboxes, _base_.resize, _base_.flip, two_views
]
train_dataloader = dict(
    dataset=dict(boxes_from_masks=False, pipeline=train_pipeline))

custom_hooks = [dict(type='mmdet.BoxTeacherEMAHook', momentum=0.999)]
