"""Shared test setup: mmrot_ext first (as users must), quiet upstream noise."""
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # torch 2.13 deprecates torch.jit, which mmcv/mmdet use at import time
    warnings.simplefilter('ignore', DeprecationWarning)
    import mmrot_ext.modules  # noqa: F401  (must precede any mmrotate import)

REPO_ROOT = Path(__file__).resolve().parents[1]

UPSTREAM_NOISE = (
    r'ignore:`torch\.jit\.\w+` is deprecated:DeprecationWarning',
    'ignore::DeprecationWarning:mmengine.*',
    # mmengine 0.10.7 needs pkg_resources (setuptools is pinned below 81)
    'ignore:pkg_resources is deprecated as an API:UserWarning',
    # pycocotools 2.0.11 under numpy 2
    "ignore:__array__ implementation doesn't accept a copy keyword",
)


def pytest_configure(config):
    for pattern in UPSTREAM_NOISE:
        config.addinivalue_line('filterwarnings', pattern)


@pytest.fixture(scope='session')
def repo_root():
    """The repository root (tools/ and configs/ live there)."""
    return REPO_ROOT


@pytest.fixture(autouse=True)
def default_scope():
    """Resolve unprefixed registry names in mmdet's scope, as configs do.

    Modules of rotated models override this fixture with 'mmrotate'.
    """
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')


@pytest.fixture(scope='session')
def dense_scenes(tmp_path_factory):
    """``dense_scenes(size=128, num_objects=(3, 6), **splits)``: the root of
    a small synthetic dense COCO dataset (seed 0), written once per session
    for each set of arguments. Tests that write into it use arguments of
    their own."""
    from mmrot_ext.datasets.synthetic import (DenseSceneConfig,
                                              write_dense_dataset)
    written = {}

    def make(size=128, num_objects=(3, 6), **splits):
        key = (size, tuple(num_objects), tuple(sorted(splits.items())))
        if key not in written:
            root = tmp_path_factory.mktemp('dense_scenes')
            write_dense_dataset(
                str(root), splits,
                DenseSceneConfig(width=size, height=size,
                                 num_objects=tuple(num_objects)),
                seed=0, workers=1)
            written[key] = root
        return written[key]

    return make


@pytest.fixture(scope='session')
def load_tool():
    """Import a script under tools/ as a module: ``load_tool('a/b.py')``."""
    import importlib.util

    def load(relpath):
        path = REPO_ROOT / 'tools' / relpath
        spec = importlib.util.spec_from_file_location(
            'tool_' + path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
