# BoxTeacher R-101 FPN 3x on COCO (paper: 36.2 mask AP on val2017).
_base_ = './boxteacher_r50_fpn_3x_coco.py'

model = dict(
    detector=dict(
        backbone=dict(
            depth=101,
            init_cfg=dict(
                type='Pretrained', checkpoint='torchvision://resnet101'))))
