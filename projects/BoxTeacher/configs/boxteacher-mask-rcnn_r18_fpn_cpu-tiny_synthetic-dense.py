# BoxTeacher with a second student: a box-supervised Mask R-CNN (RoI mask
# head trained with the projection loss against the GT box plus the two
# pseudo-mask losses). Shows that the wrapper is not tied to CondInst: the
# detector only has to provide forward_teacher() and read the pseudo masks.
_base_ = [
    '../../../configs/_base_/models/mask-rcnn_r18_fpn_cpu-tiny.py',
    './_base_/synthetic-dense_two-view_cpu-tiny.py',
    '../../../configs/_base_/schedules/schedule_cpu-tiny.py',
    '../../../configs/_base_/default_runtime_cpu-tiny.py'
]
custom_imports = dict(
    imports=['mmrot_ext.modules', 'projects.BoxTeacher.boxteacher'],
    allow_failed_imports=False)

detector = _base_.model
detector.type = 'BoxTeacherMaskRCNN'
# box masks and colour similarity for the box losses
detector.data_preprocessor.update(
    type='BoxInstDataPreprocessor', bottom_pixels_removed=0)
detector.roi_head.bbox_head.num_classes = 3
detector.roi_head.mask_head.update(
    type='BoxSupervisedFCNMaskHead',
    num_classes=3,
    mask_weight=0.5,
    affinity_weight=0.1,
    pseudo_warmup_iters=1250)  # whole schedule, see the CondInst config
detector.roi_head.mask_head.loss_mask = dict(
    type='DiceLoss', use_sigmoid=True, activate=True, eps=5e-6)

model = dict(_delete_=True, type='BoxTeacher', detector=detector)
custom_hooks = [dict(type='BoxTeacherEMAHook', momentum=0.99)]
val_evaluator = dict(metric=['bbox', 'segm'])
test_evaluator = val_evaluator
