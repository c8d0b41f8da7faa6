# Places Challenge 2017 instance segmentation (100 categories, ADE20K
# images). Layout after tools/dataset_converters/places_png_to_coco.py:
#   data/places/imgCatIds.json
#   data/places/images/{training,validation}/ADE_*.jpg
#   data/places/instance_{training,validation}_gts.json
# mmdet's single-scale pipeline (the synthetic set's base), as the
# challenge's Mask R-CNN baseline.
_base_ = './synthetic_dense_instance.py'

data_root = 'data/places/'
train_dataloader = dict(
    dataset=dict(
        type='PlacesInstanceDataset',
        data_root=data_root,
        ann_file='instance_training_gts.json',
        data_prefix=dict(img='images/training/')))
val_dataloader = dict(
    dataset=dict(
        type='PlacesInstanceDataset',
        data_root=data_root,
        ann_file='instance_validation_gts.json',
        data_prefix=dict(img='images/validation/')))
test_dataloader = val_dataloader

# The challenge's rules: maxDets (1, 50, 255), 255 top-scoring masks per
# image across categories (max_dets_rule='category' = the official code).
# Add submission_file=... to also write the submission JSON.
val_evaluator = dict(
    _delete_=True,
    type='PlacesInstanceMetric',
    metric='segm',
    ann_file=data_root + 'instance_validation_gts.json',
    img_cat_ids=data_root + 'imgCatIds.json',
    max_dets_rule='image')
test_evaluator = val_evaluator
