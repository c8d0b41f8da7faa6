# Masks from rotated boxes: the cpu-tiny Rotated Mask R-CNN trained with
# rotated-box labels only (no mask is loaded), its mask head learning from
# BoxInst's projection and colour-pairwise losses in each RoI's rotated
# frame (RotatedBoxSupervisedMaskHead). Same network, data and schedule as
# configs/rotated_mask_rcnn/rotated-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py
#   python tools/train.py projects/BoxTeacher/configs/<this file>
#   python tools/test.py projects/BoxTeacher/configs/<this file> <ckpt> \
#       --eval segm rbox
_base_ = '../../../configs/rotated_mask_rcnn/' \
    'rotated-mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py'
custom_imports = dict(
    imports=['mmrot_ext.modules', 'projects.BoxTeacher.boxteacher'],
    allow_failed_imports=False)

# The mask frame looks past the box: 1.2 x its length and 2 x its width,
# in training and at test. BoxInst's pairwise term can only carve the
# background out of a box by tying it to background that the projection
# loss holds at 0, which a frame equal to the box does not contain (there
# the masks degenerate to the filled frame).
mask_frame = (1.2, 2.0)
model = dict(
    type='RotatedBoxSupervisedMaskRCNN',
    train_cfg=dict(rcnn=dict(mask_rbox_scale=mask_frame)),
    test_cfg=dict(rcnn=dict(mask_rbox_scale=mask_frame)),
    roi_head=dict(
        mask_head=dict(
            type='RotatedBoxSupervisedMaskHead',
            # the paper's 10k of 90k iterations, scaled to the 1,250 here
            pairwise_warmup_iters=140,
            loss_mask=dict(
                _delete_=True,
                type='mmdet.DiceLoss',
                use_sigmoid=True,
                activate=True,
                eps=5e-6,
                loss_weight=1.0))))

# rotated boxes from the annotations' rbox field, never a mask
load_rboxes = dict(type='LoadRotatedBoxAnnotations')
train_pipeline = [
    _base_.load_image, load_rboxes, _base_.resize, _base_.flip,
    _base_.pack_train
]
train_dataloader = dict(
    dataset=dict(boxes_from_masks=False, pipeline=train_pipeline))
