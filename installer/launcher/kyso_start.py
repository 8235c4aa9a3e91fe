"""Start kyso from its installation folder on Windows (C:\\Program Files\\kyso).

The same program runs appended to kyso.exe / kyso-gui.exe (distlib's launchers, which start
runtime\\python.exe on it) and, in an MSI that uses an already-deployed Python, as
kyso-start.py under that Python's pythonw.exe -I.
"""

import os
import sys

here = os.path.dirname(os.path.abspath(sys.argv[0]))
sys.path.insert(0, os.path.join(here, "lib"))
# Program Files is read-only for users: compiled modules go to the user's own folder.
sys.pycache_prefix = os.path.join(os.environ.get("LOCALAPPDATA") or os.path.expanduser("~"), "kyso", "pycache")

if sys.argv[1:2] == ["--deploy-machine"]:  # the MSI's install-time step (app/deploy/machine.py)
    from app.deploy.machine import main as deploy_main

    sys.exit(deploy_main(sys.argv[2:]))

from launch import main  # noqa: E402  (the window or the CLI)

sys.exit(main())
