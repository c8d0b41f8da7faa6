"""Shared test setup: mmrot_ext first (as users must), quiet upstream noise."""
from pathlib import Path

import pytest

import mmrot_ext  # noqa: F401  (must precede any mmrotate import)

REPO_ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    for pattern in (
            r'ignore:`torch\.jit\.\w+` is deprecated:DeprecationWarning',
            'ignore::DeprecationWarning:mmengine.*',
            'ignore::DeprecationWarning:pkg_resources.*'):
        config.addinivalue_line('filterwarnings', pattern)


@pytest.fixture(scope='session')
def repo_root():
    """The repository root (tools/ and configs/ live there)."""
    return REPO_ROOT


@pytest.fixture(autouse=True)
def mmdet_scope():
    """Resolve unprefixed registry names in mmdet's scope, as configs do."""
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')
