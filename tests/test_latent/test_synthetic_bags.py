"""The bag-scene generator tool lives with its project and runs from any
directory."""
import json
import subprocess
import sys

import pytest

from ..conftest import REPO_ROOT


@pytest.mark.slow  # runs the tool in a subprocess
def test_bag_tool_writes_coco_from_another_directory(tmp_path):
    tool = REPO_ROOT / 'projects/LatentMaskRCNN/tools/make_synthetic_bags.py'
    out = subprocess.run(
        [sys.executable, str(tool), 'bags', '--num-train', '2', '--num-val',
         '0', '--num-test', '1', '--width', '64', '--height', '64',
         '--num-items', '2', '3', '--workers', '1'],
        cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    with open(tmp_path / 'bags/annotations/instances_train.json') as f:
        coco = json.load(f)
    assert len(coco['images']) == 2
    assert coco['categories'] == [dict(id=1, name='object')]
    assert all(a['image_id'] in (1, 2) for a in coco['annotations'])
    assert (tmp_path / 'bags/annotations/instances_test.json').is_file()
