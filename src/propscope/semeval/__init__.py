"""SemEval-2020 Task 11 tooling: the PTC corpus, its file formats, the dev split and the scorer.

Everything here speaks *raw* offsets (code points of the article file as read in
UTF-8), because that is what the task's files hold; :mod:`propscope.semeval.run`
is the one place that crosses to the normalised text detectors read.
"""
