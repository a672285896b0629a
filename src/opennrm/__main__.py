"""``python -m opennrm`` runs the ``opennrm`` command."""

from opennrm.cli.main import run

run()
