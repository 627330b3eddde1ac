"""The read side of procurement: what anyone may see, for the pages and the public site."""
