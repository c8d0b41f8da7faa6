"""Importing mmrot_ext is light: the package applies its upstream fixes
lazily, and the numpy-only Places evaluator needs neither torch nor mmdet."""
import os.path as osp
import subprocess
import sys
import textwrap

import pytest

PROBE = """
    import sys, time
    start = time.perf_counter()
    import {module}
    took = time.perf_counter() - start
    heavy = sorted(m for m in ('torch', 'mmcv', 'mmdet', 'mmrotate',
                               'mmengine') if m in sys.modules)
    print(round(took, 3), ','.join(heavy) or '-')
"""


def probe(module):
    """(seconds, heavy packages loaded) of importing ``module`` in a fresh
    interpreter; the second of two runs, so compiling the .pyc files of a
    fresh checkout is not counted."""
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, '-c',
             textwrap.dedent(PROBE.format(module=module))],
            capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), out[1]


def test_places_evaluator_imports_without_torch_or_mmdet():
    seconds, heavy = probe('mmrot_ext.evaluation.places_eval')
    assert heavy == '-'
    assert seconds < 1.0


def test_package_import_applies_fixes_without_importing_upstream():
    _, heavy = probe('mmrot_ext')
    assert heavy == '-'


@pytest.mark.slow  # a fresh interpreter importing mmdet
def test_modules_registers_every_component():
    code = textwrap.dedent("""
        import mmrot_ext.modules
        from mmrot_ext.registry import (DET_DATASETS, DET_METRICS,
                                        ROOT_HOOKS, ROTATED_MODELS,
                                        ROTATED_METRICS)
        for registry, name in [(ROTATED_MODELS, 'RotatedRPNHead'),
                               (ROTATED_METRICS, 'RotatedCocoInstanceMetric'),
                               (DET_DATASETS, 'PPCDataset'),
                               (DET_METRICS, 'PlacesInstanceMetric'),
                               (ROOT_HOOKS, 'LossGuardHook')]:
            assert registry.get(name) is not None, name
        print('ok')
    """)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True)
    assert out.returncode == 0 and 'ok' in out.stdout, out.stderr


@pytest.mark.slow  # a fresh interpreter importing mmdet
def test_tool_config_registers_components_under_a_config_own_imports(
        tmp_path):
    """A config that sets its own ``custom_imports`` (mmengine replaces the
    base's list) still trains with our components through the tools."""
    cfg = tmp_path / 'own_imports.py'
    cfg.write_text("custom_imports = dict(imports=['json'], "
                   "allow_failed_imports=False)\n")
    code = textwrap.dedent(f"""
        from mmrot_ext.engine import load_tool_config
        load_tool_config({str(cfg)!r})
        from mmrot_ext.registry import DET_DATASETS, ROTATED_MODELS
        assert DET_DATASETS.get('PPCDataset') is not None
        assert ROTATED_MODELS.get('RotatedRPNHead') is not None
        print('ok')
    """)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True)
    assert out.returncode == 0 and 'ok' in out.stdout, out.stderr


@pytest.mark.slow  # a fresh interpreter importing mmdet
def test_project_configs_load_from_any_directory(tmp_path):
    """``projects`` is not an installed package; the tools put the
    repository root on the path for a config under ``projects/``."""
    repo = osp.dirname(osp.dirname(osp.abspath(__file__)))
    cfg = osp.join(repo, 'projects/LatentMaskRCNN/configs/'
                   'latent-mask-rcnn_r18_fpn_cpu-tiny_synthetic-bags.py')
    code = textwrap.dedent(f"""
        import importlib.util, sys
        assert importlib.util.find_spec('projects') is None, 'installed'
        from mmrot_ext.engine import load_tool_config
        load_tool_config({cfg!r})
        assert 'projects.LatentMaskRCNN.latent_mask_rcnn' in sys.modules
        print('ok')
    """)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, cwd=tmp_path)
    assert out.returncode == 0 and 'ok' in out.stdout, out.stderr
