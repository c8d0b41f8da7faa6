"""Test (and evaluate) a detector (mmdet 3.x style).

    python tools/test.py CONFIG CHECKPOINT [--eval segm bbox ...]
        [--out results.pkl] [--show-dir DIR] [--cfg-options k=v ...]

``--eval`` is a shorthand that sets the metrics of the config's test
evaluator (``segm``, ``bbox``, ``proposal``, ``proposal_fast``; rotated
configs also ``rbox``; keypoint configs also ``keypoints``: keypoint AP and
heading accuracy of their ``KeypointHeadingMetric``, left out when not
named). A checkpoint that does not fit the config's model
(missing, unexpected or differently shaped weights) is an error, unless
``--allow-partial`` says to evaluate the partly loaded model anyway.
"""
import argparse
import os
import os.path as osp
import re

from mmdet.engine.hooks.utils import trigger_visualization_hook
from mmdet.evaluation import DumpDetResults
from mmengine.config import DictAction
from mmengine.model import is_model_wrapper

from mmrot_ext.engine import (load_checkpoint_lazily, load_tool_config,
                              run_tool)

EVAL_CHOICES = ('segm', 'bbox', 'proposal', 'proposal_fast', 'rbox',
                'keypoints')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a detector')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where metrics are written')
    parser.add_argument('--eval', nargs='+', choices=EVAL_CHOICES,
                        help='metrics to evaluate (sets test_evaluator)')
    parser.add_argument('--out', help='dump predictions to a .pkl file')
    parser.add_argument('--allow-partial', action='store_true',
                        help='evaluate even if the checkpoint does not fit '
                        'the model (missing or mismatched weights)')
    parser.add_argument('--show', action='store_true',
                        help='show predictions in a window')
    parser.add_argument('--show-dir',
                        help='save painted predictions under '
                        'work_dir/<timestamp>/SHOW_DIR')
    parser.add_argument('--wait-time', type=float, default=2,
                        help='seconds each shown image stays')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. test_dataloader.batch_size=2')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if args.out and not args.out.endswith(('.pkl', '.pickle')):
        parser.error(f'--out must name a .pkl file, got {args.out}')
    return args


def _has_key(node, key):
    """Whether a (nested) config mentions ``key``."""
    if isinstance(node, dict):
        return key in node or any(_has_key(v, key) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_has_key(v, key) for v in node)
    return False


def _is_keypoint_metric(evaluator):
    return evaluator.get('type', '').split('.')[-1] == 'KeypointHeadingMetric'


def apply_eval_shorthand(cfg, metrics, config_path):
    """Point the test evaluator(s) at ``metrics``."""
    if 'segm' in metrics and not _has_key(cfg.model, 'mask_head'):
        raise ValueError(f'{config_path}: --eval segm needs a model with a '
                         f'mask head; this config has none')
    evaluators = cfg.test_evaluator
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    keypoint_metrics = [e for e in evaluators if _is_keypoint_metric(e)]
    if 'keypoints' in metrics and not keypoint_metrics:
        raise ValueError(f'{config_path}: --eval keypoints needs a '
                         f'KeypointHeadingMetric in test_evaluator (a '
                         f'keypoint config); found '
                         f'{[e.get("type") for e in evaluators]}')
    others = [m for m in metrics if m != 'keypoints']
    targets = [e for e in evaluators if 'metric' in e]
    if others and not targets:
        raise ValueError(f'{config_path}: --eval needs a test_evaluator with '
                         f'a "metric" option (such as CocoMetric); found '
                         f'{[e.get("type") for e in evaluators]}')
    for evaluator in targets:
        evaluator.metric = others
    # a metric not asked for is left out; evaluators without options stay
    kept = [
        e for e in evaluators
        if ('keypoints' in metrics if _is_keypoint_metric(e) else
            bool(others) if 'metric' in e else True)
    ]
    cfg.test_evaluator = kept if len(kept) > 1 else kept[0]


def build_cfg(args):
    """Config with the command line applied."""
    cfg = load_tool_config(args.config, args.cfg_options, args.work_dir,
                           args.launcher)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} not found')
    cfg.load_from = args.checkpoint
    if args.eval:
        apply_eval_shorthand(cfg, args.eval, args.config)
    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)
    return cfg


def check_weights_fit(runner, args):
    """Stop, naming the config, the checkpoint and the first differences,
    when the checkpoint's weights do not fit the model (mmengine would load
    what fits, warn, and evaluate the rest at random), unless
    ``--allow-partial``; an unreadable checkpoint stops either way."""
    model = runner.model.module if is_model_wrapper(runner.model) else \
        runner.model
    try:
        ckpt = load_checkpoint_lazily(args.checkpoint)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    theirs = {re.sub(r'^module\.', '', k): v
              for k, v in ckpt.get('state_dict', ckpt).items()}
    ours = model.state_dict()
    problems = [f'missing in the checkpoint: {k}'
                for k in sorted(set(ours) - set(theirs))]
    problems += [f'not in the model: {k}'
                 for k in sorted(set(theirs) - set(ours))]
    problems += [
        f'shape {tuple(theirs[k].shape)} in the checkpoint, '
        f'{tuple(v.shape)} in the model: {k}' for k, v in ours.items()
        if k in theirs and tuple(theirs[k].shape) != tuple(v.shape)
    ]
    if problems and not args.allow_partial:
        raise SystemExit(
            f'{args.checkpoint} does not fit the model of {args.config} '
            f'({len(problems)} difference(s)):\n  ' +
            '\n  '.join(problems[:8]) + '\nUse the config it was trained '
            'with, or --allow-partial to evaluate anyway.')


def main(argv=None):
    args = parse_args(argv)

    def test(runner):
        check_weights_fit(runner, args)
        if args.out:
            runner.test_evaluator.metrics.append(
                DumpDetResults(out_file_path=args.out))
        return runner.test()

    return run_tool(build_cfg(args), args.launcher, test)


if __name__ == '__main__':
    main()
