"""Faces that show analysed documents to people and programs: terminal, HTML, exports.

Each renders from :class:`~propscope.model.AnalysedDocument` alone and adds nothing to
the analysis, so the same spans appear whichever face a reader picks.
"""
