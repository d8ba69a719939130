"""Ingestion: turn files, pages, feeds and archives into :class:`~propscope.model.Document`s."""
