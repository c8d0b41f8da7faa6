"""mmrot_ext: rotated, scored, distributional and box-supervised instance
segmentation on OpenMMLab.

Importing it installs the upstream fixes of :mod:`mmrot_ext.compat` (each
applied when its upstream module is imported) and nothing else: import
:mod:`mmrot_ext.modules` to register every component (configs do, through
``custom_imports``), or the subpackage you need.
"""
from . import compat

compat.apply_all()

from .version import __version__  # noqa: E402

__all__ = ['__version__']
