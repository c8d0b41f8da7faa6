"""PlacesInstanceMetric: scores, submission writing, ids through imgCatIds."""
import json

import numpy as np
import pycocotools.mask as mask_util
import pytest
import torch

from mmrot_ext.datasets.places_format import convert_places_pngs
from mmrot_ext.evaluation.metrics import PlacesInstanceMetric
from mmrot_ext.evaluation.places_eval import evaluate_places


@pytest.fixture(scope='module')
def gt_file(places_root):
    data = convert_places_pngs(
        str(places_root / 'annotations_instance' / 'validation'),
        str(places_root / 'imgCatIds.json'), workers=0, show_progress=False)
    path = places_root / 'instance_validation_gts.json'
    path.write_text(json.dumps(data))
    return path


def samples_from_gt(gt, drop_every=3):
    """One data sample per image predicting its GT masks, every
    ``drop_every``-th instance missed; the last mask also gets a wrong
    class."""
    samples = []
    for image in gt['images']:
        anns = [a for a in gt['annotations'] if a['image_id'] == image['id']]
        kept = [a for k, a in enumerate(anns) if k % drop_every]
        masks = np.stack([mask_util.decode(a['segmentation']) for a in kept])
        labels = [a['category_id'] - 1 for a in kept]
        labels[-1] = (labels[-1] + 1) % 3
        samples.append(dict(
            img_id=image['id'],
            ori_shape=(image['height'], image['width']),
            pred_instances=dict(
                bboxes=torch.zeros(len(kept), 4),
                scores=torch.linspace(0.9, 0.5, len(kept)),
                labels=torch.tensor(labels),
                masks=torch.from_numpy(masks.astype(bool)))))
    return samples


def test_scores_submission_and_standalone_agree(gt_file, places_root,
                                                tmp_path):
    gt = json.loads(gt_file.read_text())
    submission = tmp_path / 'submission.json'
    metric = PlacesInstanceMetric(
        ann_file=str(gt_file), submission_file=str(submission),
        img_cat_ids=str(places_root / 'imgCatIds.json'))
    metric.dataset_meta = dict(classes=('pen', 'pencil', 'chopstick'))
    metric.process({}, samples_from_gt(gt))
    scores = metric.evaluate(size=len(gt['images']))
    assert set(scores) >= {'places/segm_mAP', 'places/segm_mAP_50',
                           'places/segm_AR@1', 'places/segm_AR@255',
                           'places/segm_AR_l@255'}
    # masks are exact, so recall is found / GT of each category at every
    # IoU threshold; AR averages it over categories
    found, total = np.zeros(3), np.zeros(3)
    for image in gt['images']:
        anns = [a for a in gt['annotations'] if a['image_id'] == image['id']]
        for a in anns:
            total[a['category_id'] - 1] += 1
        for a in [a for k, a in enumerate(anns) if k % 3][:-1]:
            found[a['category_id'] - 1] += 1
    assert scores['places/segm_AR@255'] == pytest.approx(
        np.mean(found / total), abs=1e-4)
    assert 0.3 < scores['places/segm_mAP'] < 1
    entries = json.loads(submission.read_text())
    assert all(set(e) == {'image_id', 'category_id', 'segmentation',
                          'score'} for e in entries)
    # imgCatIds ids of the validation images follow the 4 training ones
    assert {e['image_id'] for e in entries} == set(range(4, 10))
    standalone = evaluate_places(gt, str(submission))
    assert standalone.stats['AP'] == pytest.approx(
        scores['places/segm_mAP'], abs=5e-5)


def test_submission_ids_map_through_img_cat_ids(gt_file, tmp_path):
    """The dataset's ids need not be the challenge's: matched by name."""
    gt = json.loads(gt_file.read_text())
    challenge = dict(images=[dict(img, id=img['id'] + 1000)
                             for img in gt['images']],
                     categories=gt['categories'])
    ids_file = tmp_path / 'imgCatIds.json'
    ids_file.write_text(json.dumps(challenge))
    submission = tmp_path / 'submission.json'
    metric = PlacesInstanceMetric(ann_file=str(gt_file), format_only=True,
                                  submission_file=str(submission),
                                  img_cat_ids=str(ids_file))
    metric.dataset_meta = dict(classes=('pen', 'pencil', 'chopstick'))
    metric.process({}, samples_from_gt(gt))
    assert metric.evaluate(size=len(gt['images'])) == {}
    ids = {e['image_id'] for e in json.loads(submission.read_text())}
    assert ids == {img['id'] + 1000 for img in gt['images']}
    challenge['images'] = challenge['images'][1:]
    ids_file.write_text(json.dumps(challenge))
    metric.process({}, samples_from_gt(gt))
    with pytest.raises(ValueError, match=r'imgCatIds\.json: no entry for 1 '
                       r'image\(s\), e\.g\. \[\'SYN_validation_00000001'):
        metric.evaluate(size=len(gt['images']))


def test_rejects_other_metrics_and_rules(gt_file):
    with pytest.raises(KeyError, match='scores segm only'):
        PlacesInstanceMetric(ann_file=str(gt_file), metric='bbox')
    with pytest.raises(ValueError, match='max_dets_rule must be one of'):
        PlacesInstanceMetric(ann_file=str(gt_file), max_dets_rule='global')
    with pytest.raises(ValueError, match='format_only needs submission'):
        PlacesInstanceMetric(ann_file=str(gt_file), format_only=True)
