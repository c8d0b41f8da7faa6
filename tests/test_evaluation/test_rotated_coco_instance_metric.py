"""The rotated instance metric against pycocotools and hand-worked cases."""
import json

import numpy as np
import pycocotools.mask as mask_util
import pytest
import torch
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmrot_ext.evaluation.coco_pairs import gts_and_ranked_dets
from mmrot_ext.evaluation.metrics import RotatedCocoInstanceMetric
from mmrot_ext.structures import sparse_rbox_overlaps


@pytest.fixture(scope='module')
def dataset(dense_scenes):
    root = dense_scenes(size=96, num_objects=(3, 5), val=6)
    path = root / 'annotations' / 'instances_val.json'
    with open(path) as f:
        return str(path), json.load(f)


def make_metric(ann_file, **kwargs):
    metric = RotatedCocoInstanceMetric(ann_file=ann_file, **kwargs)
    metric.dataset_meta = dict(classes=('pen', 'pencil', 'chopstick'))
    return metric


def prediction(anns, img, rng, jitter):
    """Predictions from GT with noise: masks, rboxes, scores."""
    masks, rboxes, labels, scores = [], [], [], []
    for ann in anns:
        mask = mask_util.decode(ann['segmentation']).astype(bool)
        if jitter:
            mask = np.roll(mask, rng.integers(-2, 3, 2), axis=(0, 1))
        rbox = np.array(ann['rbox']) + (rng.normal(0, 1.5, 5) * [1, 1, 1, 1,
                                                                 0.02]
                                        if jitter else 0)
        masks.append(mask)
        rboxes.append(rbox)
        labels.append(ann['category_id'] - 1)
        scores.append(rng.uniform(0.3, 1.0))
    return dict(
        img_id=img['id'],
        ori_shape=(img['height'], img['width']),
        pred_instances=dict(
            bboxes=torch.tensor(np.array(rboxes), dtype=torch.float32),
            labels=torch.tensor(labels),
            scores=torch.tensor(scores, dtype=torch.float32),
            masks=torch.from_numpy(np.stack(masks))))


def evaluate(metric, data, jitter, seed=0):
    rng = np.random.default_rng(seed)
    samples = []
    for img in data['images']:
        anns = [a for a in data['annotations'] if a['image_id'] == img['id']]
        samples.append(prediction(anns, img, rng, jitter))
    metric.process({}, samples)
    return metric.evaluate(len(samples)), samples


def test_perfect_predictions_score_one(dataset):
    path, data = dataset
    results, _ = evaluate(make_metric(path, metric=['segm', 'rbox']), data,
                          jitter=False)
    assert results['coco/segm_mAP'] == 1.0
    assert results['coco/rbox_mAP'] == 1.0


def test_segm_equals_pycocotools(dataset, tmp_path):
    path, data = dataset
    metric = make_metric(path, metric=['segm'],
                         outfile_prefix=str(tmp_path / 'res'))
    results, _ = evaluate(metric, data, jitter=True)
    # the same detections straight through pycocotools
    gt = COCO(path)
    with open(tmp_path / 'res.segm.json') as f:
        dets = json.load(f)
    coco_eval = COCOeval(gt, gt.loadRes(dets), 'segm')
    coco_eval.params.maxDets = [100, 300, 1000]
    coco_eval.evaluate()
    coco_eval.accumulate()
    coco_eval.summarize()
    assert 0.0 < results['coco/segm_mAP'] < 1.0
    assert results['coco/segm_mAP'] == pytest.approx(coco_eval.stats[0],
                                                     abs=5e-4)
    assert results['coco/segm_mAP_50'] == pytest.approx(coco_eval.stats[1],
                                                        abs=5e-4)


def test_classwise_ap_equals_pycocotools_per_category(dataset, tmp_path):
    path, data = dataset
    metric = make_metric(path, metric=['segm'], classwise=True,
                         outfile_prefix=str(tmp_path / 'res'))
    results, _ = evaluate(metric, data, jitter=True)
    gt = COCO(path)
    with open(tmp_path / 'res.segm.json') as f:
        dets = gt.loadRes(json.load(f))
    for cat in data['categories']:
        coco_eval = COCOeval(gt, dets, 'segm')
        coco_eval.params.catIds = [cat['id']]
        coco_eval.params.maxDets = [100, 300, 1000]
        coco_eval.evaluate()
        coco_eval.accumulate()
        coco_eval.summarize()
        key = f'coco/segm_{cat["name"]}_precision'
        assert results[key] == pytest.approx(coco_eval.stats[0], abs=5e-4)


