"""The public transparency site: pages, search, exports, feeds and charts."""
