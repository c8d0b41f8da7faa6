"""tools/alternating_train.py: the four steps on a tiny set for an
axis-aligned and a rotated config, frozen parts unchanged, the final
checkpoint evaluated by tools/test.py, --resume at the stopped step, and
the unshared variant."""
import json
import re
import shutil

import pytest
import torch

from .conftest import data_options

pytestmark = pytest.mark.slow

CONFIGS = {
    'axis-aligned':
    'configs/faster_rcnn/faster-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
    'rotated': 'configs/rotated_faster_rcnn/'
    'rotated-faster-rcnn_r18_fpn_cpu-tiny_synthetic-dense.py',
}


def options(tiny_data, config, epochs):
    # 4 training images, batch 4: one iteration per epoch
    return data_options(tiny_data, epochs, config,
                        extra=['train_dataloader.dataset.indices=4'])


def weights(path, prefix='model.'):
    state = torch.load(path, map_location='cpu',
                       weights_only=False)['state_dict']
    return {k[len(prefix):]: v for k, v in state.items()
            if k.startswith(prefix)}


def part(state, name):
    return {k: v for k, v in state.items() if k.split('.')[0] == name}


def same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture(scope='module')
def alternating_runs(tiny_data, tmp_path_factory, load_tool, repo_root):
    """``alternating_runs(family)``: (config, work dir) of the four steps,
    one epoch (one iteration) each, run once per module."""
    runs = {}

    def run(family):
        if family not in runs:
            config = CONFIGS[family]
            work_dir = tmp_path_factory.mktemp('alternating')
            load_tool('alternating_train.py').main([
                str(repo_root / config), '--work-dir', str(work_dir),
                *options(tiny_data, config, 1)])
            runs[family] = config, work_dir
        return runs[family]

    return run


@pytest.fixture(params=list(CONFIGS))
def alternating_run(request, alternating_runs):
    return alternating_runs(request.param)


def test_four_steps_freeze_what_the_paper_freezes(alternating_run):
    _, work_dir = alternating_run
    with open(work_dir / 'alternating_state.json') as f:
        done = json.load(f)['done']
    assert sorted(done) == ['1', '2', '3', '4']
    step = {n: weights(done[n]) for n in done}
    step2_proposer = weights(done['2'], 'proposer.')
    # step 2 proposes with step 1's RPN, unchanged, and trains a backbone
    # of its own
    assert same(step2_proposer, step['1'])
    assert not same(part(step['2'], 'backbone'), part(step['1'], 'backbone'))
    # step 3: shared layers (weights and BN statistics) frozen, RPN trained
    for shared in ('backbone', 'neck'):
        assert same(part(step['3'], shared), part(step['2'], shared))
    # (an RPN detector keeps its head as bbox_head)
    assert not same(part(step['3'], 'bbox_head'),
                    part(step['1'], 'bbox_head'))
    # step 4: shared layers and the RPN frozen, the RoI head fine-tuned
    for frozen in ('backbone', 'neck'):
        assert same(part(step['4'], frozen), part(step['3'], frozen))
    assert same({k.replace('rpn_head', 'bbox_head', 1): v
                 for k, v in part(step['4'], 'rpn_head').items()},
                part(step['3'], 'bbox_head'))
    assert not same(part(step['4'], 'roi_head'), part(step['2'], 'roi_head'))
    final = weights(work_dir / 'final.pth', '')
    assert same(final, step['4'])


def test_final_checkpoint_evaluates_with_the_test_tool(
        alternating_run, tiny_data, load_tool, repo_root, tmp_path):
    config, work_dir = alternating_run
    metrics = load_tool('test.py').main([
        str(repo_root / config), str(work_dir / 'final.pth'),
        '--work-dir', str(tmp_path), *options(tiny_data, config, 1)])
    key = 'dota/mAP' if 'rotated' in config else 'coco/bbox_mAP'
    assert any(k.endswith(key.split('/')[1]) for k in metrics), metrics
    assert all(0 <= v <= 1 for k, v in metrics.items()
               if k.endswith('mAP'))


def test_resume_continues_the_stopped_step(alternating_runs, tiny_data,
                                           load_tool, repo_root, capsys):
    # the step logic is the same for both families: one suffices
    config, first = alternating_runs('axis-aligned')
    work_dir = first.parent / (first.name + '_resume')
    shutil.copytree(first, work_dir)
    # as if killed in step 3 after its first of two epochs: step 3 ran one
    # epoch, step 4 never started
    state_file = work_dir / 'alternating_state.json'
    with open(state_file) as f:
        state = json.load(f)
    state['done'] = {n: p.replace(str(first), str(work_dir))
                     for n, p in state['done'].items() if n in '12'}
    with open(state_file, 'w') as f:
        json.dump(state, f)
    shutil.rmtree(work_dir / 'step4_detector')
    capsys.readouterr()
    load_tool('alternating_train.py').main([
        str(repo_root / config), '--work-dir', str(work_dir), '--resume',
        *options(tiny_data, config, 2)])
    out = capsys.readouterr().out
    assert 'step 1 (step1_rpn) done, skipped' in out
    assert 'step 2 (step2_detector) done, skipped' in out
    with open(state_file) as f:
        done = json.load(f)['done']
    assert done['3'].endswith('step3_rpn/epoch_2.pth')
    # step 3's second run resumed after its first epoch and trained the
    # second only
    logs = sorted((work_dir / 'step3_rpn').glob('*/*.log'))
    log = logs[-1].read_text()
    assert 'resumed epoch: 1, iter: 1' in log
    assert re.findall(r'Epoch\(train\) \[(\d+)\]', log) == ['2']
    # the first two steps kept their checkpoints
    assert same(weights(done['1']), weights(state['done']['1']))


def test_unshared_variant_stops_after_step_two(alternating_runs, tiny_data,
                                               load_tool, repo_root,
                                               tmp_path):
    config, work_dir = alternating_runs('axis-aligned')
    unshared = work_dir.parent / (work_dir.name + '_unshared')
    shutil.copytree(work_dir, unshared)
    load_tool('alternating_train.py').main([
        str(repo_root / config), '--work-dir', str(unshared), '--resume',
        '--unshared', *options(tiny_data, config, 1)])
    final = torch.load(unshared / 'final.pth', weights_only=False)
    assert final['meta']['alternating_steps'] == 2
    assert any(k.startswith('proposer.backbone') for k in final['state_dict'])
    metrics = load_tool('test.py').main([
        str(unshared / 'final_config.py'), str(unshared / 'final.pth'),
        '--work-dir', str(tmp_path), *options(tiny_data, config, 1)])
    assert 'coco/bbox_mAP' in metrics


def test_rejects_a_single_stage_config(load_tool, repo_root, tmp_path):
    with pytest.raises(ValueError, match=re.escape(
            'alternating training needs a two-stage detector')):
        load_tool('alternating_train.py').main([
            str(repo_root / 'configs/rpn/rpn_r18_fpn_cpu-tiny_synthetic-'
                'dense.py'), '--work-dir', str(tmp_path)])
