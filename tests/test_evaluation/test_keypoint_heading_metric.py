"""Keypoint AP (against OKS by hand) and heading accuracy on hand-made
scenes."""
import json
import math

import numpy as np
import pycocotools.mask as mask_utils
import pytest
import torch

from mmrot_ext.evaluation.metrics import KeypointHeadingMetric

SIZE = 100


def stick_mask(x0, x1, y0=46, y1=54):
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[y0:y1, x0:x1] = 1
    return mask


def write_scenes(tmp_path, categories_keypoints=('tip', 'end')):
    """Image 1: a stick pointing right (tip at x 80); image 2: pointing
    left (tip at x 20). Both keypoints visible."""
    anns = []
    for img_id, (tip, end) in ((1, (80.0, 20.0)), (2, (20.0, 80.0))):
        mask = stick_mask(20, 80)
        rle = mask_utils.encode(np.asfortranarray(mask))
        anns.append(dict(
            id=img_id, image_id=img_id, category_id=1, iscrowd=0,
            segmentation=dict(size=[SIZE, SIZE],
                              counts=rle['counts'].decode()),
            area=float(mask.sum()), bbox=[20.0, 46.0, 60.0, 8.0],
            rbox=[50.0, 50.0, 60.0, 8.0, 0.0],
            keypoints=[tip, 50.0, 2, end, 50.0, 2], num_keypoints=2))
    data = dict(
        images=[dict(id=i, file_name=f'{i}.jpg', height=SIZE, width=SIZE)
                for i in (1, 2)],
        annotations=anns,
        categories=[dict(id=1, name='pen',
                         keypoints=list(categories_keypoints),
                         skeleton=[[1, 2]])])
    path = tmp_path / 'kp.json'
    path.write_text(json.dumps(data))
    return str(path), data


def prediction(img_id, tip, end, heading, score=0.9, mask=None):
    mask = stick_mask(20, 80) if mask is None else mask
    return dict(img_id=img_id, pred_instances=dict(
        labels=torch.tensor([0]), scores=torch.tensor([score]),
        masks=torch.from_numpy(mask[None].astype(bool)),
        keypoints=torch.tensor([[tip, end]], dtype=torch.float32),
        keypoint_scores=torch.tensor([[0.9, 0.8]]),
        headings=torch.tensor([heading])))


def evaluate(path, preds, **kwargs):
    metric = KeypointHeadingMetric(path, **kwargs)
    metric.dataset_meta = dict(classes=('pen', ))
    metric.process(None, preds)
    return metric.evaluate(len(preds))


def test_keypoint_ap_matches_oks_computed_by_hand(tmp_path):
    path, data = write_scenes(tmp_path)
    area = data['annotations'][0]['area']
    sigma = 0.05
    # both keypoints off by d: OKS = exp(-d^2 / (2 area (2 sigma)^2))
    target_oks = 0.62
    d = math.sqrt(-math.log(target_oks) * 2 * area * (2 * sigma) ** 2)
    preds = [
        prediction(1, [80 + d, 50], [20 - d, 50], 0.0),
        prediction(2, [20, 50 + d], [80, 50 - d], math.pi),
    ]
    out = evaluate(path, preds, sigmas=(sigma, sigma))
    # OKS 0.62 passes thresholds 0.50, 0.55, 0.60 of ten: AP 0.3
    assert out['keypoints/AP50'] == pytest.approx(1.0)
    assert out['keypoints/AP75'] == pytest.approx(0.0)
    assert out['keypoints/AP'] == pytest.approx(0.3)


def test_perfect_predictions_score_one(tmp_path):
    path, _ = write_scenes(tmp_path)
    preds = [prediction(1, [80, 50], [20, 50], 0.0),
             prediction(2, [20, 50], [80, 50], math.pi)]
    out = evaluate(path, preds)
    assert out['keypoints/AP'] == pytest.approx(1.0)
    assert out['keypoints/heading_acc'] == pytest.approx(1.0)
    assert out['keypoints/heading_matched'] == 2


def test_heading_accuracy_and_the_le90_guess(tmp_path):
    path, _ = write_scenes(tmp_path)
    # image 1 within 10 degrees, image 2 turned round (20 degrees off pi)
    preds = [prediction(1, [80, 50], [20, 50], math.radians(10)),
             prediction(2, [20, 50], [80, 50], math.radians(-20))]
    out = evaluate(path, preds)
    assert out['keypoints/heading_acc'] == pytest.approx(0.5)
    # the le90 angle 0 says "right": right for image 1 only
    assert out['keypoints/heading_le90'] == pytest.approx(0.5)
    assert out['keypoints/heading_matched'] == 2


def test_predictions_matching_no_mask_count_for_no_heading(tmp_path):
    path, _ = write_scenes(tmp_path)
    off = np.zeros((SIZE, SIZE), np.uint8)
    off[5:12, 5:40] = 1  # mask IoU 0 with the stick
    preds = [prediction(1, [80, 50], [20, 50], 0.0, mask=off),
             prediction(2, [20, 50], [80, 50], math.pi)]
    out = evaluate(path, preds)
    assert out['keypoints/heading_matched'] == 1
    assert out['keypoints/heading_acc'] == pytest.approx(1.0)


def test_results_file_in_coco_keypoint_format(tmp_path):
    path, _ = write_scenes(tmp_path)
    prefix = str(tmp_path / 'res')
    evaluate(path, [prediction(1, [80, 50], [20, 50], 0.25)],
             outfile_prefix=prefix)
    with open(prefix + '.keypoints.json') as f:
        results = json.load(f)
    assert results == [dict(image_id=1, category_id=1,
                            keypoints=[80.0, 50.0, 0.9, 20.0, 50.0, 0.8],
                            score=pytest.approx(0.9),
                            heading=pytest.approx(0.25))]


def test_sigmas_must_match_the_keypoints(tmp_path):
    path, _ = write_scenes(tmp_path)
    with pytest.raises(ValueError, match='2 keypoints but 3 sigmas'):
        KeypointHeadingMetric(path, sigmas=(0.05, 0.05, 0.05))
