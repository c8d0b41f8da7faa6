"""Helpers that make test and benchmark inputs (used by tests/ and
benchmarks/, not by training)."""
from .mask_predictions import jittered_mask_predictions

__all__ = ['jittered_mask_predictions']
