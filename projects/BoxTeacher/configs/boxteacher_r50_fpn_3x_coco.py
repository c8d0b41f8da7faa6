# BoxTeacher R-50 FPN 3x on COCO (paper: 34.9 mask AP on val2017): 270k
# iterations, steps at 210k / 250k, and the "strongv2" student view (adds a
# 3x3 Gaussian blur with p = 0.5).
_base_ = './boxteacher_r50_fpn_1x_coco.py'

two_views = dict(
    _base_.two_views,
    student=[*_base_.student_colour_v2,
             dict(type='PackDetInputs')])
train_pipeline = [
    *_base_.load_box_labels, _base_.train_resize, _base_.train_flip,
    two_views
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

max_iter = 270000
train_cfg = dict(max_iters=max_iter, val_interval=10000)
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
        end=1000),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iter,
        by_epoch=False,
        milestones=[210000, 250000],
        gamma=0.1)
]
