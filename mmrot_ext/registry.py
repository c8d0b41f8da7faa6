"""The registries our components register in, and the rule that picks one.

A component registers where the configs that build it look first, so that
their ``default_scope`` finds it with no ``_scope_`` key:

* rotated models, rotated task utilities (anchor generators, IoU
  calculators), the rotated metric and visualiser: **mmrotate**'s registries
  (rotated configs inherit ``configs/_base_/default_runtime_rotated.py``,
  ``default_scope='mmrotate'``);
* axis-aligned models, datasets, metrics, transforms and the projects'
  components: **mmdet**'s (``default_runtime.py``, ``default_scope='mmdet'``).
  mmrotate's registries are siblings of mmdet's (both children of
  mmengine's), so rotated configs name these with the ``mmdet.`` prefix
  (``type='mmdet.PPCDataset'``), and rotated classes whose defaults build
  mmdet components spell the prefix in their signature defaults
  (``RotatedFCNMaskHead(loss_mask=dict(type='mmdet.CrossEntropyLoss'...``);
* components every config needs whatever its scope (the resume loop, the
  loss guard hook, the CPU distributed wrapper, ``BoxesFromMasks``, the
  alternating-training step model):
  **mmengine**'s root registries, which every scope falls back to.

Import registries from here, never from mmdet / mmrotate / mmengine
directly. Importing this module registers nothing; importing
:mod:`mmrot_ext.modules` registers every component.
"""
from mmdet.registry import DATASETS as DET_DATASETS
from mmdet.registry import HOOKS as DET_HOOKS
from mmdet.registry import METRICS as DET_METRICS
from mmdet.registry import MODELS as DET_MODELS
from mmdet.registry import TRANSFORMS as DET_TRANSFORMS
from mmdet.registry import VISUALIZERS as DET_VISUALIZERS
from mmengine.registry import HOOKS as ROOT_HOOKS
from mmengine.registry import LOOPS as ROOT_LOOPS
from mmengine.registry import MODEL_WRAPPERS as ROOT_MODEL_WRAPPERS
from mmengine.registry import MODELS as ROOT_MODELS
from mmengine.registry import TRANSFORMS as ROOT_TRANSFORMS
from mmrotate.registry import METRICS as ROTATED_METRICS
from mmrotate.registry import MODELS as ROTATED_MODELS
from mmrotate.registry import TASK_UTILS as ROTATED_TASK_UTILS
from mmrotate.registry import VISUALIZERS as ROTATED_VISUALIZERS

__all__ = [
    'DET_DATASETS', 'DET_HOOKS', 'DET_METRICS', 'DET_MODELS',
    'DET_TRANSFORMS', 'DET_VISUALIZERS', 'ROOT_HOOKS', 'ROOT_LOOPS',
    'ROOT_MODEL_WRAPPERS', 'ROOT_MODELS',
    'ROOT_TRANSFORMS', 'ROTATED_METRICS', 'ROTATED_MODELS',
    'ROTATED_TASK_UTILS', 'ROTATED_VISUALIZERS'
]
