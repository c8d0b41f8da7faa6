# cpu-tiny Mask R-CNN on the sparse synthetic preset (`--preset sparse`):
# `make demo` trains this. On the dense preset axis-aligned masks learn far
# more slowly; that is the case the rotated models are for.
_base_ = './mask-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py'

data_root = 'data/synthetic_sparse/'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
