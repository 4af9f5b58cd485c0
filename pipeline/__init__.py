"""explainer: turn a YAML storyboard into a narrated explainer video."""

__version__ = "0.1.0"
