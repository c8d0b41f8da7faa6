# Rotated BoxTeacher R-50 FPN 1x on DOTA-v1.0 by path, with mmrotate's
# DOTADataset (rotated boxes from DOTA's label files; no masks exist, so
# the masks are learned from the boxes alone). Prepare 1024 x 1024 patches
# with mmrotate's image split tool (tools/data/dota/split/img_split.py in the
# mmrotate repository, `--base-json ss_trainval.json` and `ss_test.json`),
# which writes data/split_ss_dota/{trainval,test}/{images,annfiles}.
# Evaluation: mmrotate's DOTAMetric (rotated-box mAP): DOTA has no mask
# labels, so the masks can be looked at (--show-dir, DetInferencer) but not
# scored.
#   bash tools/dist_train.sh projects/BoxTeacher/configs/<this file> 8
_base_ = [
    './rotated-boxteacher_r50_fpn_1x_ppc.py',
]

data_root = 'data/split_ss_dota/'
num_classes = 15
model = dict(
    detector=dict(
        # the paper's anchors (DOTA's objects are not sticks)
        rpn_head=dict(
            anchor_generator=dict(
                ratios=[0.5, 1.0, 2.0], angles=[-90.0, -60.0, -30.0])),
        roi_head=dict(
            bbox_head=dict(num_classes=num_classes),
            mask_head=dict(num_classes=num_classes))))

load_image = dict(type='mmdet.LoadImageFromFile')
load_qboxes = [
    dict(type='mmdet.LoadAnnotations', with_bbox=True, box_type='qbox'),
    dict(type='ConvertBoxType', box_type_mapping=dict(gt_bboxes='rbox'))
]
resize = dict(type='mmdet.Resize', scale=(1024, 1024), keep_ratio=True)
flip = dict(
    type='mmdet.RandomFlip',
    prob=0.75,
    direction=['horizontal', 'vertical', 'diagonal'])
train_pipeline = [
    load_image, *load_qboxes, resize, flip, _base_.two_views
]
dota_trainval = dict(
    type='DOTADataset',
    data_root=data_root,
    ann_file='trainval/annfiles/',
    data_prefix=dict(img_path='trainval/images/'),
    img_shape=(1024, 1024))
train_dataloader = dict(
    dataset=dict(
        dota_trainval,
        _delete_=True,
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        dota_trainval,
        _delete_=True,
        test_mode=True,
        pipeline=[load_image, resize, *load_qboxes, _base_.pack_test]))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='DOTAMetric', metric='mAP')
test_evaluator = val_evaluator
