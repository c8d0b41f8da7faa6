"""What tools/train.py and tools/test.py share: the config of a run and the
Runner's life cycle."""
import importlib
import os.path as osp
import sys

from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from .cpu_distributed import close_distributed, setup_cpu_distributed
from .resume import find_resume_checkpoint, read_checkpoint_meta


def add_project_root(config_path):
    """Put the repository root on ``sys.path`` when ``config_path`` lies
    under ``<root>/projects/``, so the config's ``custom_imports`` of
    ``projects.<Name>...`` resolve (mmdet's projects convention; the
    ``projects`` folder is not an installed package)."""
    dirs = osp.dirname(osp.abspath(config_path)).split(osp.sep)
    if 'projects' not in dirs:
        return
    last = len(dirs) - 1 - dirs[::-1].index('projects')
    root = osp.sep.join(dirs[:last]) or osp.sep
    if root not in sys.path:
        sys.path.insert(0, root)


def load_tool_config(path, cfg_options=None, work_dir=None, launcher='none'):
    """Config of a tool run, as mmdet's tools build it.

    Applies ``--cfg-options``, records the launcher and picks the work
    directory: the command line's, else the config's, else
    ``work_dirs/<config name>``. Registers every mmrot_ext component first,
    so a config whose own ``custom_imports`` replaces the base's list (a
    plain list in mmengine's merge) still finds them.
    """
    importlib.import_module('mmrot_ext.modules')
    add_project_root(path)
    cfg = Config.fromfile(path)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs',
                                osp.splitext(osp.basename(path))[0])
    return cfg


def prepare_training(cfg, resume=None, allow_fresh_start=False):
    """``cfg`` set up as tools/train.py trains: the epoch loop that resumes
    mid-epoch exactly, ``LossGuardHook``, and ``resume`` (None; ``'auto'``:
    the most advanced intact checkpoint in the work directory, an error
    when there is none unless ``allow_fresh_start``; or a checkpoint path).
    """
    if cfg.train_cfg.get('type') == 'EpochBasedTrainLoop':
        cfg.train_cfg.type = 'ExactResumeEpochBasedTrainLoop'
    hooks = list(cfg.get('custom_hooks', []))
    if not any(h.get('type') in ('LossGuardHook', 'CheckInvalidLossHook')
               for h in hooks):
        cfg.custom_hooks = hooks + [dict(type='LossGuardHook')]
    if resume == 'auto':
        ckpt = find_resume_checkpoint(cfg.work_dir)
        if ckpt is None and not allow_fresh_start:
            raise SystemExit(
                f'--resume: no intact checkpoint in {cfg.work_dir} to resume '
                f'from; add --allow-fresh-start to start from iteration 0')
        cfg.resume, cfg.load_from = ckpt is not None, ckpt
    elif resume:
        try:
            read_checkpoint_meta(resume)
        except (OSError, ValueError) as e:
            raise SystemExit(f'--resume: {e}') from None
        cfg.resume, cfg.load_from = True, resume
    return cfg


def run_tool(cfg, launcher, action):
    """Build the Runner of ``cfg`` and return ``action(runner)``.

    Sets up CPU distributed mode first when launched by torchrun without
    CUDA; afterwards drops the runner and closes the process group (in that
    order, so the gloo threads are joined here, not at interpreter exit).
    """
    setup_cpu_distributed(cfg, launcher)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else \
        RUNNERS.build(cfg)
    try:
        return action(runner)
    finally:
        del runner
        close_distributed()


def test_dataset_of(config, cfg_options=None):
    """The test set of ``config`` (path), built in its default scope as
    the config's test dataloader would build it."""
    from mmengine.registry import DATASETS, init_default_scope
    cfg = load_tool_config(config, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    return DATASETS.build(cfg.test_dataloader.dataset)
