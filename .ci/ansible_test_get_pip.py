"""Offline stand-in for the get-pip.py that ansible-test downloads from a host this network cannot reach.

.ci/sanity.sh copies it to ~/.ansible/test/cache/get_pip_<X_Y>.py beside pip-<X.Y>-py3-none-any.whl
(downloaded from PyPI). ansible-test runs it with pip's install arguments; like get-pip.py, it runs
pip from that wheel to install pip into the new virtual environment.
"""

import os
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    version = os.path.splitext(os.path.basename(__file__))[0][len("get_pip_"):].replace("_", ".")
    sys.path.insert(0, os.path.join(here, "pip-%s-py3-none-any.whl" % version))
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
    return pip_main(["install", "--upgrade", "--force-reinstall"] + args)


if __name__ == "__main__":
    sys.exit(main())
