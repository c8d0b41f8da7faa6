# The parts every MS R-CNN config of this repo shares, rotated and
# axis-aligned, R-50 and cpu-tiny. Use it as a base next to a Mask R-CNN
# config, then:
#   roi_head=dict(mask_iou_head={{_base_.rotated_mask_iou_head}}),
#   test_cfg=dict(rcnn=dict(nms=None,
#                           mask_score_nms={{_base_.rotated_mask_score_nms}}))
#
# Test flow (the original's USE_NMS): the box head keeps the top max_per_img
# detections by class score without NMS (test_cfg.rcnn.nms=None), then
# class-wise linear soft-NMS runs on the mask scores cls_score x maskiou.
mask_score_nms = dict(
    type='soft_nms',
    method='linear',
    iou_threshold=0.5,
    sigma=0.5,
    min_score=0.01)
rotated_mask_score_nms = dict(mask_score_nms, type='soft_nms_rotated')

# MaskIoU head of the R-50 configs (mmdet's Mask Scoring R-CNN) and its
# cpu-tiny slimming (64-channel features, as the cpu-tiny Mask R-CNN).
mask_iou_head = dict(
    type='MaskIoUHead',
    num_convs=4,
    num_fcs=2,
    roi_feat_size=14,
    in_channels=256,
    conv_out_channels=256,
    fc_out_channels=1024,
    num_classes=3)
mask_iou_head_cpu_tiny = dict(
    mask_iou_head,
    num_convs=2,
    in_channels=64,
    conv_out_channels=64,
    fc_out_channels=256)
# the same in the rotated RoI frame (its IoU target counts the GT inside the
# rotated box)
rotated_mask_iou_head = dict(mask_iou_head, type='RotatedMaskIoUHead')
rotated_mask_iou_head_cpu_tiny = dict(
    mask_iou_head_cpu_tiny, type='RotatedMaskIoUHead')
