# The Faster R-CNN paper's RPN settings (Ren et al. 2015, Sec. 3.1-3.3), as
# named parts for the paper configs in configs/faster_rcnn/: k = 9 anchors
# on one stride-16 map (3 scales x 3 ratios; scales 8 / 16 / 32 of the
# stride = 128 / 256 / 512 px boxes), anchors crossing the image border
# ignored in training (proposals are clipped to the image at test), 2000
# proposals per image after NMS 0.7 for training, 300 at test.
paper_anchor_generator = dict(
    type='AnchorGenerator',
    scales=[8, 16, 32],
    ratios=[0.5, 1.0, 2.0],
    strides=[16])
paper_train_cfg = dict(
    rpn=dict(allowed_border=0),
    rpn_proposal=dict(
        nms_pre=12000, max_per_img=2000,
        nms=dict(type='nms', iou_threshold=0.7)))
paper_test_cfg = dict(
    rpn=dict(
        nms_pre=6000, max_per_img=300,
        nms=dict(type='nms', iou_threshold=0.7)))
# The RoI head's box predictor after mmdet's C4 res5 stage, for rotated
# boxes (the rotated paper configs in configs/rotated_faster_rcnn/; they add
# in_channels, num_classes and their rotated coder and losses): average-
# pooled res5 features, one linear layer each for classes and rbox deltas.
paper_rotated_res5_bbox_head = dict(
    _delete_=True,
    type='mmdet.BBoxHead',
    with_avg_pool=True,
    roi_feat_size=7,
    predict_box_type='rbox',
    reg_class_agnostic=True,
    reg_predictor_cfg=dict(type='mmdet.Linear'),
    cls_predictor_cfg=dict(type='mmdet.Linear'))
