"""The public surface of propscope.analytics: one sorted __all__, each name importable."""

from __future__ import annotations

import inspect

from propscope import analytics


def test_all_is_sorted_and_complete() -> None:
    assert analytics.__all__ == sorted(analytics.__all__)
    for name in analytics.__all__:
        assert getattr(analytics, name) is not None


def test_report_is_the_function_with_the_documented_signature() -> None:
    assert callable(analytics.report) and not inspect.ismodule(analytics.report)
    params = list(inspect.signature(analytics.report).parameters)
    assert params[:3] == ["store", "since", "outlet"]
