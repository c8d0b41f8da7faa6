"""Importing this module registers every component of mmrot_ext: models,
datasets and transforms, metrics, hooks and loops, the visualiser (scopes:
:mod:`mmrot_ext.registry`). Configs import it with
``custom_imports=dict(imports=['mmrot_ext.modules'])``; entry points that
build components without a config import it too."""
from . import datasets, engine, models, visualization  # noqa: F401
from .evaluation import metrics  # noqa: F401
