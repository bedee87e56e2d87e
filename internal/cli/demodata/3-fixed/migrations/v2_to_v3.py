"""Pads lite-llm-base v2 checkpoints to the v3 hidden size (demo fixture)."""
