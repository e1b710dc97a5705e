"""``python -m kongchuo_rules.server [--host H] [--port P] …``: the same as ``kongchuo serve``."""

from kongchuo_rules.server.run import main

main()
