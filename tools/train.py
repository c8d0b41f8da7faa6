"""Train a detector (mmdet 3.x style).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--cfg-options k=v ...] [--launcher pytorch]

``--resume`` with no path continues from the most advanced intact
checkpoint in the work directory (a killed run loses at most one checkpoint
interval; unreadable checkpoints are skipped with a warning naming them,
and an iteration-interval checkpoint resumes mid-epoch without replaying
batches). With no checkpoint there it is an error, unless
``--allow-fresh-start`` says to start from iteration 0 instead. A NaN or
infinite loss, or one above 1e5, stops training before that iteration is
saved (``LossGuardHook``).
"""
import argparse
import os

from mmengine.config import DictAction

from mmrot_ext.cli import add_debug_argument, run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a detector')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (needs a CUDA GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the LR by the actual batch size')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from CKPT, or with no value from the most advanced '
        'intact checkpoint in the work directory')
    parser.add_argument(
        '--allow-fresh-start', action='store_true',
        help='with --resume and no checkpoint in the work directory, start '
        'from iteration 0 instead of failing')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. train_cfg.max_epochs=2')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    add_debug_argument(parser)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_cfg(args):
    """Config with the command line applied."""
    from mmrot_ext.engine import load_tool_config, prepare_training
    cfg = load_tool_config(args.config, args.cfg_options, args.work_dir,
                           args.launcher)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise ValueError(f'{args.config}: --auto-scale-lr needs '
                             f'auto_scale_lr.base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    return prepare_training(cfg, args.resume, args.allow_fresh_start)


def main(argv=None):
    args = parse_args(argv)
    # the stack is imported after parsing: --help answers at once
    from mmrot_ext.engine import run_tool
    run_cli(lambda: run_tool(build_cfg(args), args.launcher,
                             lambda runner: runner.train()), args.debug)


if __name__ == '__main__':
    main()
