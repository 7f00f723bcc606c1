"""Model backends behind one protocol (``base``); ``registry.make_backend`` builds one from a ModelSpec.

Importing this package registers the built-in backends (``registry``), so that configs accept their names.
"""

from alignscope.backends import registry as registry
