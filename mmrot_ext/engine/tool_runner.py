"""Config loading shared by tools/train.py and tools/test.py."""
import os.path as osp

from mmengine.config import Config


def load_tool_config(path, cfg_options=None, work_dir=None, launcher='none'):
    """Config of a tool run, as mmdet's tools build it.

    Applies ``--cfg-options``, records the launcher and picks the work
    directory: the command line's, else the config's, else
    ``work_dirs/<config name>``.
    """
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