class ExactRotatedCOCOeval(COCOeval):
    """The reference: pycocotools whose 'bbox' IoU is our exact rotated IoU
    of the (cx, cy, w, h, theta) in ``bbox`` (the metric's former path)."""

    def computeIoU(self, imgId, catId):  # noqa: N802,N803 (COCOeval's API)
        gt, dt = gts_and_ranked_dets(self, imgId, catId)
        if not gt and not dt:
            return []
        return sparse_rbox_overlaps(
            *(torch.tensor([a['bbox'] for a in anns],
                           dtype=torch.float64).reshape(-1, 5)
              for anns in (dt, gt))).numpy()


@pytest.mark.parametrize('name', ['rbox', 'proposal'])
def test_rbox_evaluation_equals_pycocotools_on_exact_rotated_iou(
        dataset, tmp_path, name):
    """One hotcoco call gives the arrays of pycocotools run on our exact
    rotated IoU, per class (rbox) and class-agnostic (proposal)."""
    path, data = dataset
    metric = make_metric(path, metric=[name],
                         outfile_prefix=str(tmp_path / 'res'))
    evaluate(metric, data, jitter=True)
    with open(tmp_path / 'res.rbox.json') as f:
        dets = json.load(f)
    # several detections per object (re-jittered), so ranking matters
    rng = np.random.default_rng(1)
    dets += [dict(d, rbox=(np.array(d['rbox']) + rng.normal(0, 2, 5) *
                           [1, 1, 1, 1, 0.05]).tolist(),
                  score=float(rng.uniform(0, 1))) for d in dets]
    ours = metric._evaluate(name, dets)
    gt = COCO(path)
    for ann in gt.dataset['annotations']:
        ann['bbox'] = ann['rbox']
    gt.createIndex()
    ref = ExactRotatedCOCOeval(
        gt, gt.loadRes([dict(d, bbox=d['rbox']) for d in dets]), 'bbox')
    ref.params.maxDets = [100, 300, 1000]
    ref.params.useCats = int(name == 'rbox')
    ref.evaluate()
    ref.accumulate()
    ref.summarize()
    assert 0.1 < ref.stats[0 if name == 'rbox' else 8] < 0.9
    np.testing.assert_array_equal(ours.eval['precision'],
                                  ref.eval['precision'])
    np.testing.assert_array_equal(ours.eval['recall'], ref.eval['recall'])
    np.testing.assert_array_equal(ours.stats, ref.stats)


def test_results_json_has_rotated_boxes(dataset, tmp_path):
    path, data = dataset
    metric = make_metric(path, metric=['rbox'], format_only=True,
                         outfile_prefix=str(tmp_path / 'out'))
    _, samples = evaluate(metric, data, jitter=False)
    with open(tmp_path / 'out.rbox.json') as f:
        entries = json.load(f)
    assert len(entries) == sum(
        len(s['pred_instances']['labels']) for s in samples)
    first = entries[0]
    assert set(first) >= {'image_id', 'category_id', 'rbox', 'bbox', 'score'}
    assert len(first['rbox']) == 5 and len(first['bbox']) == 4
    assert (tmp_path / 'out.segm.json').exists()


# detections (cx, cy, w, h, theta) with IoU 0.6 with the GT (50, 50, 40, 10,
# 0.3), inside its strip, shifted along its axis: 30 x 8 shifted 5, and
# 24 x 10 shifted 8, which shares both long edges with the GT (mmcv's float32
# box_iou_rotated gives 0.2308 for it, so rbox mAP_50 was 0).
IOU_06_DETS = {
    '30x8 shift 5': [50.0 + 5 * np.cos(0.3), 50.0 + 5 * np.sin(0.3), 30.0,
                     8.0, 0.3],
    '24x10 shift 8': [50.0 + 8 * np.cos(0.3), 50.0 + 8 * np.sin(0.3), 24.0,
                      10.0, 0.3],
}


