"""The Places path with real tools: generate, convert, test --eval segm
with a submission, score the submission with the standalone evaluator."""
import json
import re

import pytest

from .conftest import run_tool

# subprocess tool runs and trainings: `make test-fast` leaves them out
pytestmark = pytest.mark.slow

PLACES_CFG = \
    'configs/places/mask-rcnn_r18_fpn_cpu-tiny_synthetic-places.py'


def test_places_pipeline(trained_mask_rcnn, repo_root, tmp_path):
    root = tmp_path / 'places'
    run_tool(['tools/dataset_converters/make_synthetic_places.py', root,
              '--num-train', '0', '--num-val', '4', '--workers', '1'],
             repo_root)
    out = run_tool([
        'tools/dataset_converters/places_png_to_coco.py', '--ann_dir',
        root / 'annotations_instance/validation', '--imgCatIdsFile',
        root / 'imgCatIds.json', '--output_json',
        root / 'instance_validation_gts.json', '--workers', '1'], repo_root)
    assert re.search(r'4 images, \d+ instances, 3 categories', out)
    submission = tmp_path / 'submission.json'
    data_root = f'{root}/'
    out = run_tool([
        'tools/test.py', PLACES_CFG, trained_mask_rcnn / 'epoch_6.pth',
        '--eval', 'segm', '--work-dir', tmp_path / 'test', '--cfg-options',
        f'test_dataloader.dataset.data_root={data_root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        f'test_evaluator.ann_file={data_root}instance_validation_gts.json',
        f'test_evaluator.img_cat_ids={data_root}imgCatIds.json',
        f'test_evaluator.submission_file={submission}'], repo_root)
    metric_ap = float(re.search(r'places/segm_mAP: ([\d.]+)', out).group(1))
    for name in ('AR@1', 'AR@50', 'AR@255', 'APs', 'pencil'):
        assert name in out
    entries = json.loads(submission.read_text())
    assert entries and all('bbox' not in e for e in entries)
    out = run_tool(['tools/analysis_tools/places_eval.py', '--dataset_json',
                    root / 'instance_validation_gts.json', '--preds_json',
                    submission], repo_root)
    standalone_ap = float(re.search(r'MeanAP = ([\d.]+)', out).group(1))
    assert abs(standalone_ap - metric_ap) < 1e-4
