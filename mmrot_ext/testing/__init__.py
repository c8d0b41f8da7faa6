"""Helpers that make test and benchmark inputs (used by tests/ and
benchmarks/, not by training)."""
from .mask_predictions import jittered_mask_predictions, mask_to_rle

__all__ = ['jittered_mask_predictions', 'mask_to_rle']
