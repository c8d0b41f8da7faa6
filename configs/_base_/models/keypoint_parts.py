# Keypoint pieces of the keypoint configs (rotated and axis-aligned), named
# like cpu_tiny_parts.py: the dense set's `tip` / `end` keypoints loaded
# next to the masks and packed where the geometric transforms took them; the
# keypoint branch (Keypoint R-CNN's head for R-50, a slim one for cpu-tiny)
# in each RoI's frame; keypoint AP and heading accuracy beside the mask
# metrics. Put after the model's own config in `_base_`.
load_keypoints = dict(type='LoadKeypointAnnotations')
pack_keypoints = dict(type='PackKeypointDetInputs')
keypoint_head = dict(type='mmdet.FrameKeypointHead', num_keypoints=2)
cpu_tiny_keypoint_head = dict(
    keypoint_head, in_channels=64, num_convs=4, conv_out_channels=64)
rotated_keypoint_roi_extractor = dict(
    type='RotatedSingleRoIExtractor',
    roi_layer=dict(
        type='RoIAlignRotated', out_size=14, sample_num=2, clockwise=True),
    out_channels=256,
    featmap_strides=[4, 8, 16, 32])
keypoint_roi_extractor = dict(
    type='SingleRoIExtractor',
    roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
    out_channels=256,
    featmap_strides=[4, 8, 16, 32])
val_ann_file = 'data/synthetic_dense/annotations/instances_val.json'
keypoint_metric = dict(
    type='mmdet.KeypointHeadingMetric', ann_file=val_ann_file)
rotated_keypoint_evaluators = [
    dict(
        type='RotatedCocoInstanceMetric',
        ann_file=val_ann_file,
        metric=['segm', 'rbox']), keypoint_metric
]
keypoint_evaluators = [
    dict(type='CocoMetric', ann_file=val_ann_file, metric=['bbox', 'segm']),
    keypoint_metric
]
