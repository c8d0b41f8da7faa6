"""A small Places-format set (synthetic scenes), shared by the module."""
import pytest

from mmrot_ext.datasets.synthetic import dense_objects as scenes
from mmrot_ext.datasets.synthetic import write_places_dataset


@pytest.fixture(scope='session')
def places_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('places')
    cfg = scenes.DenseSceneConfig(width=96, height=80,
                                  **scenes.PRESETS['dense'])
    write_places_dataset(str(root), {'training': 4, 'validation': 6}, cfg,
                         seed=3, workers=1)
    return root
