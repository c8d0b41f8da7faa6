"""Self-contained methods in mmdet's projects/ convention (README, configs/,
code package); configs load their code with ``custom_imports``."""
