"""Places scoring: equals pycocotools, both 255-rules, id-0 quirk, errors."""
import copy
import json

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmrot_ext.datasets.places_format import convert_places_pngs
from mmrot_ext.evaluation.places_eval import (
    STAT_NAMES,
    evaluate_places,
    to_submission,
)
from mmrot_ext.structures import mask_to_rle
from mmrot_ext.testing import jittered_mask_predictions


@pytest.fixture(scope='module')
def gt(places_root):
    return convert_places_pngs(
        str(places_root / 'annotations_instance' / 'validation'),
        str(places_root / 'imgCatIds.json'), workers=0, show_progress=False)


def random_predictions(gt, per_image=300, seed=0):
    return jittered_mask_predictions(gt, per_image, seed)


def pycocotools_reference(gt, preds):
    """Stock pycocotools with maxDets (1, 50, 255) and the official
    evaluator.py summary (everything at 255 but AR@1 / AR@50)."""
    coco = COCO()
    coco.dataset = copy.deepcopy(gt)
    coco.createIndex()
    ev = COCOeval(coco, coco.loadRes(copy.deepcopy(preds)), 'segm')
    ev.params.maxDets = [1, 50, 255]
    ev.evaluate()
    ev.accumulate()
    p, r = ev.eval['precision'], ev.eval['recall']

    def mean(x):
        x = x[x > -1]
        return x.mean() if x.size else -1

    stats = [mean(p[:, :, :, 0, 2]), mean(p[0, :, :, 0, 2]),
             mean(p[5, :, :, 0, 2])]
    stats += [mean(p[:, :, :, a, 2]) for a in (1, 2, 3)]
    stats += [mean(r[:, :, 0, m]) for m in range(3)]
    stats += [mean(r[:, :, a, 2]) for a in (1, 2, 3)]
    return dict(zip(STAT_NAMES, stats)), p, r


def top_255_per_image(preds):
    kept = []
    for image_id in sorted({p['image_id'] for p in preds}):
        mine = [p for p in preds if p['image_id'] == image_id]
        kept += sorted(mine, key=lambda p: p['score'], reverse=True)[:255]
    return kept


@pytest.mark.parametrize('evaluator', ['hotcoco', 'pycocotools'])
@pytest.mark.parametrize('rule', ['image', 'category'])
def test_equals_pycocotools_on_random_predictions(gt, rule, evaluator):
    preds = random_predictions(gt)
    ours = evaluate_places(gt, preds, max_dets_rule=rule, evaluator=evaluator)
    ref_preds = top_255_per_image(preds) if rule == 'image' else preds
    ref, p, r = pycocotools_reference(gt, ref_preds)
    for name in STAT_NAMES:
        assert ours.stats[name] == pytest.approx(ref[name], abs=1e-6), name
    np.testing.assert_allclose(ours.precision, p, atol=1e-6)
    np.testing.assert_allclose(ours.recall, r, atol=1e-6)
    assert 0.05 < ours.stats['AP'] < 0.95
    assert ours.num_dropped == (len(gt['images']) * 45 if rule == 'image'
                                else 0)


def test_the_two_rules_differ_when_an_image_has_over_255(gt):
    preds = random_predictions(gt, per_image=400, seed=1)
    image = evaluate_places(gt, preds, 'image')
    category = evaluate_places(gt, preds, 'category')
    assert image.stats['AR@255'] < category.stats['AR@255']


def test_per_category_ap_averages_to_ap(gt):
    result = evaluate_places(gt, random_predictions(gt, 50))
    aps = [v for v in result.per_category.values() if not np.isnan(v)]
    assert np.mean(aps) == pytest.approx(result.stats['AP'])


def _two_instances(first_ann_id):
    """One 10x20 image, two GT instances, ids from ``first_ann_id``."""
    masks = np.zeros((2, 10, 20), np.uint8)
    masks[0, 1:8, 1:8] = 1
    masks[1, 2:9, 10:18] = 1
    anns = [dict(id=first_ann_id + k, image_id=0, category_id=1,
                 segmentation=mask_to_rle(m), area=int(m.sum()), iscrowd=0)
            for k, m in enumerate(masks)]
    gt = dict(images=[dict(id=0, file_name='a.jpg', height=10, width=20)],
              categories=[dict(id=1, name='bed')], annotations=anns)
    preds = [dict(image_id=0, category_id=1, segmentation=mask_to_rle(m),
                  score=s)
             for m, s in zip(masks, (0.9, 0.8))]
    return gt, preds


