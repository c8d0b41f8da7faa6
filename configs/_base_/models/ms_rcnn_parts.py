# Rotated MS R-CNN's test flow (the original's USE_NMS), for its rotated and
# axis-aligned configs: the box head keeps the top max_per_img detections by
# class score without NMS (test_cfg.rcnn.nms=None), then class-wise linear
# soft-NMS runs on the mask scores cls_score x maskiou. Use it as a base next
# to a model config, then:
#   test_cfg=dict(rcnn=dict(nms=None,
#                           mask_score_nms={{_base_.rotated_mask_score_nms}}))
mask_score_nms = dict(
    type='soft_nms',
    method='linear',
    iou_threshold=0.5,
    sigma=0.5,
    min_score=0.01)
rotated_mask_score_nms = dict(mask_score_nms, type='soft_nms_rotated')
