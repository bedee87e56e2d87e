"""Lite LLM base model (demo fixture)."""


def build(config):
    return config
