"""BatchPasteFCNMaskHead pastes the masks mmdet's FCNMaskHead pastes, bit
for bit, many per call."""
import pytest
import torch
from mmdet.models.roi_heads.mask_heads import FCNMaskHead
from mmengine.config import ConfigDict

import mmrot_ext.structures.box_mask_paste as box_mask_paste
from mmrot_ext.models.roi_heads.mask_heads import BatchPasteFCNMaskHead


def random_boxes(num, img_h, img_w, seed):
    """Boxes inside the image (as the bbox head clips them), small to
    large, one degenerate (zero width) and one at the image corner."""
    gen = torch.Generator().manual_seed(seed)
    xy = torch.rand(num, 2, generator=gen) * torch.tensor([img_w, img_h])
    wh = torch.rand(num, 2, generator=gen) * 90 + 0.3
    boxes = torch.cat([xy, xy + wh], 1)
    boxes[0, 2] = boxes[0, 0]
    boxes[1] = torch.tensor([0.0, 0.0, img_w, img_h])
    boxes[:, 0::2] = boxes[:, 0::2].clamp(0, img_w)
    boxes[:, 1::2] = boxes[:, 1::2].clamp(0, img_h)
    return boxes


@pytest.mark.parametrize('rescale', [True, False])
@pytest.mark.parametrize('class_agnostic', [True, False])
@pytest.mark.parametrize('threshold', [0.5, -1])
def test_masks_equal_mmdets(rescale, class_agnostic, threshold):
    torch.manual_seed(0)
    kwargs = dict(num_convs=0, in_channels=8, conv_out_channels=8,
                  num_classes=3, class_agnostic=class_agnostic)
    ours, theirs = BatchPasteFCNMaskHead(**kwargs), FCNMaskHead(**kwargs)
    num = 60
    logits = torch.randn(num, 1 if class_agnostic else 3, 28, 28) * 3
    labels = torch.randint(0, 3, (num, ))
    meta = dict(ori_shape=(200, 300), scale_factor=(1.5, 1.25))
    boxes = random_boxes(num, 250, 450, seed=1)  # in the input image
    cfg = ConfigDict(mask_thr_binary=threshold)
    a = ours._predict_by_feat_single(logits, boxes.clone(), labels, meta,
                                     cfg, rescale)
    b = theirs._predict_by_feat_single(logits, boxes.clone(), labels, meta,
                                       cfg, rescale)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert torch.equal(a, b)
    assert a.any()


def test_paste_split_over_calls_equals_one_call(monkeypatch):
    probs = torch.rand(40, 28, 28)
    boxes = random_boxes(40, 120, 160, seed=2)
    whole = box_mask_paste.paste_masks_in_boxes(probs, boxes, 120, 160)
    monkeypatch.setattr(box_mask_paste, '_CROP_PIXELS_PER_CALL', 5000)
    split = box_mask_paste.paste_masks_in_boxes(probs, boxes, 120, 160)
    assert torch.equal(whole, split)
    empty = box_mask_paste.paste_masks_in_boxes(probs[:0], boxes[:0], 12, 16)
    assert empty.shape == (0, 12, 16)
