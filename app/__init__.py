"""kyso — everything a user does, without widgets: documents, signing jobs, settings, the CLI."""

__version__ = "0.1.0"
