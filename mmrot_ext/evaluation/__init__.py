"""Evaluation: the Places challenge evaluator (numpy only, importable
without torch) and the metrics registered by :mod:`mmrot_ext.modules`
(:mod:`mmrot_ext.evaluation.metrics`)."""
