"""mmrot_ext: rotated, scored, distributional and box-supervised instance
segmentation on OpenMMLab. Importing it applies the upstream fixes in
:mod:`mmrot_ext.compat` and registers every module."""
from . import compat

compat.apply_all()

from . import (  # noqa: E402,F401
    apis,
    datasets,
    engine,
    evaluation,
    models,
    ops,
    structures,
    visualization,
)
from .version import __version__  # noqa: E402

__all__ = ['__version__']
