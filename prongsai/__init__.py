"""Prongsai: the application on top of core, procurement, permits and the public site."""

from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"  # the catalogues: `make messages` writes them
