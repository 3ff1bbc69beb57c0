"""podkit: observe how a pod executes, instead of surveying how it feels.

Public API: load a kit, build its site and toolkits, score observations.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
