"""Model backends behind one protocol (``base``); ``registry.make_backend`` builds one from a ModelSpec."""