@pytest.mark.parametrize('det', list(IOU_06_DETS))
def test_hand_worked_rbox_ap(tmp_path, det):
    """One GT, one detection with IoU 0.6: matched at 0.50, 0.55 (and 0.60
    where float rounding puts the IoU at or above 0.6)."""
    gt_box = [50.0, 50.0, 40.0, 10.0, 0.3]
    mask = np.zeros((100, 100), np.uint8)
    mask[45:55, 30:70] = 1
    rle = mask_util.encode(np.asfortranarray(mask))
    rle['counts'] = rle['counts'].decode()
    ann_file = tmp_path / 'gt.json'
    ann_file.write_text(json.dumps(dict(
        images=[dict(id=1, file_name='a.jpg', height=100, width=100)],
        categories=[dict(id=1, name='pen')],
        annotations=[dict(id=1, image_id=1, category_id=1, bbox=[30, 45, 40,
                                                                10],
                          area=400, iscrowd=0, segmentation=rle,
                          rbox=gt_box)])))
    det = IOU_06_DETS[det]
    metric = RotatedCocoInstanceMetric(ann_file=str(ann_file),
                                       metric=['rbox'])
    metric.dataset_meta = dict(classes=('pen', ))
    metric.process({}, [dict(img_id=1, ori_shape=(100, 100),
                             pred_instances=dict(
                                 bboxes=torch.tensor([det]),
                                 labels=torch.tensor([0]),
                                 scores=torch.tensor([0.9])))])
    results = metric.evaluate(1)
    assert results['coco/rbox_mAP_50'] == 1.0
    assert results['coco/rbox_mAP_75'] == 0.0
    assert results['coco/rbox_mAP'] in (pytest.approx(0.2, abs=1e-3),
                                        pytest.approx(0.3, abs=1e-3))


def test_mask_scores_rank_masks(dataset):
    """Swapping which duplicate has the higher mask score changes segm AP."""
    path, data = dataset
    img = data['images'][0]
    anns = [a for a in data['annotations'] if a['image_id'] == img['id']]
    sample = prediction(anns[:1], img, np.random.default_rng(0), False)
    pred = sample['pred_instances']
    bad = torch.zeros_like(pred['masks'])
    bad[:, :5, :5] = True
    pred['masks'] = torch.cat([bad, pred['masks']])
    for key in ('bboxes', 'labels'):
        pred[key] = torch.cat([pred[key], pred[key]])
    pred['scores'] = torch.tensor([0.9, 0.5])
    aps = []
    for mask_scores in ([0.9, 0.5], [0.1, 0.5]):
        pred['mask_scores'] = torch.tensor(mask_scores)
        metric = make_metric(path, metric=['segm'])
        metric.process({}, [sample])
        aps.append(metric.evaluate(1)['coco/segm_mAP_50'])
    assert aps[1] > aps[0]


def test_rejects_unknown_metric_and_missing_ann_file(dataset):
    with pytest.raises(KeyError, match='bbox'):
        RotatedCocoInstanceMetric(ann_file=dataset[0], metric=['bbox'])
    with pytest.raises(ValueError, match='needs ann_file'):
        RotatedCocoInstanceMetric(metric=['segm'])


def test_a_model_that_detects_nothing_scores_zero(dataset):
    """No detection in the whole dataset: AP 0 for segm and rbox (no
    KeyError claiming the model has no masks, no missing keys)."""
    ann_file, data = dataset
    metric = make_metric(ann_file, metric=['segm', 'rbox'], classwise=True)
    metric.process({}, [
        dict(img_id=img['id'], ori_shape=(img['height'], img['width']),
             pred_instances=dict(
                 bboxes=torch.zeros(0, 5), labels=torch.zeros(0).long(),
                 scores=torch.zeros(0),
                 masks=torch.zeros(0, img['height'], img['width'],
                                   dtype=torch.bool)))
        for img in data['images']
    ])
    results = metric.evaluate(len(data['images']))
    for key in ('segm_mAP', 'segm_mAP_50', 'segm_AR@100', 'rbox_mAP',
                'segm_pen_precision', 'rbox_chopstick_precision'):
        assert results[f'coco/{key}'] == 0.0, key