@pytest.mark.parametrize('evaluator', ['hotcoco', 'pycocotools'])
def test_annotation_id_zero_quirk(evaluator):
    """Official ids (from 0): the perfect match with annotation 0 counts as a
    false positive; our converter's ids (from 1) score it right."""
    gt, preds = _two_instances(first_ann_id=0)
    official = evaluate_places(gt, preds, evaluator=evaluator)
    assert official.stats['AP'] == pytest.approx(0.2525, abs=1e-4)
    assert official.stats['AR@255'] == pytest.approx(0.5)
    gt, preds = _two_instances(first_ann_id=1)
    ours = evaluate_places(gt, preds, evaluator=evaluator)
    assert ours.stats['AP'] == pytest.approx(1.0)
    assert ours.stats['AR@255'] == pytest.approx(1.0)


def test_unknown_image_ids_are_an_error(tmp_path):
    gt, preds = _two_instances(1)
    preds[0]['image_id'] = 7
    path = tmp_path / 'preds.json'
    path.write_text(json.dumps(preds))
    with pytest.raises(ValueError, match=r'(?s)preds\.json: 1 problem.*1 '
                       r'image id\(s\) not in the ground truth, e\.g\. \[7\]'):
        evaluate_places(gt, str(path))


@pytest.mark.parametrize('edit, message', [
    (dict(category_id=5), 'entry 0: unknown category id 5'),
    (dict(segmentation=[[0, 0, 1, 1, 2, 0]]), 'must be an RLE dict'),
    (dict(segmentation=dict(size=[5, 5], counts='25')),
     r'mask size \[5, 5\] != image 0 size \[10, 20\]'),
    (dict(score=float('nan')), 'entry 0: score must be finite, got nan'),
    (dict(score=float('inf')), 'entry 0: score must be finite, got inf'),
    (dict(score='0.9'), "entry 0: score must be a number, got '0.9'"),
    (dict(score=None), 'entry 0: score must be a number, got None'),
])
def test_malformed_predictions_are_errors(edit, message):
    gt, preds = _two_instances(1)
    preds[0].update(edit)
    with pytest.raises(ValueError, match=message):
        evaluate_places(gt, preds)
    del preds[1]['score']
    with pytest.raises(ValueError, match='entry 1: needs fields'):
        evaluate_places(gt, preds[1:] + preds[1:])


def test_bbox_field_is_dropped_with_a_warning():
    """With ``bbox`` pycocotools would use box areas; we score masks."""
    gt, preds = _two_instances(1)
    # a box far larger than the mask would move it to another area range
    with_box = [dict(p, bbox=[0, 0, 20, 10]) for p in preds]
    with pytest.warns(UserWarning, match='dropped the "bbox" field of 2'):
        result = evaluate_places(gt, with_box)
    assert result.stats == evaluate_places(gt, preds).stats


def test_no_predictions_scores_zero():
    gt, _ = _two_instances(1)
    result = evaluate_places(gt, [])
    assert result.stats['AP'] == 0 and result.stats['AR@255'] == 0
    assert result.stats['APm'] == -1  # no medium-sized ground truth


def test_submission_has_no_bbox_and_at_most_255_per_image(gt):
    preds = random_predictions(gt, per_image=300)
    for p in preds[:3]:
        p['bbox'] = [0, 0, 1, 1]
    sub = to_submission(preds, id_map={img['id']: img['id'] + 100
                                       for img in gt['images']})
    assert all(set(s) == {'image_id', 'category_id', 'segmentation',
                          'score'} for s in sub)
    counts = np.bincount([s['image_id'] - 100 for s in sub])
    assert counts.max() == 255
    json.dumps(sub)


def test_a_nan_score_cannot_break_the_per_image_cap(gt):
    # one NaN among > 255 predictions used to scramble the sort, dropping
    # correct predictions (AP 0.914 instead of 1.0) without an error
    preds = random_predictions(gt, per_image=300)
    preds[5]['score'] = float('nan')
    with pytest.raises(ValueError, match='entry 5: score must be finite'):
        evaluate_places(gt, preds)
    with pytest.raises(ValueError, match=r'prediction 5 \(image .*\): score '
                       'must be finite'):
        to_submission(preds)


def test_standalone_tool(gt, tmp_path, load_tool, capsys):
    preds = random_predictions(gt, per_image=20)
    (tmp_path / 'gt.json').write_text(json.dumps(gt))
    (tmp_path / 'preds.json').write_text(json.dumps(preds))
    tool = load_tool('analysis_tools/places_eval.py')
    result = tool.main(['--dataset_json', str(tmp_path / 'gt.json'),
                        '--preds_json', str(tmp_path / 'preds.json'),
                        '--json-out', str(tmp_path / 'scores.json')])
    out = capsys.readouterr().out
    assert f'MeanAP = {result.stats["AP"]:.4f}' in out
    assert 'pencil' in out and 'AR@255' in out
    saved = json.loads((tmp_path / 'scores.json').read_text())
    assert saved['stats'] == pytest.approx(result.stats)
