"""hipcheck: an offline terminal symptom checker for runners whose hip hurts."""

__version__ = "0.1.0"
