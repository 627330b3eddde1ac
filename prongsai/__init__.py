"""Prongsai: the application on top of core, procurement, permits and the public site."""
